"""Complaints, claims, requests and suggestions ("Registro de Quejas y Solicitudes", PRO-008 §5.4 and §6)
and crisis incidents (the protocol for a client out of control).

A complaint has a response and a resolution due date computed from an SLA in business days per kind and
severity, an owner, and moves ``received → analysis → resolution → resolved → closed`` (reopen goes back to
analysis). Closing needs the client informed of the actions taken.

A crisis incident records the eight steps of ``protocolo-cliente-en-crisis.txt`` as they are done; its
descriptions are confidential (encrypted, shown to service, quality and management, each read logged).
"""

from peewee import (
    BooleanField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    SmallIntegerField,
    TextField,
)

from core.db import BaseModel
from models.cases import Case
from models.catalog import PracticeArea
from models.clients import Client
from models.users import User

KINDS = ("complaint", "claim", "request", "query", "suggestion", "compliment")
SEVERITIES = ("low", "medium", "high")
CHANNELS = ("email", "phone", "in_person", "web", "letter", "survey", "messaging")
STATES = ("received", "analysis", "resolution", "resolved", "closed")
OPEN_STATES = ("received", "analysis", "resolution")
SOURCES = ("manual", "survey", "crisis")
AGREEMENT = ("", "agreed", "disagreed", "no_answer")
ALERT_NONE, ALERT_NEAR, ALERT_BREACH = 0, 1, 2

CRISIS_STEPS = (1, 2, 3, 4, 5, 6, 7, 8)
CRISIS_ACTIONS = ("solution", "apology", "safety", "pause")
CRISIS_STATES = ("open", "closed")


class ComplaintCategory(BaseModel):
    name = CharField(max_length=120, unique=True)
    is_active = BooleanField(default=True)


class SlaRule(BaseModel):
    """Business days to answer and to resolve, per kind and severity; a missing rule uses the defaults
    of ``core.complaints``."""

    kind = CharField(max_length=10)
    severity = CharField(max_length=6)
    response_days = SmallIntegerField(default=1)
    resolution_days = SmallIntegerField(default=5)

    class Meta:
        indexes = ((("kind", "severity"), True),)


class Complaint(BaseModel):
    number = CharField(max_length=20, unique=True)  # "Q-2026-00042", what the client is told
    kind = CharField(max_length=10, default="complaint")
    client = ForeignKeyField(Client, null=True, backref="complaints", on_delete="SET NULL")
    walk_in_name = CharField(max_length=200, default="")  # a person who is not a client (or gave no name)
    walk_in_contact = CharField(max_length=200, default="")
    case = ForeignKeyField(Case, null=True, backref="complaints", on_delete="SET NULL")
    practice_area = ForeignKeyField(PracticeArea, null=True, backref="+", on_delete="SET NULL")
    channel = CharField(max_length=10, default="email")
    source = CharField(max_length=7, default="manual")
    survey_response = IntegerField(null=True)  # SurveyResponse id when a low score opened it
    description = TextField()
    category = ForeignKeyField(ComplaintCategory, null=True, backref="complaints", on_delete="SET NULL")
    severity = CharField(max_length=6, default="medium")
    received_at = DateTimeField()  # UTC
    owner = ForeignKeyField(User, backref="complaints", on_delete="RESTRICT")
    response_due_at = DateTimeField()  # UTC, end of the last business day allowed
    due_at = DateTimeField()  # resolution due, UTC
    first_response_at = DateTimeField(null=True)
    status = CharField(max_length=10, default="received")
    resolved_at = DateTimeField(null=True)
    closed_at = DateTimeField(null=True)
    root_cause = TextField(default="")
    actions_taken = TextField(default="")
    informed_at = DateTimeField(null=True)  # when the client was told of the actions
    informed_channel = CharField(max_length=10, default="")
    client_agreement = CharField(max_length=9, default="")
    reopened = SmallIntegerField(default=0)
    alert_level = SmallIntegerField(default=ALERT_NONE)  # escalation already sent (near breach, breach)
    created_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")

    class Meta:
        indexes = ((("status", "due_at"), False), (("owner", "status", "due_at"), False), (("client", "id"), False),
                   (("received_at",), False), (("category", "received_at"), False))


class ComplaintStatusChange(BaseModel):
    complaint = ForeignKeyField(Complaint, backref="status_changes", on_delete="CASCADE")
    from_status = CharField(max_length=10, default="")
    to_status = CharField(max_length=10)
    note = TextField(default="")
    changed_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")


class CrisisIncident(BaseModel):
    client = ForeignKeyField(Client, backref="crisis_incidents", on_delete="CASCADE")
    case = ForeignKeyField(Case, null=True, backref="+", on_delete="SET NULL")
    complaint = ForeignKeyField(Complaint, null=True, backref="+", on_delete="SET NULL")
    opened_by = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    occurred_at = DateTimeField()  # UTC
    channel = CharField(max_length=10, default="in_person")
    status = CharField(max_length=6, default="open")
    behaviour = TextField(default="")  # encrypted: the client's behaviour, as observed
    actions = CharField(max_length=40, default="")  # comma-separated CRISIS_ACTIONS chosen
    solution = TextField(default="")  # encrypted: the concrete solution offered (refund, change, compensation)
    security_called = BooleanField(default=False)
    supervisor = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    escalated_at = DateTimeField(null=True)
    supervisor_note = TextField(default="")  # encrypted: what the supervisor did
    supervisor_at = DateTimeField(null=True)
    outcome = TextField(default="")  # encrypted: how it ended
    closed_at = DateTimeField(null=True)
    follow_up_task = IntegerField(null=True)  # the "Seguimiento posterior" Task id

    class Meta:
        indexes = ((("client", "occurred_at"), False), (("status", "occurred_at"), False))


class CrisisStep(BaseModel):
    incident = ForeignKeyField(CrisisIncident, backref="steps", on_delete="CASCADE")
    step = SmallIntegerField()  # 1–8, CRISIS_STEPS
    done_at = DateTimeField()
    done_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    note = TextField(default="")

    class Meta:
        indexes = ((("incident", "step"), True),)

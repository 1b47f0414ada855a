"""Evaluation of a prospect: specialty fit, viability, the initial consultation and the identity and
background verification checklist (legal-advice guide: "Captación y Evaluación de Clientes")."""

from peewee import JOIN, BooleanField, CharField, DateTimeField, ForeignKeyField, TextField

from core.db import BaseModel, Prepared, utcnow
from models.clients import Client
from models.files import StoredFile
from models.users import User

CONSULTATION_MODES = ("in_person", "phone", "video")
# Items of the verification checklist; "company_registration" applies to companies only.
VERIFICATION_ITEMS = ("identity_document", "case_authenticity", "power_of_attorney", "company_registration")
VERIFICATION_STATES = ("pending", "verified", "not_applicable")


class IntakeEvaluation(BaseModel):
    client = ForeignKeyField(Client, backref="evaluations", unique=True, on_delete="CASCADE")
    specialty_fit = BooleanField(null=True)  # None: not yet judged
    viability_notes = TextField(default="")
    consultation_at = DateTimeField(null=True)  # UTC
    consultation_mode = CharField(max_length=10, default="")
    attendees = CharField(max_length=300, default="")
    consultation_notes = TextField(default="")
    expectations = TextField(default="")
    updated_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")

    @classmethod
    def for_client(cls, client) -> "IntakeEvaluation":
        rows = _EVALUATION(getattr(client, "id", client))
        return rows[0] if rows else cls(client=client)


class VerificationCheck(BaseModel):
    client = ForeignKeyField(Client, backref="verifications", on_delete="CASCADE")
    item = CharField(max_length=24)
    state = CharField(max_length=16, default="pending")
    notes = CharField(max_length=500, default="")
    checked_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    checked_at = DateTimeField(null=True)
    file = ForeignKeyField(StoredFile, null=True, backref="+", on_delete="SET NULL")

    class Meta:
        indexes = ((("client", "item"), True),)

    @staticmethod
    def items_for(client) -> tuple[str, ...]:
        return tuple(i for i in VERIFICATION_ITEMS if i != "company_registration" or client.is_company)

    @classmethod
    def checklist(cls, client) -> list["VerificationCheck"]:
        """Every applicable item, stored or not yet (then pending), in checklist order; one query."""
        stored = {v.item: v for v in _VERIFICATIONS(client.id)}
        return [stored.get(item) or cls(client=client, item=item) for item in cls.items_for(client)]

    @classmethod
    def record(cls, client, item: str, state: str, notes: str, user, file=None) -> None:
        update = {cls.state: state, cls.notes: notes, cls.checked_by: user, cls.checked_at: utcnow(),
                  cls.updated_at: utcnow()}
        if file is not None:
            update[cls.file] = file  # a new file replaces the old one; no file keeps it
        cls.insert(client=client, item=item, state=state, notes=notes, checked_by=user, checked_at=utcnow(),
                   created_at=utcnow(), updated_at=utcnow(), file=file).on_conflict(
            conflict_target=[cls.client, cls.item], update=update).execute()


# The intake tab reads both on every view: built once per database.
_EVALUATION = Prepared(lambda client_id: IntakeEvaluation.select().where(IntakeEvaluation.client == client_id).limit(1),
                       -7_700_906)
_VERIFICATIONS = Prepared(lambda client_id: VerificationCheck.select(VerificationCheck, *User.shown())
                          .join(User, JOIN.LEFT_OUTER, on=(VerificationCheck.checked_by == User.id))
                          .where(VerificationCheck.client == client_id), -7_700_907)

"""Data-subject requests ("peticiones de titulares", Ley 1581 arts. 14–15; GDPR arts. 12, 15–21): what a client
asked about their personal data, how their identity was checked, the legal deadline and the answer.

The requester's message, the answer and the evidence note are personal data about the client: encrypted at rest
like a crisis incident's details (AES-256-GCM bound to table, column and row; core/keys.py lists them)."""

from peewee import (
    JOIN,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
    Value,
    fn,
)
from peewee import Case as SqlCase

from core.crypto import SealedFields
from core.db import BaseModel, count
from models.clients import Client
from models.files import StoredFile
from models.users import User

DSR_KINDS = ("query", "rectification", "erasure", "revocation", "objection")
QUERY_KINDS = ("query",)  # consulta/acceso; the other kinds are claims (reclamos) under Ley 1581 art. 15
DSR_CHANNELS = ("email", "phone", "in_person", "letter", "web_form")
DSR_STATES = ("received", "in_progress", "answered", "rejected")
DSR_OPEN_STATES = ("received", "in_progress")
IDENTITY_METHODS = ("pending", "verification", "document", "registered_contact", "representative")


class DataSubjectRequest(SealedFields, BaseModel):
    client = ForeignKeyField(Client, null=True, backref="data_subject_requests", on_delete="SET NULL")
    kind = CharField(max_length=14)
    channel = CharField(max_length=10)
    received_on = DateField()  # the firm's local day
    jurisdiction = CharField(max_length=2)  # "CO" or "ES", the firm's setting when it was received
    message = TextField(default="")  # encrypted: what the requester asked, in their words
    identity_method = CharField(max_length=20, default="pending")
    identity_notes = CharField(max_length=500, default="")
    assignee = ForeignKeyField(User, backref="data_subject_requests", on_delete="RESTRICT")
    due_on = DateField()  # the legal deadline
    extended_due_on = DateField(null=True)  # once, with a reason told to the requester
    extension_reason = TextField(default="")
    escalate_from = DateField()  # 2 business days before the deadline in force: escalated from this day
    status = CharField(max_length=11, default="received")
    answer = TextField(default="")  # encrypted
    evidence_note = TextField(default="")  # encrypted
    evidence = ForeignKeyField(StoredFile, null=True, backref="+", on_delete="SET NULL")
    answered_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    answered_at = DateTimeField(null=True)
    created_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")

    class Meta:
        table_name = "data_subject_request"
        indexes = ((("status", "escalate_from"), False), (("assignee", "status", "escalate_from"), False),
                   (("client", "id"), False))

    SECRET_FIELDS = ("message", "answer", "evidence_note")

    @property
    def code(self) -> str:
        return f"PT-{self.id:05d}"

    @property
    def deadline(self):
        """The deadline in force: the extended one once extended."""
        return self.extended_due_on or self.due_on

    @property
    def is_open(self) -> bool:
        return self.status in DSR_OPEN_STATES

    @property
    def is_query(self) -> bool:
        return self.kind in QUERY_KINDS

    def escalated(self, today) -> bool:
        return self.is_open and self.escalate_from <= today

    # ----- queries -----

    @classmethod
    def for_page(cls, request_id: int):
        """The request with its client and assignee (one query), or None."""
        if not 0 < request_id < 2**63:
            return None
        return (cls.select(cls, Client, User).join(Client, JOIN.LEFT_OUTER, on=(cls.client == Client.id)).switch(cls)
                .join(User, on=(cls.assignee == User.id)).where(cls.id == request_id).first())

    @classmethod
    def register(cls, status: str = "open", kind: str = "", assignee: int | None = None, client: int | None = None,
                 escalated_on=None):
        """The register: filtered by status ("open" for both open states, "" for all), kind, assignee, client and
        "escalated as of this day"; the soonest escalation first, then the newest."""
        query = (cls.select(cls, Client, *User.shown()).join(Client, JOIN.LEFT_OUTER, on=(cls.client == Client.id)).switch(cls)
                 .join(User, on=(cls.assignee == User.id)))
        query = cls._registered(query, status, kind, assignee, client, escalated_on)
        return query.order_by(cls.escalate_from, cls.id.desc())

    @classmethod
    def count_register(cls, status: str = "open", kind: str = "", assignee: int | None = None,
                       client: int | None = None, escalated_on=None) -> int:
        """The register's count without its joins (a left join, and one on a required foreign key: they cannot change
        it); through them, every request's client and assignee were read to count all of them (13 ms at full size)."""
        return count(cls._registered(cls.select(cls.id), status, kind, assignee, client, escalated_on))

    @classmethod
    def _registered(cls, query, status, kind, assignee, client, escalated_on):
        if status == "open":
            query = query.where(cls.status.in_(DSR_OPEN_STATES))
        elif status:
            query = query.where(cls.status == status)
        if kind:
            query = query.where(cls.kind == kind)
        if assignee:
            query = query.where(cls.assignee == assignee)
        if client:
            query = query.where(cls.client == client)
        if escalated_on is not None:
            query = query.where(cls.status.in_(DSR_OPEN_STATES), cls.escalate_from <= escalated_on)
        return query

    @classmethod
    def open_of_assignee(cls, user_id: int):
        return (cls.select(cls, Client).join(Client, JOIN.LEFT_OUTER, on=(cls.client == Client.id))
                .where(cls.assignee == user_id, cls.status.in_(DSR_OPEN_STATES), Client.reachable_by(cls.client))
                .order_by(cls.escalate_from, cls.id))

    @classmethod
    def escalated_count(cls, today) -> int:
        return cls.select().where(cls.status.in_(DSR_OPEN_STATES), cls.escalate_from <= today).count()


# ----- the periodic access review (SECURITY.md A6) -----

ACCESS_REVIEW_STATES = ("open", "signed")
LINE_DECISIONS = ("confirmed", "adjusted", "revoked")
REVOKE_WHAT = ("roles", "account")


class AccessReview(BaseModel):
    """Each active staff member's access as it stood when the review was opened, one line each; signed off by
    management once every line is decided, and then frozen (a trigger refuses any change, migration 0025)."""

    period_start = DateField()
    period_end = DateField()
    status = CharField(max_length=6, default="open")
    created_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    signed_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    signed_at = DateTimeField(null=True)
    signed_on = DateField(null=True)  # the firm's day of the sign-off

    class Meta:
        table_name = "access_review"
        indexes = ((("status", "signed_on"), False),)

    @property
    def code(self) -> str:
        return f"RA-{self.id:04d}"

    @property
    def is_signed(self) -> bool:
        return self.status == "signed"

    @classmethod
    def last_signed_on(cls):
        return (cls.select(cls.signed_on).where(cls.status == "signed").order_by(cls.signed_on.desc())
                .limit(1).scalar())


class AccessReviewLine(BaseModel):
    """One staff member in a review: a snapshot of what the reviewers were shown, and their decision."""

    review = ForeignKeyField(AccessReview, backref="lines", on_delete="RESTRICT")
    user = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    user_name = CharField(max_length=120)
    user_email = CharField(max_length=254)
    roles = CharField(max_length=200, default="")  # role codes, comma-separated
    teams = TextField(default="[]")  # JSON: [[case id, case title], ...] the case teams they belonged to
    last_login_at = DateTimeField(null=True)
    has_2fa = BooleanField(default=False)
    reads = IntegerField(default=0)  # confidential reads (sensitive_read) in the review's period
    decision = CharField(max_length=9, null=True)
    note = TextField(default="")
    revoked = CharField(max_length=7, default="")  # "roles" or "account" when revoked
    decided_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    decided_at = DateTimeField(null=True)

    class Meta:
        table_name = "access_review_line"
        indexes = ((("review", "user_name", "id"), False), (("review", "decision"), False))

    @property
    def role_list(self) -> list[str]:
        return [r for r in self.roles.split(",") if r]

    @property
    def team_list(self) -> list:
        import json

        return json.loads(self.teams or "[]")

    @classmethod
    def matching(cls, review_id: int, state: str = "", role: str = "", q: str = ""):
        """The filter of a review's page: ``state`` is a decision, "undecided" or "decided"; ``role`` a role code
        the line held; ``q`` part of the person's name or email."""
        cond = cls.review == review_id
        if state == "undecided":
            cond &= cls.decision.is_null()
        elif state == "decided":
            cond &= cls.decision.is_null(False)
        elif state in LINE_DECISIONS:
            cond &= cls.decision == state
        if role:
            cond &= Value(",").concat(cls.roles).concat(",").contains(f",{role},")
        if q:
            term = q.strip().lower()
            cond &= fn.LOWER(cls.user_name).contains(term) | fn.LOWER(cls.user_email).contains(term)
        return cond

    @classmethod
    def progress(cls, review_id: int, matching=None) -> tuple[int, int, int]:
        """How many lines the review has, how many are decided and how many match ``matching`` (one query)."""
        matching = cls.review == review_id if matching is None else matching
        shown = fn.SUM(SqlCase(None, [(matching, 1)], 0))
        total, decided, shown = (cls.select(fn.COUNT(cls.id), fn.COUNT(cls.decision), fn.COALESCE(shown, 0))
                                 .where(cls.review == review_id).tuples().get())
        return total, decided, int(shown)

    @classmethod
    def listing(cls, review_id: int, matching, offset: int, limit: int) -> list:
        """``limit`` lines matching from ``offset``, the undecided ones first, each group in name order (two
        statements in one query). The order is found over the (review, user_name, id) and (review, decision)
        indexes alone, then only those rows are read: sorting the lines themselves read every line's snapshot (a
        busy lawyer's case teams are kilobytes of JSON) to show 50."""
        undecided = cls.select(cls.id).where(cls.review == review_id, cls.decision.is_null())
        ids = (cls.select(cls.id).where(matching).order_by(cls.id.in_(undecided).desc(), cls.user_name, cls.id)
               .limit(limit).offset(offset))
        return list(cls.select().where(cls.id.in_(ids))
                    .order_by(cls.decision.is_null().desc(), cls.user_name, cls.id))


ERASURE_MODES = ("erased", "blocked")
RETENTION_CATEGORIES = ("former_client", "rejected_prospect", "blocking_ended")
RETENTION_STATES = ("pending", "done", "dismissed")


class Erasure(BaseModel):
    """The record of one erasure or blocking (services/privacy/erasure.py): who, when, why, under which jurisdiction,
    and how many rows of which tables; never the values erased. The reason is the staff member's, asked without
    personal data (the form says so)."""

    client = ForeignKeyField(Client, backref="erasures", on_delete="RESTRICT")
    mode = CharField(max_length=7)  # ERASURE_MODES
    jurisdiction = CharField(max_length=2)
    reason = TextField(default="")
    tables = TextField(default="{}")  # JSON: {table: rows}
    request = ForeignKeyField(DataSubjectRequest, null=True, backref="erasures", on_delete="SET NULL")
    performed_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")

    class Meta:
        table_name = "erasure"
        indexes = ((("client", "id"), False),)

    @property
    def table_counts(self) -> dict:
        import json

        return json.loads(self.tables or "{}")

    @classmethod
    def register(cls):
        """The record of erasures, newest first, with who performed each (one query)."""
        return (cls.select(cls, User).join(User, JOIN.LEFT_OUTER, on=(cls.performed_by == User.id))
                .order_by(cls.id.desc()))


class RetentionDue(BaseModel):
    """A client whose retention period (``RETENTION`` setting) has run out, as the retention job found it: pending
    until quality or management approve its erasure (done) or set it aside (dismissed)."""

    client = ForeignKeyField(Client, backref="+", on_delete="RESTRICT")
    category = CharField(max_length=20)  # RETENTION_CATEGORIES
    due_on = DateField()
    status = CharField(max_length=9, default="pending")
    decided_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    decided_at = DateTimeField(null=True)

    class Meta:
        table_name = "retention_due"
        indexes = ((("client", "category"), True), (("status", "due_on"), False))

    @classmethod
    def pending(cls):
        """Due soonest first, with what the review shows of the client (its name, or only its number once blocked)."""
        return (cls.select(cls, Client.id, Client.name, Client.blocked_on).join(Client, on=(cls.client == Client.id))
                .where(cls.status == "pending").order_by(cls.due_on, cls.id))

    @classmethod
    def pending_count(cls) -> int:
        return cls.select().where(cls.status == "pending").count()

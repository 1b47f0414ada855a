"""The procedures manual (issue 17): procedures, policies and forms as controlled documents, each with its versions
(PRO 008 §8 "Control de la Información Documentada", §9 "Historial de Versiones").

A document (``manual_document``) has a code ("PRO 008"), a title, a kind, an owner and the names its header block
prints ("Crea: EGC", "Aprueba: CEO"). Its text lives in versions (``manual_version``), written in Markdown under the
sections PRO 008 uses; a version goes draft → in review → approved (management) → published → superseded or
withdrawn. From approval on, a version's text never changes: migration 0023 adds triggers that refuse it, below
the service that already does. Templates and forms the procedure needs are attached to a version as stored files
(``manual_attachment``)."""

from peewee import (
    JOIN,
    SQL,
    CharField,
    DateField,
    DateTimeField,
    DeferredForeignKey,
    ForeignKeyField,
    IntegerField,
    TextField,
    fn,
)

from core.db import BaseModel
from models.files import StoredFile
from models.users import User

DOCUMENT_KINDS = ("procedure", "policy", "form")
VERSION_STATES = ("draft", "in_review", "approved", "published", "superseded", "withdrawn")
OPEN_STATES = ("draft", "in_review", "approved")  # one at a time per document
FROZEN_STATES = ("approved", "published", "superseded", "withdrawn")  # the text no longer changes
READABLE_STATES = ("published", "superseded", "withdrawn")  # what every member of staff may read
# The sections of PRO 008, in its order (1–8); §9 is the version history, drawn from the versions themselves.
SECTIONS = ("objective", "scope", "responsibilities", "definitions", "procedure", "records", "indicators", "related")


class ManualDocument(BaseModel):
    code = CharField(max_length=20, unique=True)  # "PRO 008", as the firm writes it
    title = CharField(max_length=200)
    kind = CharField(max_length=10)
    owner = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    created_label = CharField(max_length=60, default="")  # "Crea: EGC"
    approved_label = CharField(max_length=60, default="")  # "Aprueba: CEO"
    # Kept by the service: the version in force, and the number and state of the latest one (the index filters
    # and shows them without reading the versions).
    current = DeferredForeignKey("ManualVersion", null=True, backref="+", on_delete="SET NULL")
    latest_number = IntegerField(default=0)
    latest_state = CharField(max_length=10, default="draft")
    created_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    # The review calendar (migration 0027): every ``review_months`` (0: no periodic review) the owner reviews the
    # document in force; ``next_review_on`` is when the next review is due.
    review_months = IntegerField(default=12, constraints=[SQL("DEFAULT 12")])  # also for plain INSERTs (the bench)
    next_review_on = DateField(null=True)
    # The roles the document concerns (comma-separated keys of core.guard.ROLES): on publication each active member
    # of staff holding one of them is asked to read and acknowledge it.
    concerned_roles = CharField(max_length=200, default="", constraints=[SQL("DEFAULT ''")])
    ack_reminded_on = DateField(null=True)  # the firm's day "Recordar" last mailed the pending readers (once a day)

    @property
    def role_list(self) -> list[str]:
        return [r for r in self.concerned_roles.split(",") if r]

    class Meta:
        table_name = "manual_document"
        indexes = ((("kind", "code"), False), (("latest_state", "code"), False), (("next_review_on",), False))

    @classmethod
    def index(cls, kind: str = "", state: str = "", q: str = "", everything: bool = False):
        """The manual by code, with the version in force; ``everything`` for those who draft or approve, otherwise
        only the documents that have a published version."""
        query = (cls.select(cls, ManualVersion.id, ManualVersion.number, ManualVersion.published_on, User.id, User.name,
                            User.email)  # not the version's text
                 .join(ManualVersion, JOIN.LEFT_OUTER, on=(cls.current == ManualVersion.id)).switch(cls)
                 .join(User, JOIN.LEFT_OUTER, on=(cls.owner == User.id)))
        if not everything:
            query = query.where(cls.current.is_null(False))
        if kind:
            query = query.where(cls.kind == kind)
        if state:
            query = query.where(cls.latest_state == state)
        if q:
            needle = q.lower()
            query = query.where(fn.LOWER(cls.code).contains(needle) | fn.LOWER(cls.title).contains(needle))
        return query.order_by(cls.code)

    @classmethod
    def for_page(cls, document_id: int):
        if not 0 < document_id < 2**63:
            return None
        return (cls.select(cls, User).join(User, JOIN.LEFT_OUTER, on=(cls.owner == User.id))
                .where(cls.id == document_id).first())


class ManualVersion(BaseModel):
    document = ForeignKeyField(ManualDocument, backref="versions", on_delete="RESTRICT")
    number = IntegerField()  # 0 for the original, shown as "000" like PRO 008 §9
    state = CharField(max_length=10, default="draft")
    objective = TextField(default="")
    scope = TextField(default="")
    responsibilities = TextField(default="")
    definitions = TextField(default="")
    procedure = TextField(default="")
    records = TextField(default="")
    indicators = TextField(default="")
    related = TextField(default="")
    change_summary = CharField(max_length=300, default="")  # "Asiento" in PRO 008 §9
    justification = TextField(default="")  # why the change ("Documentar cambios y justificaciones")
    author = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    submitted_at = DateTimeField(null=True)
    review_note = TextField(default="")  # why management sent it back, the last time it did
    approver = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    approver_title = CharField(max_length=60, default="")  # "Aprueba" in §9: the document's approver label
    approved_at = DateTimeField(null=True)
    published_on = DateField(null=True)  # the firm's day it came into force ("Fecha" in §9)
    published_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    ended_on = DateField(null=True)  # superseded or withdrawn on
    end_reason = TextField(default="")

    class Meta:
        table_name = "manual_version"
        indexes = ((("document", "number"), True),)

    @property
    def label(self) -> str:
        return f"{self.number:03d}"

    @property
    def is_draft(self) -> bool:
        return self.state == "draft"

    @property
    def is_frozen(self) -> bool:
        return self.state in FROZEN_STATES

    @property
    def is_readable(self) -> bool:
        return self.state in READABLE_STATES

    def sections(self) -> dict:
        return {name: getattr(self, name) for name in SECTIONS}

    @classmethod
    def of_document(cls, document_id: int, everything: bool = False):
        """The versions, newest first, with their author and approver; readers see the ones that came into force."""
        author, approver = User.alias(), User.alias()
        query = (cls.select(cls, author.id, author.name, author.email, approver.id, approver.name, approver.email)
                 .join(author, JOIN.LEFT_OUTER, on=(cls.author == author.id)).switch(cls)
                 .join(approver, JOIN.LEFT_OUTER, on=(cls.approver == approver.id))
                 .where(cls.document == document_id))
        if not everything:
            query = query.where(cls.state.in_(READABLE_STATES))
        return query.order_by(cls.number.desc())


class ManualAttachment(BaseModel):
    """A template or form the procedure uses ("Incluir plantillas y formularios necesarios"), attached to a version
    while it is a draft; a new draft carries its predecessor's attachments over."""

    version = ForeignKeyField(ManualVersion, backref="attachments", on_delete="RESTRICT")
    file = ForeignKeyField(StoredFile, backref="+", on_delete="RESTRICT")
    title = CharField(max_length=200)

    class Meta:
        table_name = "manual_attachment"
        indexes = ((("version", "id"), False),)

    @classmethod
    def of_version(cls, version_id: int):
        return (cls.select(cls, StoredFile).join(StoredFile, on=(cls.file == StoredFile.id))
                .where(cls.version == version_id).order_by(cls.id))


REVIEW_OUTCOMES = ("still_valid", "new_version")
AGREEMENT_KINDS = ("staff", "contractor")


class ManualReview(BaseModel):
    """One periodic review of a document ("Programar revisiones anuales de las políticas"): the version in force
    still holds, or a new version is opened; with the change in the law that prompted it, if any ("Incluir cambios
    en la legislación sobre privacidad")."""

    document = ForeignKeyField(ManualDocument, backref="reviews", on_delete="RESTRICT")
    version = ForeignKeyField(ManualVersion, null=True, backref="+", on_delete="RESTRICT")  # the one reviewed
    reviewed_on = DateField()
    outcome = CharField(max_length=12)
    note = TextField(default="")
    law_change = TextField(default="")
    reviewer = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    new_version = ForeignKeyField(ManualVersion, null=True, backref="+", on_delete="SET NULL")
    next_review_on = DateField(null=True)  # the date it set for the next one

    class Meta:
        table_name = "manual_review"
        indexes = ((("document", "reviewed_on"), False),)

    @classmethod
    def of_document(cls, document_id: int, limit: int = 50):
        return (cls.select(cls, User.id, User.name, User.email).join(User, JOIN.LEFT_OUTER, on=(cls.reviewer == User.id))
                .where(cls.document == document_id).order_by(cls.reviewed_on.desc(), cls.id.desc()).limit(limit))

    @classmethod
    def due_count(cls, today) -> int:
        """Documents in force whose review day has passed (the quality dashboard)."""
        return (ManualDocument.select(fn.COUNT(ManualDocument.id))
                .where(ManualDocument.current.is_null(False), ManualDocument.next_review_on < today).scalar() or 0)

    @classmethod
    def due_for(cls, owner_id: int, until):
        """The documents in force this person owns whose review is due by ``until`` (Mi trabajo)."""
        return (ManualDocument.select(ManualDocument).where(
            ManualDocument.owner == owner_id, ManualDocument.current.is_null(False),
            ManualDocument.next_review_on <= until).order_by(ManualDocument.next_review_on, ManualDocument.id))


class ManualAck(BaseModel):
    """One member of staff asked to read a published version ("Asegurar que todos los empleados conozcan sus
    roles"), and when they said "He leído y entiendo"."""

    version = ForeignKeyField(ManualVersion, backref="+", on_delete="RESTRICT")
    document = ForeignKeyField(ManualDocument, backref="+", on_delete="RESTRICT")
    user = ForeignKeyField(User, backref="+", on_delete="CASCADE")
    requested_on = DateField()
    acknowledged_at = DateTimeField(null=True)

    class Meta:
        table_name = "manual_ack"
        indexes = ((("version", "user"), True), (("user", "acknowledged_at"), False),
                   (("version", "acknowledged_at"), False))  # who has yet to read a version, counted (0038)

    @classmethod
    def pending_of(cls, user_id: int):
        """What this person still has to read, oldest first, with the document's code and title (Mi trabajo)."""
        return (cls.select(cls, ManualDocument.id, ManualDocument.code, ManualDocument.title, ManualVersion.id,
                           ManualVersion.number)
                .join(ManualDocument, on=(cls.document == ManualDocument.id)).switch(cls)
                .join(ManualVersion, on=(cls.version == ManualVersion.id))
                .where(cls.user == user_id, cls.acknowledged_at.is_null(), cls.version.in_(
                    ManualVersion.select(ManualVersion.id).where(ManualVersion.state == "published")))
                .order_by(cls.requested_on, cls.id))

    @classmethod
    def of_version(cls, version_id: int, q: str = ""):
        """Everyone asked to read a version (``q``: whose name holds it, any case), with their name; pending first,
        then by name (one query; the caller pages it)."""
        query = (cls.select(cls, User.id, User.name, User.email, User.is_active)
                 .join(User, on=(cls.user == User.id)).where(cls.version == version_id)
                 .order_by(cls.acknowledged_at.is_null(False), User.name, cls.id))
        return query.where(fn.LOWER(User.name).contains(q.lower())) if q else query

    @classmethod
    def tally(cls, version_id: int, q: str = "") -> tuple[int, int, int]:
        """(acknowledged, asked who acknowledged or are still active to, listed): the first two as ``counts``, and
        how many rows ``of_version(version_id, q)`` holds (everyone asked, inactive too, whose name holds ``q``);
        one query."""
        done = cls.acknowledged_at.is_null(False)
        listed = fn.COUNT(cls.id).filter(fn.LOWER(User.name).contains(q.lower())) if q else fn.COUNT(cls.id)
        row = (cls.select(fn.COUNT(cls.id).filter(done),
                          fn.COUNT(cls.id).filter(done | (User.is_active == True)), listed)  # noqa: E712
               .join(User, on=(cls.user == User.id)).where(cls.version == version_id).tuples().get())
        return row[0] or 0, row[1] or 0, row[2] or 0

    @classmethod
    def counts(cls, version_id: int) -> tuple[int, int]:
        """(acknowledged, asked) of a version: those acknowledged, and those asked who acknowledged or are still
        active to do it (one query; the document's page shows "n of m" without loading everyone asked)."""
        done = cls.acknowledged_at.is_null(False)
        row = (cls.select(fn.COUNT(cls.id).filter(done),
                          fn.COUNT(cls.id).filter(done | (User.is_active == True)))  # noqa: E712
               .join(User, on=(cls.user == User.id)).where(cls.version == version_id).tuples().get())
        return row[0] or 0, row[1] or 0

    @classmethod
    def pending_count(cls) -> int:
        """Acknowledgements still pending on versions in force (the quality dashboard)."""
        return (cls.select(fn.COUNT(cls.id)).join(ManualVersion, on=(cls.version == ManualVersion.id))
                .where(cls.acknowledged_at.is_null(), ManualVersion.state == "published").scalar() or 0)


class ConfidentialityAgreement(BaseModel):
    """A confidentiality agreement signed by a member of staff or a contractor ("Pactar cláusulas de
    confidencialidad en todos los contratos con empleados, contratistas…"): the policy version accepted, the
    consequences of a breach it states ("Establecer consecuencias para incumplimiento de políticas"), the signed
    copy if uploaded."""

    person_name = CharField(max_length=120)
    kind = CharField(max_length=10)  # staff | contractor
    user = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    organisation = CharField(max_length=200, default="")  # a contractor's company
    policy = ForeignKeyField(ManualDocument, null=True, backref="+", on_delete="RESTRICT")
    policy_version = ForeignKeyField(ManualVersion, null=True, backref="+", on_delete="RESTRICT")
    signed_on = DateField()
    consequences = TextField(default="")
    file = ForeignKeyField(StoredFile, null=True, backref="+", on_delete="RESTRICT")
    created_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")

    class Meta:
        table_name = "manual_agreement"
        indexes = ((("person_name", "id"), False),)

    @classmethod
    def _named(cls, query, q: str):
        """``query`` narrowed to the agreements whose person's or company's name holds ``q`` (any case)."""
        if not q:
            return query
        needle = q.lower()
        return query.where(fn.LOWER(cls.person_name).contains(needle) | fn.LOWER(cls.organisation).contains(needle))

    @classmethod
    def listing(cls, q: str = ""):
        """The agreements by person (``q``: part of the person's or company's name), with the policy's code and
        version (one query; the caller pages it)."""
        query = (cls.select(cls, ManualDocument.id, ManualDocument.code, ManualDocument.title, ManualVersion.id,
                            ManualVersion.number)
                 .join(ManualDocument, JOIN.LEFT_OUTER, on=(cls.policy == ManualDocument.id)).switch(cls)
                 .join(ManualVersion, JOIN.LEFT_OUTER, on=(cls.policy_version == ManualVersion.id))
                 .order_by(fn.LOWER(cls.person_name), cls.id))
        return cls._named(query, q)

    @classmethod
    def count_named(cls, q: str = "") -> int:
        """How many agreements ``listing(q)`` holds: one COUNT, no joins."""
        return cls._named(cls.select(fn.COUNT(cls.id)), q).scalar() or 0

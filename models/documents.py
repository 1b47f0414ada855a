"""Document checklists per case, legal deadlines ("plazos"), the holiday calendar and calendar feeds
(the legal-advice guide's "Gestión Documental y Cumplimiento Normativo").

Files themselves are ``StoredFile`` rows (encrypted, outside static/); a checklist item keeps every version.
"""

from datetime import date, datetime, timedelta

from peewee import (
    JOIN,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
    fn,
)
from peewee import Case as SqlCase  # CASE WHEN … END (models.cases.Case is the legal case)

from core.db import BaseModel, Prepared
from models.cases import Case
from models.catalog import PracticeArea
from models.clients import Client
from models.files import StoredFile
from models.users import User

ITEM_STATES = ("pending", "received", "reviewed", "rejected", "expired")
SATISFIED = ("received", "reviewed")
DEADLINE_KINDS = ("procedural", "contractual", "administrative")
DEADLINE_STATES = ("open", "done", "missed")
REGIONS = ("CO", "ES")


class RequirementTemplate(BaseModel):
    """A document a case of this practice area needs; applied to every new case of the area."""

    practice_area = ForeignKeyField(PracticeArea, backref="requirements", on_delete="CASCADE")
    name = CharField(max_length=200)
    required = BooleanField(default=True)
    confidential = BooleanField(default=False)
    due_days = IntegerField(null=True)  # due so many days after the case opens
    review_every_days = IntegerField(null=True)  # periodic review ("Revisión periódica")
    position = IntegerField(default=0)
    is_active = BooleanField(default=True)

    class Meta:
        indexes = ((("practice_area", "position"), False),)

    @classmethod
    def of_area(cls, area_id, only_active=True):
        query = cls.select().where(cls.practice_area == area_id)
        if only_active:
            query = query.where(cls.is_active == True)  # noqa: E712
        return query.order_by(cls.position, cls.id)


class DocumentItem(BaseModel):
    case = ForeignKeyField(Case, backref="documents", on_delete="CASCADE")
    template = ForeignKeyField(RequirementTemplate, null=True, backref="+", on_delete="SET NULL")
    name = CharField(max_length=200)
    required = BooleanField(default=True)
    confidential = BooleanField(default=False)
    status = CharField(max_length=10, default="pending")
    due_on = DateField(null=True)
    review_on = DateField(null=True)
    note = TextField(default="")  # e.g. why it was rejected
    reviewed_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    reviewed_at = DateTimeField(null=True)
    created_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")

    class Meta:
        indexes = ((("case", "id"), False), (("case", "status", "review_on"), False))

    @classmethod
    def of_case(cls, case) -> list:
        """The case's checklist, required items first (one prepared query: every view of the checklist reads it)."""
        return _ITEMS_OF_CASE(getattr(case, "id", case))

    @classmethod
    def progress(cls, case) -> tuple[int, int]:
        """(satisfied, total): received or reviewed items over all items (the header's 3/7)."""
        total, done = _PROGRESS(getattr(case, "id", case))[0]
        return int(done or 0), int(total or 0)

    @classmethod
    def pending_required(cls, case):
        return cls.select().where(cls.case == case, cls.required == True, cls.status.not_in(SATISFIED))  # noqa: E712

    def effective_status(self, today: date) -> str:
        """A reviewed document whose periodic review date has passed is due again (shown as expired)."""
        if self.status in SATISFIED and self.review_on and self.review_on < today:
            return "expired"
        return self.status

    @classmethod
    def to_review_for(cls, user_id: int, today: date, limit: int | None = 100, case_ids=None):
        """Items waiting for a review on the open cases of this person (responsible or team member): received
        and not reviewed yet, or reviewed with their periodic review date reached. With case and client (one
        query); the oldest first. Pass ``case_ids`` when they are known (a literal list lets SQLite walk the
        (case, id) index instead of every received item of the firm)."""
        from models.cases import CaseMember

        mine = case_ids if case_ids is not None else (
            Case.select(Case.id).where(Case.responsible == user_id, Case.status != "closed")
            | Case.select(Case.id).join(CaseMember).where(CaseMember.user == user_id, Case.status != "closed"))
        return (cls.select(cls, Case, Client).join(Case).join(Client)
                .where(cls.case.in_(mine), Case.reachable_by(cls.case),
                       (cls.status == "received") | ((cls.status == "reviewed") & (cls.review_on <= today)))
                .order_by(cls.id).limit(limit))


class DocumentVersion(BaseModel):
    item = ForeignKeyField(DocumentItem, backref="versions", on_delete="CASCADE")
    number = IntegerField()
    file = ForeignKeyField(StoredFile, backref="+", on_delete="RESTRICT")
    note = CharField(max_length=300, default="")
    uploaded_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")

    class Meta:
        indexes = ((("item", "number"), True),)

    @classmethod
    def listed(cls, items):
        """Versions as the checklist shows them (file and uploader), by item, newest first: of ``items`` (ids, or a
        subquery of them)."""
        query = (cls.select(cls, StoredFile, *User.shown()).join(StoredFile).switch(cls)
                 .join(User, JOIN.LEFT_OUTER, on=(cls.uploaded_by == User.id)))
        return query.where(cls.item.in_(items)).order_by(cls.item, cls.number.desc())

    @classmethod
    def of_case(cls, case) -> list:
        """Every version of the case's items as ``listed`` (one prepared query: the checklist's whole page)."""
        return _VERSIONS_OF_CASE(getattr(case, "id", case))


class Deadline(BaseModel):
    case = ForeignKeyField(Case, backref="deadlines", on_delete="CASCADE")
    description = CharField(max_length=300)
    kind = CharField(max_length=14, default="procedural")
    due_at = DateTimeField()  # UTC
    responsible = ForeignKeyField(User, backref="deadlines", on_delete="RESTRICT")
    alert_days = CharField(max_length=40, default="7,1")  # days before the due date to alert
    alert_from = DateField()  # the first alert day: the work queue shows the deadline from then on
    alerted_on = DateField(null=True)  # the last day an alert email went out (the jobs send one per offset)
    status = CharField(max_length=6, default="open")
    done_at = DateTimeField(null=True)
    done_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    note = TextField(default="")
    created_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")

    class Meta:
        indexes = ((("case", "due_at"), False), (("responsible", "status", "alert_from"), False),
                   (("status", "alert_from"), False))

    @property
    def offsets(self) -> list[int]:
        return sorted({int(x) for x in self.alert_days.split(",") if x.strip().isdigit()}, reverse=True)

    @staticmethod
    def first_alert(due: date, offsets: list[int]) -> date:
        return due - timedelta(days=max(offsets or [0]))

    @classmethod
    def of_case(cls, case) -> list:
        """The case's deadlines with their responsible, the open ones first by due moment (one prepared query)."""
        return _DEADLINES_OF_CASE(getattr(case, "id", case))

    @classmethod
    def open_of_case(cls, case):
        return cls.select().where(cls.case == case, cls.status == "open").order_by(cls.due_at)

    @classmethod
    def alerting_for(cls, user_id: int, today: date, limit: int = 100):
        """Open deadlines of this person whose alert window has begun, with case and client (one query)."""
        return (cls.select(cls, Case, Client).join(Case).join(Client)
                .where(cls.responsible == user_id, cls.status == "open", cls.alert_from <= today,
                       Case.reachable_by(cls.case))
                .order_by(cls.due_at).limit(limit))

    @classmethod
    def overdue_count(cls, now: datetime, today: date) -> int:
        """Open deadlines already due (the quality dashboard). A deadline alerts from its due day or earlier
        (``first_alert``: offsets are never negative), so one due by ``now`` began alerting by ``today`` (the
        firm's day; a day's margin for a change of time zone): the (status, alert_from) index reads the open
        deadlines in their alert window, not every open one."""
        return (cls.select(fn.COUNT(cls.id))
                .where(cls.status == "open", cls.alert_from <= today + timedelta(days=1), cls.due_at < now)
                .scalar() or 0)

    @classmethod
    def feed_for(cls, user_id: int):
        return (cls.select(cls, Case, Client).join(Case).join(Client)
                .where(cls.responsible == user_id, cls.status == "open", Case.reachable_by(cls.case))
                .order_by(cls.due_at))


class Holiday(BaseModel):
    day = DateField()
    region = CharField(max_length=2, default="CO")
    name = CharField(max_length=120)

    class Meta:
        indexes = ((("region", "day"), True),)

    @classmethod
    def days(cls, region: str, start: date, end: date) -> dict[date, str]:
        return {r.day: r.name for r in _HOLIDAYS(region, start, end)}

    @classmethod
    def of_year(cls, region: str, year: int):
        return cls.select().where(cls.region == region, cls.day >= date(year, 1, 1), cls.day <= date(year, 12, 31)).order_by(cls.day)

    @classmethod
    def years_known(cls, region: str) -> set[int]:
        return {d.year for (d,) in cls.select(cls.day).where(cls.region == region).tuples()}


class CalendarFeed(BaseModel):
    """A person's secret calendar URL (ICS). Only the SHA-256 of the token is stored; a new link revokes the old."""

    user = ForeignKeyField(User, backref="+", unique=True, on_delete="CASCADE")
    token_hash = CharField(max_length=64, unique=True)
    last_used_at = DateTimeField(null=True)

    @classmethod
    def by_token_hash(cls, digest: str):
        return (cls.select(cls, User).join(User, JOIN.INNER, on=(cls.user == User.id))
                .where(cls.token_hash == digest, User.is_active == True).first())  # noqa: E712


# The checklist's and the deadlines tab's reads, and the holidays of a span: built once per database.
_ITEMS_OF_CASE = Prepared(lambda case_id: DocumentItem.select().where(DocumentItem.case == case_id)
                          .order_by(DocumentItem.required.desc(), DocumentItem.id), -7_700_941)
_DEADLINES_OF_CASE = Prepared(lambda case_id: Deadline.select(Deadline, *User.shown())
                              .join(User, on=(Deadline.responsible == User.id)).where(Deadline.case == case_id)
                              .order_by(Deadline.status != "open", Deadline.due_at), -7_700_942)
_HOLIDAYS = Prepared(lambda region, start, end: Holiday.select(Holiday.day, Holiday.name).where(
    Holiday.region == region, Holiday.day >= start, Holiday.day <= end), "\x00region-7700943", date(1900, 1, 2),
    date(1900, 1, 3))
_VERSIONS_OF_CASE = Prepared(lambda case_id: DocumentVersion.listed(
    DocumentItem.select(DocumentItem.id).where(DocumentItem.case == case_id)), -7_700_944)
# Every case tab's header shows it: built once per database.
_PROGRESS = Prepared(lambda case_id: DocumentItem.select(
    fn.COUNT(DocumentItem.id), fn.SUM(SqlCase(None, [(DocumentItem.status.in_(SATISFIED), 1)], 0)))
    .where(DocumentItem.case == case_id).tuples(), -7_700_910)

"""Quality management (ISO 9001 §9–§10): improvement actions.

An improvement action ("Acción de mejora", ISO 9001 §10.2) is opened by hand or from a source — a
complaint's root cause, a survey criterion under target, an indicator off target, a management review
finding — and carries the cause analysis, the immediate correction, the corrective and preventive actions,
an owner and a due date. It moves ``open → in_progress → verifying → closed`` (or ``cancelled`` with a
reason from any open state) and closes only with its effectiveness check: what shows it worked, the day it
was verified and who verified it.
"""

from datetime import datetime

from peewee import JOIN, BooleanField, CharField, DateField, DateTimeField, ForeignKeyField, TextField, fn
from peewee import Case as SqlCase

from core.db import BaseModel, Prepared
from models.complaints import Complaint
from models.reviews import ManagementReview
from models.users import User

ACTION_SOURCES = ("manual", "complaint", "survey", "indicator", "review")
ACTION_STATES = ("open", "in_progress", "verifying", "closed", "cancelled")
ACTION_OPEN_STATES = ("open", "in_progress", "verifying")


class ImprovementAction(BaseModel):
    title = CharField(max_length=200)
    source = CharField(max_length=10, default="manual")
    complaint = ForeignKeyField(Complaint, null=True, backref="improvement_actions", on_delete="SET NULL")
    source_ref = CharField(max_length=200, default="")  # the criterion, indicator or finding it comes from
    description = TextField()  # the problem or nonconformity
    cause_analysis = TextField(default="")
    correction = TextField(default="")  # immediate correction
    corrective_action = TextField(default="")
    preventive_action = TextField(default="")
    owner = ForeignKeyField(User, backref="improvement_actions", on_delete="RESTRICT")
    due_on = DateField()  # the firm's local day
    status = CharField(max_length=11, default="open")
    effectiveness_check = TextField(default="")  # the figure or evidence that shows it worked
    verified_on = DateField(null=True)
    verified_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    closed_at = DateTimeField(null=True)
    cancel_reason = TextField(default="")
    created_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    # The management review whose decisions opened it (source "review"; migration 0018).
    review = ForeignKeyField(ManagementReview, null=True, backref="improvement_actions", on_delete="SET NULL")

    class Meta:
        table_name = "improvement_action"
        indexes = ((("status", "due_on"), False), (("owner", "status", "due_on"), False))

    @property
    def code(self) -> str:
        return f"AM-{self.id:05d}"

    @property
    def is_open(self) -> bool:
        return self.status in ACTION_OPEN_STATES

    def overdue(self, today) -> bool:
        return self.is_open and self.due_on < today

    # ----- queries -----

    @classmethod
    def for_page(cls, action_id: int, user, manage: bool):
        """The action with its owner and complaint (one query), or None when it is out of the person's scope."""
        query = (cls.select(cls, User, Complaint).join(User, on=(cls.owner == User.id)).switch(cls)
                 .join(Complaint, JOIN.LEFT_OUTER, on=(cls.complaint == Complaint.id))
                 .where(cls.id == action_id))
        return (query if manage else query.where(cls.owner == user.id)).first()

    @classmethod
    def register(cls, user, manage: bool, today, status: str = "open", owner: int | None = None,
                 source: str = "", limit: int = 200):
        """The list page: filtered by status ("open" for every open state, "" for all), owner and source;
        overdue ones first, then the soonest due. The rows carry what the list shows, and their owner."""
        query = (cls.select(cls.id, cls.title, cls.source, cls.status, cls.owner, cls.due_on, *User.shown())
                 .join(User, on=(cls.owner == User.id)))
        if not manage:
            query = query.where(cls.owner == user.id)
        if status == "open":
            query = query.where(cls.status.in_(ACTION_OPEN_STATES))
        elif status:
            query = query.where(cls.status == status)
        if owner:
            query = query.where(cls.owner == owner)
        if source:
            query = query.where(cls.source == source)
        late = SqlCase(None, [((cls.status.in_(ACTION_OPEN_STATES)) & (cls.due_on < today), 0)], 1)
        return query.order_by(late, cls.due_on, cls.id).limit(limit)

    @classmethod
    def open_of_owner(cls, user_id: int):
        """The work queue: this person's open actions, the soonest due first."""
        return (cls.select().where(cls.owner == user_id, cls.status.in_(ACTION_OPEN_STATES))
                .order_by(cls.due_on, cls.id))

    @classmethod
    def of_review(cls, review_id: int) -> list:
        """The actions a management review opened, with their owner (one prepared query)."""
        return _OF_REVIEW(review_id)

    @classmethod
    def overdue_count(cls, today) -> int:
        return (cls.select(fn.COUNT(cls.id)).where(cls.status.in_(ACTION_OPEN_STATES), cls.due_on < today)
                .scalar() or 0)


# A review page's actions (every view of a review reads them): built once per database.
_OF_REVIEW = Prepared(lambda review_id: ImprovementAction.select(ImprovementAction, User)
                      .join(User, on=(ImprovementAction.owner == User.id))
                      .where(ImprovementAction.review == review_id).order_by(ImprovementAction.id), -7_700_922)


# ----- results shared with the staff (manual-procedimientos-checklist: "Compartir resultados con el equipo",
# "Comunicar resultados al personal y clientes") -----

class QualityNote(BaseModel):
    """A note from quality or management to the staff about the results of a period, published at once. Every
    active staff member whose account existed when it was published sees it on their start page until they
    acknowledge it. It may carry a client-facing text that the newsletter can carry (``client_summary`` with
    ``for_newsletter``)."""

    title = CharField(max_length=200)
    body = TextField()  # plain text: shown with its line breaks, never as HTML
    period_start = DateField()  # the period it talks about (local days, inclusive)
    period_end = DateField()
    indicator = CharField(max_length=16, default="")  # "" none, "panel" the dashboard, or an indicator key
    client_summary = TextField(default="")  # "Lo que mejoramos gracias a sus respuestas", for clients
    for_newsletter = BooleanField(default=False)
    published_at = DateTimeField()
    published_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")

    class Meta:
        table_name = "quality_note"
        indexes = ((("published_at",), False),)

    @classmethod
    def pending_for(cls, user) -> list:
        """The four newest notes this person has not acknowledged (one query, built once: the start page reads it on
        every visit): those published since their account exists."""
        return _PENDING_NOTES(user.created_at, user.id)

    @classmethod
    def listing(cls, user):
        """The list page: the newest first, with who published it and when this person read it (one query)."""
        mine, publisher = QualityNoteAck.alias("me"), User.alias("p")
        read_on = mine.select(mine.acknowledged_at).where(mine.note == cls.id, mine.user == user.id)
        return (cls.select(cls, *User.shown(publisher), read_on.alias("my_ack"))
                .join(publisher, JOIN.LEFT_OUTER, on=(cls.published_by == publisher.id))
                .order_by(cls.published_at.desc(), cls.id.desc()))

    @classmethod
    def for_page(cls, note_id: int):
        publisher = User.alias("p")
        return (cls.select(cls, publisher).join(publisher, JOIN.LEFT_OUTER, on=(cls.published_by == publisher.id))
                .where(cls.id == note_id).first())

    def progress(self) -> tuple[int, int]:
        """(acknowledged, audience): active staff whose account existed at publication (two queries)."""
        audience = (User.select(fn.COUNT(User.id))
                    .where(User.is_active == True, User.created_at <= self.published_at).scalar() or 0)  # noqa: E712
        done = (QualityNoteAck.select(fn.COUNT(QualityNoteAck.id)).join(User, on=(QualityNoteAck.user == User.id))
                .where(QualityNoteAck.note == self.id, User.is_active == True,  # noqa: E712
                       User.created_at <= self.published_at).scalar() or 0)
        return done, audience

    def not_acknowledged(self, limit: int = 200):
        """Active staff of its audience who have not acknowledged it yet, by name (one query)."""
        acked = QualityNoteAck.select(QualityNoteAck.id).where(QualityNoteAck.note == self.id,
                                                                QualityNoteAck.user == User.id)
        return (User.select(User.id, User.name).where(User.is_active == True,  # noqa: E712
                                                      User.created_at <= self.published_at, ~fn.EXISTS(acked))
                .order_by(User.name, User.id).limit(limit).tuples())

    def acknowledgement_of(self, user):
        return QualityNoteAck.get_or_none(QualityNoteAck.note == self.id, QualityNoteAck.user == user.id)

    @classmethod
    def for_newsletter_items(cls):
        """The client-facing texts marked for the newsletter, the newest first: what a newsletter issue can
        carry under "Lo que mejoramos gracias a sus respuestas"."""
        return (cls.select(cls.id, cls.title, cls.client_summary, cls.period_start, cls.period_end, cls.published_at)
                .where(cls.for_newsletter == True, cls.client_summary != "")  # noqa: E712
                .order_by(cls.published_at.desc(), cls.id.desc()))


class QualityNoteAck(BaseModel):
    """One person's "Leído" on one note, with its moment; once per person (unique)."""

    note = ForeignKeyField(QualityNote, backref="acknowledgements", on_delete="CASCADE")
    user = ForeignKeyField(User, backref="+", on_delete="CASCADE")
    acknowledged_at = DateTimeField()

    class Meta:
        table_name = "quality_note_ack"
        indexes = ((("note", "user"), True),)


def _pending_notes(since, user_id):
    N, ack = QualityNote, QualityNoteAck
    acked = ack.select(ack.id).where(ack.note == N.id, ack.user == user_id)
    return (N.select(N.id, N.title, N.body, N.period_start, N.period_end, N.published_at)
            .where(N.published_at >= since, ~fn.EXISTS(acked)).order_by(N.published_at.desc(), N.id.desc()).limit(4))


_PENDING_NOTES = Prepared(_pending_notes, datetime(1900, 1, 2, 3, 4, 6), -7_700_701)

"""Training on the manual (issue 17 item 5) and the staff's feedback on it (item 6).

A training session (``training_session``) teaches a document of the manual — the version in force when it was
planned — as a course, a simulation or role-play ("Incluir simulaciones y escenarios de atención") or an induction;
its attendees (``training_attendee``) are invited by email, their attendance is marked after the session (attended,
absent, excused) with the score of the post-training evaluation ("Realizar evaluaciones post-capacitación"), on a
0–100 scale against the session's pass mark. A member of staff's training record is their attendee rows.

Feedback (``manual_feedback``): what a member of staff says about a published document ("Recoger feedback del
personal sobre las políticas actuales"), open until the owner or quality marks it considered in a version (the
draft it went into) or set aside, with a note."""

from peewee import JOIN, SQL, Case, CharField, DateTimeField, ForeignKeyField, IntegerField, TextField, fn

from core.db import BaseModel, Prepared
from models.manual import ManualDocument, ManualVersion
from models.users import User

SESSION_KINDS = ("training", "simulation", "induction")
ATTENDANCE = ("invited", "attended", "absent", "excused")
SCORE_MAX = 100  # the evaluation's scale: 0–100, passed at the session's pass mark (70 unless it says otherwise)
DEFAULT_PASS_MARK = 70
FEEDBACK_STATES = ("open", "considered", "set_aside")


class TrainingSession(BaseModel):
    topic = CharField(max_length=200)
    kind = CharField(max_length=10, default="training")
    document = ForeignKeyField(ManualDocument, null=True, backref="+", on_delete="RESTRICT")
    version = ForeignKeyField(ManualVersion, null=True, backref="+", on_delete="RESTRICT")  # in force when planned
    trainer = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    trainer_name = CharField(max_length=120, default="")  # an external trainer
    starts_at = DateTimeField()  # UTC
    duration_minutes = IntegerField(default=60)
    place = CharField(max_length=300, default="")  # a room or a link
    description = TextField(default="")
    scenario = TextField(default="")  # a simulation's scenario
    outcome = TextField(default="")  # what was observed, the lessons (after the session)
    pass_mark = IntegerField(default=DEFAULT_PASS_MARK)
    recorded_at = DateTimeField(null=True)  # attendance and evaluations recorded
    created_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")

    class Meta:
        table_name = "training_session"
        indexes = ((("starts_at",), False), (("document", "starts_at"), False))

    @property
    def trainer_label(self) -> str:
        if self.trainer_id and self.trainer is not None:
            return self.trainer.display_name
        return self.trainer_name

    @classmethod
    def register(cls, when: str = "", document_id: int | None = None, now=None, limit: int = 200):
        """Sessions with their document's code and the counts of attendees, attended and passed (one query):
        ``when`` "upcoming" (from ``now`` on, soonest first) or "past" (latest first)."""
        invited = fn.COUNT(TrainingAttendee.id)
        attended = fn.SUM(Case(None, [(TrainingAttendee.status == "attended", 1)], 0))
        passed = fn.SUM(Case(None, [(TrainingAttendee.score >= cls.pass_mark, 1)], 0))
        query = (cls.select(cls, ManualDocument.id, ManualDocument.code, ManualDocument.title, User.id, User.name,
                            User.email, invited.alias("invited_count"), attended.alias("attended_count"),
                            passed.alias("passed_count"))
                 .join(ManualDocument, JOIN.LEFT_OUTER, on=(cls.document == ManualDocument.id)).switch(cls)
                 .join(User, JOIN.LEFT_OUTER, on=(cls.trainer == User.id)).switch(cls)
                 .join(TrainingAttendee, JOIN.LEFT_OUTER, on=(TrainingAttendee.session == cls.id))
                 .group_by(cls.id, ManualDocument.id, User.id))
        if document_id:
            query = query.where(cls.document == document_id)
        if when == "upcoming":
            query = query.where(cls.starts_at >= now).order_by(cls.starts_at, cls.id)
        elif when == "past":
            query = query.where(cls.starts_at < now).order_by(cls.starts_at.desc(), cls.id.desc())
        else:
            query = query.order_by(cls.starts_at.desc(), cls.id.desc())
        return query.limit(limit)

    @classmethod
    def for_page(cls, session_id: int):
        """The session with what its page shows of its document (code, title), of the version in force (its number;
        not its text) and of the trainer; one prepared statement."""
        if not 0 < session_id < 2**63:
            return None
        rows = _SESSION_FOR_PAGE(session_id)
        return rows[0] if rows else None


def _session_for_page(session_id):
    version = ManualVersion.alias()
    return (TrainingSession.select(TrainingSession, ManualDocument.id, ManualDocument.code, ManualDocument.title,
                                   version.id, version.number, *User.shown())
            .join(ManualDocument, JOIN.LEFT_OUTER, on=(TrainingSession.document == ManualDocument.id))
            .switch(TrainingSession).join(version, JOIN.LEFT_OUTER, on=(TrainingSession.version == version.id))
            .switch(TrainingSession).join(User, JOIN.LEFT_OUTER, on=(TrainingSession.trainer == User.id))
            .where(TrainingSession.id == session_id).limit(1))


_SESSION_FOR_PAGE = Prepared(_session_for_page, -7_700_401)


class TrainingAttendee(BaseModel):
    session = ForeignKeyField(TrainingSession, backref="attendees", on_delete="CASCADE")
    user = ForeignKeyField(User, backref="+", on_delete="CASCADE")
    status = CharField(max_length=8, default="invited")
    score = IntegerField(null=True)  # 0–100
    comment = TextField(default="")

    class Meta:
        table_name = "training_attendee"
        indexes = ((("session", "user"), True), (("user", "session"), False))

    def passed(self, pass_mark: int) -> bool | None:
        return None if self.score is None else self.score >= pass_mark

    @classmethod
    def of_session(cls, session_id: int):
        """The attendees by name, with their name and email (one query)."""
        return (cls.select(cls, User.id, User.name, User.email, User.is_active)
                .join(User, on=(cls.user == User.id)).where(cls.session == session_id).order_by(User.name, cls.id))

    @classmethod
    def record_of(cls, user_id: int, limit: int = 500):
        """A person's training record: every session they were invited to, latest first, with its document's code
        (one query; of the session only what the record shows, not its texts)."""
        return (cls.select(cls, TrainingSession.id, TrainingSession.starts_at, TrainingSession.topic,
                           TrainingSession.kind, TrainingSession.document, TrainingSession.pass_mark,
                           ManualDocument.id, ManualDocument.code, ManualDocument.title)
                .join(TrainingSession, on=(cls.session == TrainingSession.id))
                .join(ManualDocument, JOIN.LEFT_OUTER, on=(TrainingSession.document == ManualDocument.id))
                .where(cls.user == user_id)
                .order_by(TrainingSession.starts_at.desc(), TrainingSession.id.desc()).limit(limit))


class ManualFeedback(BaseModel):
    document = ForeignKeyField(ManualDocument, backref="+", on_delete="RESTRICT")
    version = ForeignKeyField(ManualVersion, null=True, backref="+", on_delete="RESTRICT")  # the one read
    author = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    section = CharField(max_length=20, default="")  # one of models.manual.SECTIONS, or "" for the whole document
    what = TextField()
    suggestion = TextField(default="")
    status = CharField(max_length=10, default="open")
    considered_in = ForeignKeyField(ManualVersion, null=True, backref="+", on_delete="RESTRICT")
    considered_note = TextField(default="")
    considered_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    considered_at = DateTimeField(null=True)

    class Meta:
        table_name = "manual_feedback"
        indexes = ((("document", "status", "id"), False),)

    @classmethod
    def of_document(cls, document_id: int):
        """Open feedback first (the items to act on), then the settled ones, each latest first; with the author, the
        version read and the version it went into (one query; the caller pages it)."""
        read, into = ManualVersion.alias(), ManualVersion.alias()
        return (cls.select(cls, User.id, User.name, User.email, read.id, read.number, into.id, into.number)
                .join(User, JOIN.LEFT_OUTER, on=(cls.author == User.id)).switch(cls)
                .join(read, JOIN.LEFT_OUTER, on=(cls.version == read.id)).switch(cls)
                .join(into, JOIN.LEFT_OUTER, on=(cls.considered_in == into.id))
                .where(cls.document == document_id)
                .order_by(cls.status != "open", cls.id.desc()))

    @classmethod
    def one_of(cls, document_id: int, feedback_id: int):
        """One item of a document's feedback, joined as ``of_document`` (to settle it and show it again), or None."""
        return cls.of_document(document_id).where(cls.id == feedback_id).first()

    @classmethod
    def counts(cls, document_id: int) -> tuple[int, int]:
        """How many items of feedback a document has, and how many of them are open: one COUNT over the
        (document, status, id) index, no joins."""
        total, still_open = (cls.select(fn.COUNT(SQL("*")), fn.SUM(Case(None, [(cls.status == "open", 1)], 0)))
                             .where(cls.document == document_id).tuples().get())
        return int(total or 0), int(still_open or 0)

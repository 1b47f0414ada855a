"""The interaction log ("Registro de interacciones") and virtual meetings.

Every contact with a client: channel, direction, kind, summary. A confidential entry's summary is
encrypted at rest and shown only to the case team (or the client's responsible) and management, each read
logged. Questions and concerns track their response time (asked at → answered at).
"""

import secrets

from peewee import JOIN, BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from core import crypto
from core.db import BaseModel
from models.cases import Case
from models.clients import Client
from models.users import User

CHANNELS = ("email", "phone", "in_person", "video", "messaging")
DIRECTIONS = ("in", "out")
KINDS = ("update", "question", "concern", "meeting", "complaint", "other")
NEEDS_ANSWER = ("question", "concern")
MEETING_CHANNELS = ("video", "phone", "in_person")
MEETING_STATES = ("scheduled", "held", "cancelled")


class Interaction(BaseModel):
    client = ForeignKeyField(Client, backref="interactions", on_delete="CASCADE")
    case = ForeignKeyField(Case, null=True, backref="interactions", on_delete="SET NULL")
    occurred_at = DateTimeField()  # UTC; for questions and concerns, when the client asked
    channel = CharField(max_length=10, default="email")
    direction = CharField(max_length=3, default="out")
    kind = CharField(max_length=10, default="update")
    summary = TextField(default="")  # plain, or encrypted when confidential
    confidential = BooleanField(default=False)
    answered_at = DateTimeField(null=True)
    answered_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    created_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")

    class Meta:
        indexes = ((("client", "id"), False), (("case", "id"), False), (("client", "kind", "answered_at"), False))

    def set_summary(self, text: str) -> None:
        """After the row has an id when confidential (the ciphertext is bound to it)."""
        text = (text or "").strip()
        self.summary = crypto.keys.field.encrypt(text, f"interaction|summary|{self.id}") if self.confidential else text

    def reveal_summary(self) -> str:
        if not self.confidential:
            return self.summary
        return crypto.keys.field.decrypt(self.summary, f"interaction|summary|{self.id}") if self.summary else ""

    @property
    def needs_answer(self) -> bool:
        return self.kind in NEEDS_ANSWER and self.direction == "in"

    @property
    def response_time(self):
        return self.answered_at - self.occurred_at if self.answered_at else None

    @classmethod
    def timeline(cls, client=None, case=None, channel="", kind="", direction="", case_id=None):
        """Newest first, with the author and the case (one query); filters in SQL. Page it with
        core.pagination.keyset."""
        query = cls._with_author_and_case()
        if case is not None:
            query = query.where(cls.case == case)
        else:
            query = query.where(cls.client == client)
            if case_id:
                query = query.where(cls.case == case_id)
        if channel:
            query = query.where(cls.channel == channel)
        if kind:
            query = query.where(cls.kind == kind)
        if direction:
            query = query.where(cls.direction == direction)
        return query.order_by(cls.id.desc())

    @classmethod
    def _with_author_and_case(cls):
        return (cls.select(cls, User, Case).join(User, JOIN.LEFT_OUTER, on=(cls.created_by == User.id)).switch(cls)
                .join(Case, JOIN.LEFT_OUTER, on=(cls.case == Case.id)))

    @classmethod
    def for_entry(cls, interaction_id: int):
        """One entry as the timeline shows it (author and case in the same query), or None."""
        return cls._with_author_and_case().where(cls.id == interaction_id).first()

    @classmethod
    def unanswered_of(cls, client_ids):
        return cls.select().where(cls.client.in_(client_ids), cls.kind.in_(NEEDS_ANSWER), cls.direction == "in",
                                  cls.answered_at.is_null())


class Meeting(BaseModel):
    """A virtual (or in-person) meeting with the client, following the firm's protocol for them."""

    client = ForeignKeyField(Client, backref="meetings", on_delete="CASCADE")
    case = ForeignKeyField(Case, null=True, backref="meetings", on_delete="SET NULL")
    uid = CharField(max_length=64, unique=True, default=lambda: secrets.token_hex(16))
    starts_at = DateTimeField()  # UTC
    duration_minutes = IntegerField(default=60)
    channel = CharField(max_length=10, default="video")
    location = CharField(max_length=300, default="")  # video link, phone number or address
    agenda = TextField()
    recording = BooleanField(default=False)
    recording_consent = BooleanField(default=False)
    status = CharField(max_length=10, default="scheduled")
    invitation_sent_at = DateTimeField(null=True)
    sequence = IntegerField(default=0)  # ICS SEQUENCE: bumped on each change
    organiser = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")

    class Meta:
        indexes = ((("client", "starts_at"), False), (("organiser", "starts_at"), False))


    @classmethod
    def upcoming_of(cls, client, now, limit=10):
        """Scheduled meetings still to come, soonest first."""
        return cls.select().where(cls.client == client, cls.starts_at >= now, cls.status == "scheduled").order_by(
            cls.starts_at).limit(limit)

    @classmethod
    def recent_of(cls, client, now, limit=5):
        """Past or cancelled meetings, newest first."""
        return cls.select().where(cls.client == client, (cls.starts_at < now) | (cls.status != "scheduled")).order_by(
            cls.starts_at.desc()).limit(limit)

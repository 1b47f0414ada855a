"""The interaction log ("Registro de interacciones") and virtual meetings.

Every contact with a client: channel, direction, kind, summary. A confidential entry's summary is
encrypted at rest and shown only to the case team (or the client's responsible) and management, each read
logged. Questions and concerns track their response time (asked at → answered at).
"""

import secrets
from datetime import datetime

from peewee import JOIN, BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from core import crypto
from core.db import BaseModel, Prepared, off_index
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
    # On an outgoing update: when the client's next outgoing update was given (ordered by moment, then id) and how
    # many of the firm's local calendar days after this one's day (0: the same day); None while it is the last one,
    # and on every other kind. Kept by save() (link_updates) for the quality indicator "clients updated on time",
    # which then compares whole numbers instead of converting two moments to local days on every row.
    next_update_at = DateTimeField(null=True)
    next_update_days = IntegerField(null=True)

    class Meta:
        indexes = ((("client", "id"), False), (("case", "id"), False), (("client", "kind", "answered_at"), False),
                   (("kind", "direction", "occurred_at", "next_update_days", "client"), False))

    LINKED = ("client", "occurred_at", "direction", "kind")  # the fields that place an outgoing update

    @property
    def is_update(self) -> bool:
        return self.direction == "out" and self.kind == "update"

    def save(self, *args, **kwargs):
        """A new outgoing update, or a saved entry whose moment, direction or kind changed, relinks the client's
        updates (a backdated one lands between two others)."""
        if self._pk is None:
            relink = self.is_update
        else:
            relink = any(name in self._dirty for name in self.LINKED)
            if relink and not self.is_update:
                self.next_update_at = self.next_update_days = None
        result = super().save(*args, **kwargs)
        if relink:
            Interaction.link_updates(self.client_id)
        return result

    @classmethod
    def link_updates(cls, client_id: int) -> None:
        """Set ``next_update_at`` and ``next_update_days`` on the client's outgoing updates: one read of them, and
        an UPDATE only for those whose successor changed (a new last update: the one before it and itself). On
        PostgreSQL the client's row is locked first, so two updates logged at once for the same client relink one
        after the other, the second seeing the first's row."""
        from core.db import db, is_sqlite
        from core.i18n import to_local

        if not is_sqlite():
            db.execute_sql("SELECT id FROM client WHERE id = %s FOR NO KEY UPDATE", (client_id,))
        rows = list(cls.select(cls.id, cls.occurred_at, cls.next_update_at, cls.next_update_days)
                    .where(cls.client == client_id, cls.direction == "out", cls.kind == "update")
                    .order_by(cls.occurred_at, cls.id).tuples())
        for (entry_id, occurred, stored_at, stored_days), following in zip(rows, [*rows[1:], None], strict=True):
            next_at = following[1] if following else None
            days = (to_local(next_at).date() - to_local(occurred).date()).days if next_at else None
            if (stored_at, stored_days) != (next_at, days):
                cls.update(next_update_at=next_at, next_update_days=days).where(cls.id == entry_id).execute()

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
        """Newest first, with the author and the case (one query), the columns an entry shows; filters in SQL.
        Page it with core.pagination.keyset."""
        query = cls._with_author_and_case(
            # what an entry of the list shows: its dates of creation and of the next update stay in the database
            cls.id, cls.client, cls.case, cls.occurred_at, cls.channel, cls.direction, cls.kind, cls.summary,
            cls.confidential, cls.answered_at, cls.created_by)
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
    def newest(cls, limit: int, client=None, case=None) -> list:
        """The first ``limit`` entries of an unfiltered timeline, as ``timeline`` finds them: the tab as it opens, a
        statement prepared once per database (core.db.Prepared) rather than built on every view."""
        return _CASE_NEWEST(getattr(case, "id", case), limit) if case is not None else _CLIENT_NEWEST(
            getattr(client, "id", client), limit)

    @classmethod
    def _with_author_and_case(cls, *columns):
        """The entry (its ``columns``, or the whole row) with what the timeline shows of its author (User.shown)
        and of its case (code, title): the rest of those rows (password hash, seeds, the case's sealed planning)
        stays in the database."""
        return (cls.select(*(columns or (cls,)), *User.shown(), Case.id, Case.title)
                .join(User, JOIN.LEFT_OUTER, on=(cls.created_by == User.id)).switch(cls)
                .join(Case, JOIN.LEFT_OUTER, on=(cls.case == Case.id)))

    @classmethod
    def for_entry(cls, interaction_id: int):
        """One entry as the timeline shows it (author and case in the same query), or None."""
        return cls._with_author_and_case().where(cls.id == interaction_id, Client.reachable_by(cls.client)).first()

    @classmethod
    def unanswered_of(cls, client_ids):
        """Questions and concerns of these clients not answered yet, on the (client, kind, answered_at) index: the
        direction is kept off the firm-wide (kind, direction, …) index, which SQLite otherwise walks for a list
        of a few dozen clients (every unanswered question of the firm: half a second at full size)."""
        return cls.select().where(cls.client.in_(client_ids), cls.kind.in_(NEEDS_ANSWER), off_index(cls.direction) == "in",
                                  cls.answered_at.is_null())


_CLIENT_NEWEST = Prepared(lambda client_id, limit: Interaction.timeline(client=client_id).limit(limit),
                          -7_700_931, -7_700_932)
_CASE_NEWEST = Prepared(lambda case_id, limit: Interaction.timeline(case=case_id).limit(limit), -7_700_933, -7_700_934)


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
    def in_reach(cls):
        """Meetings with a client not blocked (a blocked client's are out of reach)."""
        return cls.select().where(Client.reachable_by(cls.client))

    @classmethod
    def listed_for(cls, client_id: int, now) -> list:
        """The client's interactions tab lists these: the scheduled meetings still to come, soonest first (10), then
        past or cancelled ones, newest first (5), with what the list shows of each. Prepared: the tab is opened
        all day and the two statements only change in their values."""
        return _UPCOMING_MEETINGS(client_id, now) + _RECENT_MEETINGS(client_id, now)


def _meetings_listed():
    return Meeting.select(Meeting.id, Meeting.starts_at, Meeting.status, Meeting.channel, Meeting.agenda)


_UPCOMING_MEETINGS = Prepared(lambda client_id, now: _meetings_listed().where(
    Meeting.client == client_id, Meeting.starts_at >= now, Meeting.status == "scheduled").order_by(Meeting.starts_at)
    .limit(10), -7_700_908, datetime(1900, 1, 2, 3, 4, 8))
_RECENT_MEETINGS = Prepared(lambda client_id, now: _meetings_listed().where(
    Meeting.client == client_id, (Meeting.starts_at < now) | (Meeting.status != "scheduled"))
    .order_by(Meeting.starts_at.desc()).limit(5), -7_700_909, datetime(1900, 1, 2, 3, 4, 9))

"""The outbox: mail is written in the same transaction as the change and delivered after commit."""

import uuid
from datetime import timedelta

from peewee import BooleanField, CharField, DateTimeField, IntegerField, TextField

from core.db import BaseModel, utcnow

# A claim is a lease: a message marked "sending" whose sender died (killed mid-DATA, host lost) is offered
# again once its claim is older than this. Longer than any SMTP conversation (timeout 10 s per step).
CLAIM_LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 5


class OutboundEmail(BaseModel):
    message_id = CharField(max_length=36, unique=True, default=lambda: str(uuid.uuid4()))
    to_addr = CharField(max_length=254)
    subject = CharField(max_length=200)
    # Bodies can carry single-use links: encrypted at rest and cleared once delivered.
    body = TextField(default="")
    status = CharField(max_length=10, default="pending", index=True)
    attempts = IntegerField(default=0)
    last_error = CharField(max_length=300, default="")
    sent_at = DateTimeField(null=True)
    # A newsletter's message: sent after the transactional mail, at most TRAZA_NEWSLETTER_RATE a minute.
    bulk = BooleanField(default=False)

    @classmethod
    def deliverable(cls, limit=50, now=None):
        """Queued messages, and those whose claim expired (``updated_at`` is the claim time)."""
        stale = (now or utcnow()) - CLAIM_LEASE
        waiting = (cls.status == "pending") | ((cls.status == "sending") & (cls.updated_at < stale))
        return cls.select().where(waiting, cls.attempts < MAX_ATTEMPTS).order_by(cls.id).limit(limit)

    @classmethod
    def next_round(cls, limit=50, bulk_rate=None, now=None) -> list:
        """What one round of the mail worker sends: the transactional mail first (activation links, reminders), then
        newsletter messages up to what ``bulk_rate`` (a minute) leaves over the last minute; two queries, three with
        a rate. ``bulk_rate`` None: no limit."""
        now = now or utcnow()
        urgent = list(cls.deliverable(limit, now).where(cls.bulk == False))  # noqa: E712
        room = limit - len(urgent)
        if bulk_rate is not None:
            room = min(room, bulk_rate - cls.bulk_sent_since(now - timedelta(minutes=1)))
        if room <= 0:
            return urgent
        return urgent + list(cls.deliverable(room, now).where(cls.bulk == True))  # noqa: E712

    @classmethod
    def bulk_sent_since(cls, moment) -> int:
        """Newsletter messages sent or being sent since ``moment`` (``updated_at`` is when each was claimed)."""
        return cls.select().where(cls.bulk == True, cls.status.in_(("sending", "sent")),  # noqa: E712
                                  cls.updated_at >= moment).count()

    @classmethod
    def claim(cls, message, now=None):
        """Take ``message`` for sending; False when another sender holds a live claim on it."""
        now = now or utcnow()
        free = (cls.status == "pending") | ((cls.status == "sending") & (cls.updated_at < now - CLAIM_LEASE))
        return cls.update(status="sending", updated_at=now).where(cls.id == message.id, free).execute() == 1

    @classmethod
    def oldest_waiting(cls):
        """When the oldest message still to send was queued (None when the outbox is empty)."""
        return (cls.select(cls.created_at).where(cls.status.in_(("pending", "sending")), cls.attempts < MAX_ATTEMPTS)
                .order_by(cls.created_at).limit(1).scalar())

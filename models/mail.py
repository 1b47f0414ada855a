"""The outbox: mail is written in the same transaction as the change and delivered after commit."""

import uuid

from peewee import CharField, DateTimeField, IntegerField, TextField

from core.db import BaseModel


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

    @classmethod
    def pending(cls, limit=50):
        return cls.select().where(cls.status == "pending", cls.attempts < 5).order_by(cls.id).limit(limit)

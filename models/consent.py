"""Data-protection consent: the privacy notice shown (versioned, hashed) and consent records.

Consent is append-only (a trigger refuses UPDATE and DELETE): giving and withdrawing are separate rows,
and the latest row per purpose is the state (SECURITY.md PR1–PR3; Ley 1581, GDPR art. 7).
"""

import hashlib

from peewee import BooleanField, CharField, DateField, ForeignKeyField, TextField, fn

from core.db import BaseModel, Prepared
from models.clients import Client
from models.files import StoredFile
from models.users import User

PURPOSES = ("service", "surveys", "newsletter", "sensitive_data")
METHODS = ("written", "oral", "electronic")


class PrivacyNotice(BaseModel):
    version = CharField(max_length=20, unique=True)
    text = TextField()
    sha256 = CharField(max_length=64)
    created_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")

    @staticmethod
    def digest(text: str) -> str:
        return hashlib.sha256(text.encode()).hexdigest()

    @classmethod
    def current(cls):
        return cls.select().order_by(cls.id.desc()).first()

    @classmethod
    def publish(cls, text: str, user) -> "PrivacyNotice":
        latest = cls.current()
        number = (int(latest.version.split(".")[0]) + 1) if latest else 1
        return cls.create(version=f"{number}.0", text=text, sha256=cls.digest(text), created_by=user)


class Consent(BaseModel):
    client = ForeignKeyField(Client, backref="consents", on_delete="RESTRICT")
    purpose = CharField(max_length=16)
    granted = BooleanField()  # False: a withdrawal
    method = CharField(max_length=12)
    given_on = DateField()
    notice = ForeignKeyField(PrivacyNotice, backref="consents", on_delete="RESTRICT")
    notice_sha256 = CharField(max_length=64)  # the exact text shown, even if the notice row changed
    collected_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    notes = CharField(max_length=500, default="")
    evidence = ForeignKeyField(StoredFile, null=True, backref="+", on_delete="RESTRICT")  # e.g. the signed form

    class Meta:
        # ("purpose", "client", "id"): each client's latest record of one purpose among that purpose's records only
        # (the newsletter's subscribers, models.loyalty.subscribers; migration 0037).
        indexes = ((("client", "purpose", "id"), False), (("purpose", "client", "id"), False))

    @classmethod
    def state(cls, client) -> dict[str, "Consent"]:
        """The latest record per purpose (given or withdrawn); one query."""
        latest = (cls.select(cls.purpose, fn.MAX(cls.id).alias("last_id")).where(cls.client == client)
                  .group_by(cls.purpose))
        ids = [row.last_id for row in latest]
        rows = cls.select(cls, PrivacyNotice, *User.shown()).join(PrivacyNotice).switch(cls).join(
            User, join_type="LEFT OUTER JOIN", on=(cls.collected_by == User.id)).where(cls.id.in_(ids)) if ids else []
        return {r.purpose: r for r in rows}

    @classmethod
    def has(cls, client, purpose: str) -> bool:
        rows = _LAST_ANSWER(getattr(client, "id", client), purpose)
        return bool(rows and rows[0].granted)

    @classmethod
    def history(cls, client):
        return (cls.select(cls, PrivacyNotice, *User.shown()).join(PrivacyNotice).switch(cls)
                .join(User, join_type="LEFT OUTER JOIN", on=(cls.collected_by == User.id))
                .where(cls.client == client).order_by(cls.id.desc()))


# The client page, its intake tab and each survey or newsletter sending ask it: built once per database.
_LAST_ANSWER = Prepared(lambda client_id, purpose: Consent.select(Consent.granted)
                        .where(Consent.client == client_id, Consent.purpose == purpose)
                        .order_by(Consent.id.desc()).limit(1), -7_700_902, "\x00purpose")

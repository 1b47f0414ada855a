"""Key check values: a known text sealed with each key, so the app can tell whether its keys open this data."""

from peewee import CharField, TextField

from core.db import BaseModel


class KeyCheck(BaseModel):
    purpose = CharField(max_length=20, unique=True)  # field, totp, audit, blind_index
    value = TextField()

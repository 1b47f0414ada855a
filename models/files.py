"""Stored files: encrypted on disk outside static/, under random names; the database keeps the metadata."""

from peewee import BigIntegerField, CharField, ForeignKeyField

from core.db import BaseModel
from models.users import User


class StoredFile(BaseModel):
    storage_name = CharField(max_length=64, unique=True)  # random, server-generated
    original_name = CharField(max_length=200)  # sanitised, shown and used for downloads only
    content_type = CharField(max_length=80)
    size = BigIntegerField()
    sha256 = CharField(max_length=64)  # of the plain content
    purpose = CharField(max_length=40)  # e.g. "verification", "consent", "contract"
    uploaded_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")

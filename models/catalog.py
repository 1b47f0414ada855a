"""Catalogs the administrator maintains: practice areas (the firm's specialties)."""

from peewee import BooleanField, CharField, TextField

from core.db import BaseModel


class PracticeArea(BaseModel):
    name = CharField(max_length=120, unique=True)
    description = TextField(default="")
    is_active = BooleanField(default=True)

    @classmethod
    def active(cls):
        return cls.select().where(cls.is_active == True).order_by(cls.name)  # noqa: E712

    @classmethod
    def all_ordered(cls):
        return cls.select().order_by(cls.is_active.desc(), cls.name)

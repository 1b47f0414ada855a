"""Targets of the quality indicators (PRO 008 §7): per indicator its value to reach, whether higher or lower is
better, the person who answers for it, who set it and on which day. One current row per indicator."""

from peewee import CharField, DateField, FloatField, ForeignKeyField

from core.db import BaseModel
from models.users import User

DIRECTIONS = ("up", "down")  # "up": the value should be at least the target; "down": at most


class QualityTarget(BaseModel):
    indicator = CharField(max_length=16, unique=True)
    target = FloatField()
    direction = CharField(max_length=4, default="up")
    owner = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    set_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    set_on = DateField()

    @classmethod
    def by_indicator(cls) -> dict:
        """{indicator key: target} with each owner's name (one query)."""
        owner = User.alias()
        return {t.indicator: t for t in cls.select(cls, *User.shown(owner)).join(owner, on=(cls.owner == owner.id))}

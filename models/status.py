"""The status history shared by clients and cases: one row per move, from and to which status, why, by whom.

``StatusChange`` is a base, not a table: each subclass adds the foreign key to its own record, names it in
``SUBJECT`` and is its own table (``client_status_change``, ``case_status_change``, migrations 0002 and 0006).
"""

from peewee import JOIN, CharField, ForeignKeyField, TextField

from core.db import BaseModel, Prepared
from models.users import User


class StatusChange(BaseModel):
    SUBJECT = ""  # the subclass's foreign key to the record whose status moved

    from_status = CharField(max_length=12)
    to_status = CharField(max_length=12)
    reason = TextField(default="")
    by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")

    @classmethod
    def history(cls, subject) -> list:
        """The moves of one record, newest first, with the person who made each (one query, prepared once per kind of
        record and database: the client's intake tab and the case summary read it on every view)."""
        prepared = _HISTORIES.get(cls)
        if prepared is None:
            prepared = _HISTORIES[cls] = Prepared(lambda subject_id: (
                cls.select(cls, *User.shown()).join(User, JOIN.LEFT_OUTER, on=(cls.by == User.id))
                .where(getattr(cls, cls.SUBJECT) == subject_id).order_by(cls.id.desc())), -7_700_951)
        return prepared(getattr(subject, "id", subject))


_HISTORIES: dict[type, Prepared] = {}

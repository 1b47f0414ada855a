"""Follow-up tasks: what someone has to do by a date for a client or case (an interaction's follow-up,
the post-case follow-up, later the crisis protocol's "Seguimiento posterior"). The work queue lists them."""

from peewee import JOIN, CharField, DateField, DateTimeField, ForeignKeyField, TextField

from core.db import BaseModel
from models.cases import Case
from models.clients import Client
from models.interactions import Interaction
from models.users import User

KINDS = ("follow_up", "post_case", "crisis", "complaint", "other")


class Task(BaseModel):
    kind = CharField(max_length=12, default="follow_up")
    title = CharField(max_length=300)
    due_on = DateField()
    owner = ForeignKeyField(User, backref="tasks", on_delete="RESTRICT")
    client = ForeignKeyField(Client, null=True, backref="tasks", on_delete="CASCADE")
    case = ForeignKeyField(Case, null=True, backref="tasks", on_delete="CASCADE")
    interaction = ForeignKeyField(Interaction, null=True, backref="tasks", on_delete="CASCADE")
    done_at = DateTimeField(null=True)
    done_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    note = TextField(default="")
    outcome = CharField(max_length=12, default="")  # a post-case contact: contacted | new_need | no_answer
    created_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")

    class Meta:
        indexes = ((("owner", "done_at", "due_on"), False), (("case", "done_at"), False))

    @classmethod
    def mine(cls, task_id: int, user_id: int):
        """One of this person's tasks, or None (someone else's, or a blocked client's or case's: out of reach)."""
        return cls.select().where(cls.id == task_id, cls.owner == user_id, Client.reachable_by(cls.client),
                                  Case.reachable_by(cls.case)).first()

    @classmethod
    def open_for(cls, user_id: int, limit: int = 100):
        return (cls.select(cls, Client).join(Client, JOIN.LEFT_OUTER, on=(cls.client == Client.id))
                .where(cls.owner == user_id, cls.done_at.is_null(), Client.reachable_by(cls.client),
                       Case.reachable_by(cls.case)).order_by(cls.due_on, cls.id).limit(limit))

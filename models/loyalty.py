"""Renewals (PRO 008 §5.5.3): the decision recorded on a contract that will not be renewed. A renewal itself is
no row here: it is the contract that names the old one in ``Contract.renews`` (what the retention indicator
counts), so a decision and a renewal never disagree."""

from peewee import CharField, DateTimeField, ForeignKeyField, TextField

from core.db import BaseModel
from models.commercial import Contract
from models.users import User

OUTCOMES = ("not_renewed", "lost")


class RenewalDecision(BaseModel):
    contract = ForeignKeyField(Contract, unique=True, backref="+", on_delete="CASCADE")
    outcome = CharField(max_length=12)
    reason = TextField(default="")
    decided_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    decided_at = DateTimeField()

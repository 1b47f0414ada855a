"""Quality management (ISO 9001 §9–§10): improvement actions.

An improvement action ("Acción de mejora", ISO 9001 §10.2) is opened by hand or from a source — a
complaint's root cause, a survey criterion under target, an indicator off target, a management review
finding — and carries the cause analysis, the immediate correction, the corrective and preventive actions,
an owner and a due date. It moves ``open → in_progress → verifying → closed`` (or ``cancelled`` with a
reason from any open state) and closes only with its effectiveness check: what shows it worked, the day it
was verified and who verified it.
"""

from peewee import JOIN, CharField, DateField, DateTimeField, ForeignKeyField, TextField, fn
from peewee import Case as SqlCase

from core.db import BaseModel
from models.complaints import Complaint
from models.users import User

ACTION_SOURCES = ("manual", "complaint", "survey", "indicator", "review")
ACTION_STATES = ("open", "in_progress", "verifying", "closed", "cancelled")
ACTION_OPEN_STATES = ("open", "in_progress", "verifying")


class ImprovementAction(BaseModel):
    title = CharField(max_length=200)
    source = CharField(max_length=10, default="manual")
    complaint = ForeignKeyField(Complaint, null=True, backref="improvement_actions", on_delete="SET NULL")
    source_ref = CharField(max_length=200, default="")  # the criterion, indicator or finding it comes from
    description = TextField()  # the problem or nonconformity
    cause_analysis = TextField(default="")
    correction = TextField(default="")  # immediate correction
    corrective_action = TextField(default="")
    preventive_action = TextField(default="")
    owner = ForeignKeyField(User, backref="improvement_actions", on_delete="RESTRICT")
    due_on = DateField()  # the firm's local day
    status = CharField(max_length=11, default="open")
    effectiveness_check = TextField(default="")  # the figure or evidence that shows it worked
    verified_on = DateField(null=True)
    verified_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    closed_at = DateTimeField(null=True)
    cancel_reason = TextField(default="")
    created_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")

    class Meta:
        table_name = "improvement_action"
        indexes = ((("status", "due_on"), False), (("owner", "status", "due_on"), False))

    @property
    def code(self) -> str:
        return f"AM-{self.id:05d}"

    @property
    def is_open(self) -> bool:
        return self.status in ACTION_OPEN_STATES

    def overdue(self, today) -> bool:
        return self.is_open and self.due_on < today

    # ----- queries -----

    @classmethod
    def for_page(cls, action_id: int, user, manage: bool):
        """The action with its owner and complaint (one query), or None when it is out of the person's scope."""
        query = (cls.select(cls, User, Complaint).join(User, on=(cls.owner == User.id)).switch(cls)
                 .join(Complaint, JOIN.LEFT_OUTER, on=(cls.complaint == Complaint.id))
                 .where(cls.id == action_id))
        return (query if manage else query.where(cls.owner == user.id)).first()

    @classmethod
    def register(cls, user, manage: bool, today, status: str = "open", owner: int | None = None,
                 source: str = "", limit: int = 200):
        """The list page: filtered by status ("open" for every open state, "" for all), owner and source;
        overdue ones first, then the soonest due."""
        query = (cls.select(cls, User).join(User, on=(cls.owner == User.id)))
        if not manage:
            query = query.where(cls.owner == user.id)
        if status == "open":
            query = query.where(cls.status.in_(ACTION_OPEN_STATES))
        elif status:
            query = query.where(cls.status == status)
        if owner:
            query = query.where(cls.owner == owner)
        if source:
            query = query.where(cls.source == source)
        late = SqlCase(None, [((cls.status.in_(ACTION_OPEN_STATES)) & (cls.due_on < today), 0)], 1)
        return query.order_by(late, cls.due_on, cls.id).limit(limit)

    @classmethod
    def open_of_owner(cls, user_id: int):
        """The work queue: this person's open actions, the soonest due first."""
        return (cls.select().where(cls.owner == user_id, cls.status.in_(ACTION_OPEN_STATES))
                .order_by(cls.due_on, cls.id))

    @classmethod
    def overdue_count(cls, today) -> int:
        return (cls.select(fn.COUNT(cls.id)).where(cls.status.in_(ACTION_OPEN_STATES), cls.due_on < today)
                .scalar() or 0)

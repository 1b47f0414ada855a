"""The management review ("Revisión por la dirección", ISO 9001 §9.3; PRO 008 §3: Gerencia General "revisar los
resultados de su aplicación").

A review covers a period (local days). While it is a draft its inputs — the indicators against their targets,
the survey results and comments, the complaint trends, the state of the improvement actions, the access
review — compile themselves from live data each time it is read (services/quality/reviews.py); the procedure
changes, conclusions, opportunities for improvement, resource needs and decisions are written by whoever
prepares it. Approving it (management only) stores the compiled figures as a JSON ``snapshot`` in the row:
from then on the review shows the snapshot only, and the row never changes again (a database trigger refuses
any update of an approved review, migration 0018).
"""

import json
import secrets

from peewee import (
    JOIN,
    BigIntegerField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    Model,
    TextField,
    fn,
)

from core.db import BaseModel, Prepared, db
from models.users import User

REVIEW_STATES = ("draft", "approved")
TEXT_FIELDS = ("procedure_changes", "conclusions", "opportunities", "resource_needs", "decisions")


class ManagementReview(BaseModel):
    period_start = DateField()  # local day, inclusive
    period_end = DateField()  # local day, inclusive
    status = CharField(max_length=10, default="draft")
    procedure_changes = TextField(default="")  # no procedures register yet: written by the reviewer
    conclusions = TextField(default="")
    opportunities = TextField(default="")  # opportunities for improvement
    resource_needs = TextField(default="")
    decisions = TextField(default="")
    snapshot = TextField(null=True)  # the compiled inputs as they were on approval (JSON)
    approved_at = DateTimeField(null=True)
    approved_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    created_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")

    class Meta:
        table_name = "management_review"
        indexes = ((("status", "period_end"), False),)

    @property
    def code(self) -> str:
        return f"RD-{self.id:05d}"

    @property
    def is_approved(self) -> bool:
        return self.status == "approved"

    @property
    def frozen_inputs(self) -> dict | None:
        return json.loads(self.snapshot) if self.snapshot else None

    # ----- queries -----

    @classmethod
    def for_page(cls, review_id: int):
        """The review with who approved it (one prepared query), or None."""
        found = _FOR_PAGE(review_id)
        return found[0] if found else None

    @classmethod
    def register(cls, limit: int = 200):
        """The list page: the latest periods first, without the snapshot (it can be large)."""
        columns = [f for name, f in cls._meta.fields.items() if name != "snapshot"]
        return cls.select(*columns).order_by(cls.period_end.desc(), cls.id.desc()).limit(limit)

    @classmethod
    def last_approved_end(cls):
        """The end of the latest period an approved review covers, or None (one query)."""
        return cls.select(fn.MAX(cls.period_end)).where(cls.status == "approved").scalar()


def _for_page(review_id):
    approver = User.alias()
    return (ManagementReview.select(ManagementReview, approver)
            .join(approver, JOIN.LEFT_OUTER, on=(ManagementReview.approved_by == approver.id))
            .where(ManagementReview.id == review_id).limit(1))


# The review page's lookup: peewee writes its 35 columns once per database, not on every view.
_FOR_PAGE = Prepared(_for_page, -7_700_921)

VERSION_ID = 1


class ReviewInputVersion(Model):
    """One row whose value changes with every write to the survey and complaint tables a draft review reads
    (migration 0040's triggers): a draft's figures of those tables are kept for as long as it stays the same."""

    version = BigIntegerField()

    class Meta:
        database = db
        table_name = "review_input_version"

    @classmethod
    def current(cls) -> int:
        """The value now (one query). A missing row (a test that emptied the table) is put back with a new random
        value, never one that stood for other rows."""
        value = cls.select(cls.version).where(cls.id == VERSION_ID).scalar()
        if value is None:
            cls.insert(id=VERSION_ID, version=secrets.randbits(53)).on_conflict_ignore().execute()
            value = cls.select(cls.version).where(cls.id == VERSION_ID).scalar()
        return int(value)

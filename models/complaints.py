"""Complaints, claims, requests and suggestions ("Registro de Quejas y Solicitudes", PRO-008 §5.4 and §6)
and crisis incidents (the protocol for a client out of control).

A complaint has a response and a resolution due date computed from an SLA in business days per kind and
severity, an owner, and moves ``received → analysis → resolution → resolved → closed`` (reopen goes back to
analysis). Closing needs the client informed of the actions taken.

A crisis incident records the eight steps of ``protocolo-cliente-en-crisis.txt`` as they are done; its
descriptions are confidential (encrypted, shown to service, quality and management, each read logged).
"""

import operator
from functools import reduce

from peewee import (
    JOIN,
    SQL,
    BooleanField,
    Cast,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    SmallIntegerField,
    TextField,
    Value,
    fn,
)
from peewee import Case as SqlCase

from core.crypto import SealedFields
from core.db import BaseModel, Prepared
from models.cases import Case
from models.catalog import PracticeArea
from models.clients import Client
from models.users import User

KINDS = ("complaint", "claim", "request", "query", "suggestion", "compliment")
# A compliment owes the client nothing: no answer or resolution due, so no SLA, no breach and no escalation.
# Every other kind asks something of the firm (PRO-008 §5.4 "Solución de Incidencias", the manual's "registrar
# las quejas y sugerencias, asignar responsables, informar a los clientes sobre acciones tomadas").
NO_SLA_KINDS = ("compliment",)
SLA_KINDS = tuple(k for k in KINDS if k not in NO_SLA_KINDS)
SEVERITIES = ("low", "medium", "high")
CHANNELS = ("email", "phone", "in_person", "web", "letter", "survey", "messaging")
STATES = ("received", "analysis", "resolution", "resolved", "closed")
OPEN_STATES = ("received", "analysis", "resolution")
SOURCES = ("manual", "survey", "crisis")
AGREEMENT = ("", "agreed", "disagreed", "no_answer")
ALERT_NONE, ALERT_NEAR, ALERT_BREACH = 0, 1, 2

CRISIS_STEPS = (1, 2, 3, 4, 5, 6, 7, 8)
CRISIS_ACTIONS = ("solution", "apology", "safety", "pause")
CRISIS_STATES = ("open", "closed")


class ComplaintCategory(BaseModel):
    name = CharField(max_length=120, unique=True)
    is_active = BooleanField(default=True)

    @classmethod
    def catalog(cls, active_only: bool = False):
        query = cls.select().order_by(cls.name)
        return query.where(cls.is_active == True) if active_only else query  # noqa: E712


class SlaRule(BaseModel):
    """Business days to answer and to resolve, per kind and severity; a missing rule uses the defaults
    of ``services.complaints``."""

    kind = CharField(max_length=10)
    severity = CharField(max_length=6)
    response_days = SmallIntegerField(default=1)
    resolution_days = SmallIntegerField(default=5)

    class Meta:
        indexes = ((("kind", "severity"), True),)

    @classmethod
    def matrix(cls) -> dict:
        """{(kind, severity): rule} for the configuration page (one query)."""
        return {(r.kind, r.severity): r for r in cls.select()}


class Complaint(BaseModel):
    number = CharField(max_length=20, unique=True)  # "Q-2026-00042", what the client is told
    kind = CharField(max_length=10, default="complaint")
    client = ForeignKeyField(Client, null=True, backref="complaints", on_delete="SET NULL")
    walk_in_name = CharField(max_length=200, default="")  # a person who is not a client (or gave no name)
    walk_in_contact = CharField(max_length=200, default="")
    case = ForeignKeyField(Case, null=True, backref="complaints", on_delete="SET NULL")
    practice_area = ForeignKeyField(PracticeArea, null=True, backref="+", on_delete="SET NULL")
    channel = CharField(max_length=10, default="email")
    source = CharField(max_length=7, default="manual")
    survey_response = IntegerField(null=True)  # SurveyResponse id when a low score opened it
    description = TextField()
    category = ForeignKeyField(ComplaintCategory, null=True, backref="complaints", on_delete="SET NULL")
    severity = CharField(max_length=6, default="medium")
    received_at = DateTimeField()  # UTC
    owner = ForeignKeyField(User, backref="complaints", on_delete="RESTRICT")
    response_due_at = DateTimeField(null=True)  # UTC, end of the last business day allowed; None: no SLA
    due_at = DateTimeField(null=True)  # resolution due, UTC; None for a kind without SLA (a compliment)
    first_response_at = DateTimeField(null=True)
    status = CharField(max_length=10, default="received")
    resolved_at = DateTimeField(null=True)
    closed_at = DateTimeField(null=True)
    root_cause = TextField(default="")
    actions_taken = TextField(default="")
    informed_at = DateTimeField(null=True)  # when the client was told of the actions
    informed_channel = CharField(max_length=10, default="")
    client_agreement = CharField(max_length=9, default="")
    reopened = SmallIntegerField(default=0)
    alert_level = SmallIntegerField(default=ALERT_NONE)  # escalation already sent (near breach, breach)
    created_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")

    class Meta:
        indexes = ((("status", "due_at"), False), (("owner", "status", "due_at"), False), (("client", "id"), False),
                   (("received_at", "client"), False), (("category", "received_at"), False))

    # ----- the SLA -----

    @property
    def current_due_at(self):
        """The due date that matters now: the response while it is still "received", then the resolution (None
        for a kind without SLA)."""
        return self.response_due_at if self.status == "received" else self.due_at

    @property
    def who(self) -> str:
        """The client's name, or the walk-in person's (empty for an anonymous one)."""
        return self.client.name if self.client_id else self.walk_in_name

    @classmethod
    def current_due(cls):
        """``current_due_at`` in SQL, to order by."""
        return SqlCase(None, [(cls.status == "received", cls.response_due_at)], cls.due_at)

    @classmethod
    def due_before(cls, moment):
        """Open and its current due date before ``moment`` (SQL)."""
        return cls.status.in_(OPEN_STATES) & (
            ((cls.status == "received") & (cls.response_due_at <= moment))
            | ((cls.status != "received") & (cls.due_at <= moment)))

    # ----- queries -----

    @classmethod
    def last_number(cls, prefix: str):
        return (cls.select(fn.MAX(cls.number)).where(cls.number.startswith(prefix))).scalar()

    @classmethod
    def for_page(cls, complaint_id: int):
        """The complaint with its client, owner and category (one query), or None."""
        return (cls.select(cls, Client, User, ComplaintCategory, Case)
                .join(Client, JOIN.LEFT_OUTER, on=(cls.client == Client.id)).switch(cls)
                .join(User, on=(cls.owner == User.id)).switch(cls)
                .join(ComplaintCategory, JOIN.LEFT_OUTER, on=(cls.category == ComplaintCategory.id)).switch(cls)
                .join(Case, JOIN.LEFT_OUTER, on=(cls.case == Case.id))
                .where(cls.id == complaint_id, Client.reachable()).first())

    @classmethod
    def _filter(cls, query, status="", kind="", owner=None, category=None, overdue=False, q="", now=None, clients=None):
        query = query.where(Client.reachable_by(cls.client))  # a blocked client's complaints are out of reach
        if status == "open":
            query = query.where(cls.status.in_(OPEN_STATES))
        elif status in STATES:
            query = query.where(cls.status == status)
        if kind in KINDS:
            query = query.where(cls.kind == kind)
        if owner:
            query = query.where(cls.owner == owner)
        if category:
            query = query.where(cls.category == category)
        if overdue and now is not None:
            query = query.where(cls.due_before(now))
        q = (q or "").strip()
        if q:
            matching = clients if clients is not None else Client._search(Client.select(Client.id), q)
            query = query.where(cls.client.in_(matching) | (cls.number == q.upper())
                                | cls.walk_in_name.contains(q[:100]))
        return query

    @classmethod
    def _joined(cls):
        return (cls.select(cls, Client, *User.shown(), ComplaintCategory)
                .join(Client, JOIN.LEFT_OUTER, on=(cls.client == Client.id)).switch(cls)
                .join(User, on=(cls.owner == User.id)).switch(cls)
                .join(ComplaintCategory, JOIN.LEFT_OUTER, on=(cls.category == ComplaintCategory.id)))

    @classmethod
    def register_rows(cls, **filters):
        """The register's rows matching its filters (``q``: a client's name or whole document number, the exact
        number, a walk-in name), with client, owner and category; unordered. ``status=""``: every state;
        ``clients``: the ids the client list's search finds for ``q``, when the caller has them already."""
        return cls._filter(cls._joined(), **filters)

    @classmethod
    def register_counts(cls, **filters) -> tuple[int, int]:
        """(all, open) matching the register's filters: one query, no joins. The register unfiltered (every state,
        or the open ones) counts from the indexes: all the complaints and the open ones, less those of blocked
        clients (a few); counting "not blocked" directly read all 20,000 complaints at full size (11 ms)."""
        if filters.get("status", "") in ("", "open") and not any(
                filters.get(key) for key in ("kind", "owner", "category", "overdue", "q", "clients")):
            open_count = Client.count_reachable(cls.select(cls.id).where(cls.status.in_(OPEN_STATES)), cls.client)
            if filters.get("status", "") == "open":
                return open_count, open_count
            return Client.count_reachable(cls.select(cls.id), cls.client), open_count
        row = cls._filter(cls.select(fn.COUNT(cls.id).alias("n"), fn.SUM(
            SqlCase(None, [(cls.status.in_(OPEN_STATES), 1)], 0)).alias("open")), **filters).dicts().get()
        return int(row["n"] or 0), int(row["open"] or 0)

    @classmethod
    def register_page(cls, offset: int, size: int, open_count: int, **filters) -> list:
        """One page of the register, with client, owner and category: the open ones first, by the due date that
        matters now (so the breached lead; those without SLA come after them), then the handled ones, newest
        received first. Two queries, each on its own part's index (the open ones are few; the handled ones walk
        ``received_at``), so the register is never sorted whole. ``open_count`` from ``register_counts``."""
        first = max(0, min(size, open_count - offset))
        due = cls.current_due()
        open_rows = (cls._filter(cls._joined(), **filters).where(cls.status.in_(OPEN_STATES))
                     .order_by(due.is_null(), due, cls.received_at.desc(), cls.id.desc())
                     .offset(min(offset, open_count)).limit(first))
        handled = (cls._filter(cls._joined(), **filters).where(cls.status.not_in(OPEN_STATES))
                   .order_by(cls.received_at.desc(), cls.id.desc())
                   .offset(max(0, offset - open_count)).limit(size - first))
        return list(open_rows) + list(handled)

    @classmethod
    def of_client(cls, client, limit: int = 50):
        return (cls.select(cls, User).join(User, on=(cls.owner == User.id))
                .where(cls.client == client, Client.reachable_by(cls.client)).order_by(cls.id.desc()).limit(limit))

    @classmethod
    def open_of_owner(cls, user_id: int):
        """The work queue: this person's open complaints, the soonest current due date first, with their client."""
        return (cls.select(cls, Client).join(Client, JOIN.LEFT_OUTER, on=(cls.client == Client.id))
                .where(cls.owner == user_id, cls.status.in_(OPEN_STATES), Client.reachable_by(cls.client))
                .order_by(cls.current_due().is_null(), cls.current_due(), cls.id))  # no SLA (None) last

    @classmethod
    def escalation_candidates(cls, now, horizon):
        """Open complaints whose current due date is within the near-breach horizon and that have not had
        the alert they are due (near: level 0; breached: below level 2), with their client."""
        return (cls.select(cls, Client).join(Client, JOIN.LEFT_OUTER, on=(cls.client == Client.id))
                .where(cls.due_before(horizon), cls.alert_level < ALERT_BREACH, Client.reachable(),
                       (cls.alert_level == ALERT_NONE) | cls.due_before(now))
                .order_by(cls.due_at, cls.id))

    # ----- trends (aggregated in SQL; the period is on received_at) -----

    @classmethod
    def _in(cls, start, end):
        return (cls.received_at >= start) & (cls.received_at < end)

    @classmethod
    def _hours(cls):
        """Calendar hours from received to resolved, in the database's own date arithmetic."""
        from core.db import is_sqlite

        if is_sqlite():
            return (fn.julianday(cls.resolved_at) - fn.julianday(cls.received_at)) * 24.0
        return fn.date_part("epoch", cls.resolved_at - cls.received_at) / 3600.0

    @classmethod
    def period_summary(cls, start, end) -> dict:
        """The complaints received in the period: how many, resolved, resolved by their due date (and had one), still
        open, and the sum of the resolved ones' hours; one pass over the period's rows."""
        resolved = cls.resolved_at.is_null(False)
        return cls.select(
            fn.COUNT(cls.id).alias("total"), fn.COUNT(cls.resolved_at).alias("resolved"),
            fn.SUM(SqlCase(None, [(resolved & (cls.resolved_at <= cls.due_at), 1)], 0)).alias("within"),
            fn.SUM(SqlCase(None, [(resolved & cls.due_at.is_null(False), 1)], 0)).alias("resolved_sla"),
            fn.SUM(SqlCase(None, [(cls.status.in_(OPEN_STATES), 1)], 0)).alias("open"),
            fn.SUM(SqlCase(None, [(resolved, cls._hours())], None)).alias("hours"),
        ).where(cls._in(start, end)).dicts().get()

    SHARES = ("category", "channel", "area", "kind")

    @classmethod
    def shares(cls, start, end, dimensions=SHARES) -> dict[str, list[tuple]]:
        """How many complaints received in the period have each category, channel, practice area and kind (or only
        the ``dimensions`` named): {"category": [(id or None, count)], …}. One query, a GROUP BY per dimension
        joined by UNION ALL, each dimension in its own column. One GROUP BY over the four together made a group of
        nearly every complaint at full size (1,400 groups of 3,000 complaints in a quarter), which SQLite sorted
        three times slower."""
        every = dict(zip(cls.SHARES, (cls.category, cls.channel, cls.practice_area, cls.kind), strict=True))
        columns = [every[name] for name in dimensions]
        # Another dimension's column is a NULL of that column's type (PostgreSQL types a bare NULL as text).
        empty = {c: Cast(SQL("NULL"), "INTEGER" if isinstance(c, ForeignKeyField) else "TEXT") for c in columns}
        parts = [cls.select(Value(i), *(c if c is column else empty[c] for c in columns), fn.COUNT(cls.id))
                 .where(cls._in(start, end)).group_by(column) for i, column in enumerate(columns)]
        out: dict[str, list[tuple]] = {name: [] for name in dimensions}
        for row in reduce(operator.add, parts).tuples():  # + is UNION ALL
            out[dimensions[row[0]]].append((row[1 + row[0]], row[-1]))
        return out

    @classmethod
    def resolution_percentile(cls, start, end, resolved: int, share: float):
        """Nearest-rank percentile of the resolution time in hours: the database sorts, one value comes back."""
        if not resolved:
            return None
        import math

        rank = max(1, math.ceil(share * resolved))
        value = (cls.select(cls._hours().alias("h")).where(cls._in(start, end), cls.resolved_at.is_null(False))
                 .order_by(cls._hours()).limit(1).offset(rank - 1).scalar())
        return float(value) if value is not None else None

    @classmethod
    def _range_of(cls, bounds, lo: int, hi: int):
        """SQL for the index i (lo ≤ i < hi) of the range [bounds[i], bounds[i+1]) holding ``received_at``, as
        nested CASEs that halve the ranges: about log2(n) comparisons per row instead of one per range."""
        if hi - lo == 1:
            return Value(lo)
        mid = (lo + hi) // 2
        return SqlCase(None, [(cls.received_at < bounds[mid], cls._range_of(bounds, lo, mid))],
                       cls._range_of(bounds, mid, hi))

    @classmethod
    def counts_by_ranges(cls, bounds) -> list[int]:
        """Complaints received in each [bounds[i], bounds[i+1]) (one query grouped by range, a row per range
        with any). The bounds are UTC moments; for the trends they are the local month starts, computed with
        the firm's time zone in Python (``core.i18n.to_utc``), so the buckets are local months even across a
        daylight-saving change and the database needs no time-zone knowledge."""
        counts = [0] * (len(bounds) - 1)
        if not counts:
            return counts
        rows = (cls.select(cls._range_of(bounds, 0, len(counts)).alias("r"), fn.COUNT(cls.id))
                .where(cls._in(bounds[0], bounds[-1])).group_by(SQL("1")).tuples())  # GROUP BY 1: the CASE written once
        for index, n in rows:
            counts[int(index)] = int(n)
        return counts

    @classmethod
    def recurring_clients(cls, start, end, minimum: int = 2, limit: int = 50):
        """Clients with ``minimum`` or more complaints received in the period, most first (then by name).
        Counted per ``client`` id in a subquery; only the clients that pass join the client table."""
        n = fn.COUNT(cls.id)
        per = (cls.select(cls.client.alias("client_id"), n.alias("n"))
               .where(cls._in(start, end), cls.client.is_null(False)).group_by(cls.client).having(n >= minimum)
               .alias("per"))
        return (Client.select(Client.id, Client.name, per.c.n.alias("n")).join(per, on=(per.c.client_id == Client.id))
                .where(Client.reachable())  # a blocked client is not named
                .order_by(per.c.n.desc(), Client.name).limit(limit).dicts())


class ComplaintStatusChange(BaseModel):
    complaint = ForeignKeyField(Complaint, backref="status_changes", on_delete="CASCADE")
    from_status = CharField(max_length=10, default="")
    to_status = CharField(max_length=10)
    note = TextField(default="")
    changed_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")

    @classmethod
    def history(cls, complaint):
        return (cls.select(cls, User).join(User, JOIN.LEFT_OUTER, on=(cls.changed_by == User.id))
                .where(cls.complaint == complaint).order_by(cls.id))


class CrisisIncident(SealedFields, BaseModel):
    client = ForeignKeyField(Client, backref="crisis_incidents", on_delete="CASCADE")
    case = ForeignKeyField(Case, null=True, backref="+", on_delete="SET NULL")
    complaint = ForeignKeyField(Complaint, null=True, backref="+", on_delete="SET NULL")
    opened_by = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    occurred_at = DateTimeField()  # UTC
    channel = CharField(max_length=10, default="in_person")
    status = CharField(max_length=6, default="open")
    behaviour = TextField(default="")  # encrypted: the client's behaviour, as observed
    actions = CharField(max_length=40, default="")  # comma-separated CRISIS_ACTIONS chosen
    solution = TextField(default="")  # encrypted: the concrete solution offered (refund, change, compensation)
    security_called = BooleanField(default=False)
    supervisor = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    escalated_at = DateTimeField(null=True)
    supervisor_note = TextField(default="")  # encrypted: what the supervisor did
    supervisor_at = DateTimeField(null=True)
    outcome = TextField(default="")  # encrypted: how it ended
    closed_at = DateTimeField(null=True)
    closing_reason = TextField(default="")  # encrypted: why it closed with steps still open
    closed_open_items = TextField(default="")  # the steps and waits still open at closing, one a line
    follow_up_task = IntegerField(null=True)  # the "Seguimiento posterior" Task id

    class Meta:
        indexes = ((("client", "occurred_at"), False), (("status", "occurred_at"), False))

    SECRET_FIELDS = ("behaviour", "solution", "supervisor_note", "outcome", "closing_reason")

    @property
    def action_list(self) -> list[str]:
        return [a for a in self.actions.split(",") if a in CRISIS_ACTIONS]

    @classmethod
    def for_page(cls, incident_id: int):
        """The incident with its client (one query), or None."""
        return cls.select(cls, Client).join(Client).where(cls.id == incident_id, Client.reachable()).first()

    @classmethod
    def flag_for(cls, client_id: int):
        """The latest incident of this client still open (the client page's flag), or None."""
        rows = _OPEN_INCIDENT(client_id)
        return rows[0] if rows else None

    @classmethod
    def listing(cls, status: str = ""):
        """Newest first, with the client, who opened it and the supervisor (one query)."""
        opener, supervisor = User.alias(), User.alias()
        query = (cls.select(cls, Client, *User.shown(opener), *User.shown(supervisor)).join(Client)
                 .switch(cls).join(opener, on=(cls.opened_by == opener.id), attr="opened_by")
                 .switch(cls).join(supervisor, JOIN.LEFT_OUTER, on=(cls.supervisor == supervisor.id), attr="supervisor")
                 .where(Client.reachable()))
        if status in CRISIS_STATES:
            query = query.where(cls.status == status)
        return query.order_by(cls.occurred_at.desc(), cls.id.desc())

    @classmethod
    def awaiting_supervisor(cls, user_id: int):
        """Open incidents escalated to this person whose intervention is not recorded yet, with the client."""
        return (cls.select(cls, Client).join(Client)
                .where(cls.supervisor == user_id, cls.supervisor_at.is_null(), cls.status == "open",
                       Client.reachable_by(cls.client))
                .order_by(cls.escalated_at, cls.id))


class CrisisStep(BaseModel):
    incident = ForeignKeyField(CrisisIncident, backref="steps", on_delete="CASCADE")
    step = SmallIntegerField()  # 1–8, CRISIS_STEPS
    done_at = DateTimeField()
    done_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    note = TextField(default="")

    class Meta:
        indexes = ((("incident", "step"), True),)

    @classmethod
    def of_incident(cls, incident) -> dict:
        """{step number: CrisisStep with who ticked it} (one query)."""
        rows = cls.select(cls, User).join(User, JOIN.LEFT_OUTER, on=(cls.done_by == User.id)).where(cls.incident == incident)
        return {row.step: row for row in rows}


# Every tab of a client page asks it (the header's crisis flag): built once per database.
_OPEN_INCIDENT = Prepared(lambda client_id: CrisisIncident.select(CrisisIncident.id, CrisisIncident.status,
                                                                  CrisisIncident.occurred_at)
                          .where(CrisisIncident.client == client_id, CrisisIncident.status == "open")
                          .order_by(CrisisIncident.occurred_at.desc()).limit(1), -7_700_901)

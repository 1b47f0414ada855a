"""The client journey's figures (issue 17, "Mapear el recorrido del cliente"): for each stage of the firm's service
cycle, how many are at that stage now (all ten counts in ONE query, live), and over a period of closed days the median
time spent in it, plus a pair of counts for the stages measured as a rate (the survey's response rate, the contracts
renewed): one query a stage, kept for the day in ``journey_figure`` (a closed day does not change, so the figures are
computed once a day, by the first reader or by the job ``recorrido_del_cliente``, and read back in one query).

Each figure is a scalar subquery of a single SELECT: the database counts and sorts, one row comes back. The median
is the nearest-rank one (the lower middle value for an even count), in calendar days, in the database's own date
arithmetic (julianday on SQLite, epoch seconds on PostgreSQL). Stored moments are UTC; ``since`` and ``until`` are
the UTC moments the period starts and ends (local midnights), ``since_day`` and ``today`` are the firm's days (the
period is [since_day, today))."""

from datetime import timedelta

from peewee import SQL, CharField, DateField, DateTimeField, DoubleField, IntegerField, Model, Select, fn

from core.db import db, is_sqlite, utcnow
from models.cases import Case, CaseStatusChange
from models.clients import Client, ClientStatusChange
from models.commercial import Contract, Quotation
from models.complaints import OPEN_STATES as COMPLAINT_OPEN
from models.complaints import Complaint
from models.surveys import SurveyInvitation

SQL_ONE = SQL("1")


def days_between(later, earlier, shift: float = 0.0):
    """Calendar days from ``earlier`` to ``later`` as a real number, in SQL. Moments are UTC and days are the firm's:
    ``shift`` (in days) is added to the result, the UTC time of the firm's midnight (5/24 in Bogotá) when only
    ``later`` is a day, minus it when only ``earlier`` is."""
    if is_sqlite():
        days = fn.julianday(later) - fn.julianday(earlier)
    else:
        days = fn.date_part("epoch", later.cast("timestamp") - earlier.cast("timestamp")) / 86400.0
    return days + shift if shift else days


def _median(days, source, counted=None):
    """The nearest-rank median of ``days`` over the rows of ``source`` (a query whose FROM and WHERE are the sample)
    and the sample's size: scalar subqueries. The size is counted over the sample's index (``counted``: the same rows
    without a join that only fetches a moment, when the join drops none); the median is the row at offset
    (size - 1) / 2 in order of ``days``, so the database keeps only the lower half while it sorts (numbering every
    row, ROW_NUMBER and COUNT over the sample, took about twice as long at full size)."""
    counted = source if counted is None else counted
    size = counted.select(fn.COUNT(SQL_ONE))
    middle = counted.select((fn.COUNT(SQL_ONE) - 1) / 2)
    median = source.select(days.alias("d")).order_by(SQL("d")).limit(1).offset(middle)
    return median, size


def _period_row(days=None, source=None, counted=None, **extra) -> dict:
    """Run a stage's period query: the median of ``days`` over ``source`` and the sample's size (``counted``: see
    ``_median``), extra counts; one row."""
    columns = [query.alias(name) for name, query in extra.items()]
    if days is not None:
        median, size = _median(days, source, counted)
        columns += [median.alias("median"), size.alias("n")]
    row = Select(columns=columns).bind(db).dicts().get()
    row.setdefault("median", None)
    if row["median"] is not None:
        row["median"] = round(float(row["median"]), 1)  # tenths of a day; julianday is a double
    row["n"] = row.get("n") or 0
    return row


def _count(model, *where):
    return model.select(fn.COUNT(model.id)).where(*where)


# ----- now: how many are at each stage, all ten counts in one query -----


def now_counts(today, renewal_days: int) -> dict[str, int]:
    """For each stage, how many are at it now (one query). ``renewal_days``: a contract ending within them is at the
    renewal stage ("antes de la expiración")."""
    q, c, i = Quotation, Contract, SurveyInvitation
    counts = {
        "intake": _count(Client, Client.status == "prospect"),
        "evaluation": _count(Client, Client.status == "evaluating"),
        "quotation": _count(q, q.is_current == True, q.status == "sent"),  # noqa: E712
        "contract": _count(c, c.status == "draft"),
        "planning": _count(Case, Case.status == "open"),
        "execution": _count(Case, Case.status == "in_progress"),
        "closing": _count(Case, Case.status == "resolved"),
        "survey": _count(i, i.status.in_(("sent", "opened"))),
        "complaints": _count(Complaint, Complaint.status.in_(COMPLAINT_OPEN)),
        "renewal": _count(c, c.status == "active", c.end_date >= today,
                          c.end_date <= today + timedelta(days=renewal_days)),
    }
    row = Select(columns=[query.alias(key) for key, query in counts.items()]).bind(db).dicts().get()
    return {key: row[key] or 0 for key in counts}


# ----- the period: one query a stage -----


def intake(since, until, since_day, today, shift=0.0) -> dict:
    """Days from registration (the first contact) to the start of the evaluation."""
    change = ClientStatusChange
    source = (change.select().join(Client, on=(change.client == Client.id))
              .where(change.from_status == "prospect", change.to_status == "evaluating", change.created_at >= since,
                     change.created_at < until))
    return _period_row(days_between(change.created_at, Client.created_at), source)


def evaluation(since, until, since_day, today, shift=0.0) -> dict:
    """Days from the start of the evaluation (consultation, verification, conflict check) to the decision to accept
    or reject."""
    decided, started = ClientStatusChange.alias("decided"), ClientStatusChange.alias("started")
    source = (decided.select().join(started, on=((started.client == decided.client) &
                                                 (started.to_status == "evaluating")))
              .where(decided.from_status == "evaluating", decided.to_status.in_(("accepted", "rejected")),
                     decided.created_at >= since, decided.created_at < until))
    return _period_row(days_between(decided.created_at, started.created_at), source)


def quotation(since, until, since_day, today, shift=0.0) -> dict:
    """Days from sending the proposal to the client's decision."""
    q = Quotation
    source = q.select().where(q.decided_at >= since, q.decided_at < until, q.sent_at.is_null(False),
                              q.status.in_(("accepted", "rejected")))
    return _period_row(days_between(q.decided_at, q.sent_at), source)


def contract(since, until, since_day, today, shift=0.0) -> dict:
    """Days from the accepted proposal to the signature."""
    source = (Contract.select().join(Quotation, on=(Contract.quotation == Quotation.id))
              .where(Contract.signed_on >= since_day, Contract.signed_on < today, Quotation.decided_at.is_null(False)))
    return _period_row(days_between(Contract.signed_on, Quotation.decided_at, shift), source)


def planning(since, until, since_day, today, shift=0.0) -> dict:
    """Days from opening the case to the start of the work."""
    change = CaseStatusChange
    moves = (change.from_status == "open", change.to_status == "in_progress", change.created_at >= since,
             change.created_at < until)
    source = change.select().join(Case, on=(change.case == Case.id)).where(*moves)
    # every move has its case (a required key): the sample is counted on the moves' index alone
    return _period_row(days_between(change.created_at, Case.opened_on, -shift), source,
                       counted=change.select().where(*moves))


def execution(since, until, since_day, today, shift=0.0) -> dict:
    """Days from opening the case to its resolution."""
    source = Case.select().where(Case.resolved_at >= since, Case.resolved_at < until)
    return _period_row(days_between(Case.resolved_at, Case.opened_on, -shift), source)


def closing(since, until, since_day, today, shift=0.0) -> dict:
    """Days from resolution to closing."""
    source = Case.select().where(Case.closed_at >= since, Case.closed_at < until, Case.resolved_at.is_null(False))
    return _period_row(days_between(Case.closed_at, Case.resolved_at), source)


def survey(since, until, since_day, today, shift=0.0) -> dict:
    """Days from sending the survey to the answer; of those sent in the period, how many were answered in it (the
    response rate)."""
    i = SurveyInvitation
    source = i.select().where(i.answered_at >= since, i.answered_at < until, i.sent_at.is_null(False))
    sent = (i.sent_at >= since, i.sent_at < until)
    return _period_row(days_between(i.answered_at, i.sent_at), source,
                       base=_count(i, *sent), hits=_count(i, *sent, i.answered_at < until))


def complaints(since, until, since_day, today, shift=0.0) -> dict:
    """Days from receipt to resolution of complaints, claims and requests."""
    c = Complaint
    source = c.select().where(c.resolved_at >= since, c.resolved_at < until)
    return _period_row(days_between(c.resolved_at, c.received_at), source)


def renewal(since, until, since_day, today, shift=0.0) -> dict:
    """Of the contracts that ended in the period, how many were renewed (the retention of PRO 008 §7)."""
    c = Contract
    ended = (c.end_date >= since_day, c.end_date < today)
    return _period_row(base=_count(c, *ended, c.status.in_(("expired", "renewed"))),
                       hits=_count(c, *ended, c.status == "renewed"))


PERIOD_QUERIES = {"intake": intake, "evaluation": evaluation, "quotation": quotation, "contract": contract,
                  "planning": planning, "execution": execution, "closing": closing, "survey": survey,
                  "complaints": complaints, "renewal": renewal}


class JourneyFigure(Model):
    """One stage's period figures for the firm's ``day``: the 12 months of closed days before it (migration 0035).
    Only the day's rows are needed; the job drops earlier days."""

    day = DateField()
    stage = CharField(max_length=16)
    median = DoubleField(null=True)  # days
    n = IntegerField(default=0)  # the median's sample
    base = IntegerField(null=True)  # a rate's denominator
    hits = IntegerField(null=True)  # its numerator
    computed_at = DateTimeField(default=utcnow)

    class Meta:
        database = db
        table_name = "journey_figure"
        indexes = ((("day", "stage"), True),)

    @classmethod
    def of_day(cls, day) -> dict[str, dict]:
        """The kept figures of ``day`` by stage (one query)."""
        rows = cls.select(cls.stage, cls.median, cls.n, cls.base, cls.hits).where(cls.day == day).dicts()
        return {row.pop("stage"): row for row in rows}

    @classmethod
    def keep(cls, day, figures: dict[str, dict]) -> None:
        """Store ``figures`` ({stage: row}) for ``day``; a concurrent reader's identical rows win (one query)."""
        if figures:
            cls.insert_many([{"day": day, "stage": stage, "median": row.get("median"), "n": row.get("n") or 0,
                              "base": row.get("base"), "hits": row.get("hits")} for stage, row in figures.items()]
                            ).on_conflict_ignore().execute()

    @classmethod
    def forget_before(cls, day) -> int:
        return cls.delete().where(cls.day < day).execute()

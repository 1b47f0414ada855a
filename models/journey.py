"""The client journey's live figures (issue 17, "Mapear el recorrido del cliente"): for each stage of the firm's
service cycle, in ONE query, how many are at that stage now and the median time spent in it over a period, plus
a pair of counts for the stages measured as a rate (the survey's response rate, the contracts renewed).

Each figure is a scalar subquery of a single SELECT: the database counts and sorts, one row comes back. The median
is the nearest-rank one (the lower middle value for an even count), in calendar days, in the database's own date
arithmetic (julianday on SQLite, epoch seconds on PostgreSQL). Stored moments are UTC; ``since`` is the UTC moment
the period starts (a local midnight), ``since_day`` and ``today`` are the firm's days."""

from datetime import timedelta

from peewee import SQL, Select, fn

from core.db import db, is_sqlite
from models.cases import Case, CaseStatusChange
from models.clients import Client, ClientStatusChange
from models.commercial import Contract, Quotation
from models.complaints import OPEN_STATES as COMPLAINT_OPEN
from models.complaints import Complaint
from models.surveys import SurveyInvitation

SQL_ONE = SQL("1")
RENEWAL_WINDOW_DAYS = 60  # a contract ending within this many days is at the renewal stage ("antes de la expiración")


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


def _one_row(now, days=None, source=None, counted=None, **extra):
    """Run the stage's single query: ``now`` (a count query), the median of ``days`` over ``source`` and the sample's
    size (``counted``: see ``_median``), extra counts."""
    columns = [now.alias("now")] + [query.alias(name) for name, query in extra.items()]
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


def intake(today, since, since_day, shift=0.0) -> dict:
    """Prospects now; days from registration (the first contact) to the start of the evaluation."""
    change = ClientStatusChange
    source = (change.select().join(Client, on=(change.client == Client.id))
              .where(change.from_status == "prospect", change.to_status == "evaluating", change.created_at >= since))
    return _one_row(_count(Client, Client.status == "prospect"), days_between(change.created_at, Client.created_at),
                    source)


def evaluation(today, since, since_day, shift=0.0) -> dict:
    """Clients being evaluated now (consultation, verification, conflict check); days from the start of the
    evaluation to the decision to accept or reject."""
    decided, started = ClientStatusChange.alias("decided"), ClientStatusChange.alias("started")
    source = (decided.select().join(started, on=((started.client == decided.client) &
                                                 (started.to_status == "evaluating")))
              .where(decided.from_status == "evaluating", decided.to_status.in_(("accepted", "rejected")),
                     decided.created_at >= since))
    return _one_row(_count(Client, Client.status == "evaluating"), days_between(decided.created_at, started.created_at),
                    source)


def quotation(today, since, since_day, shift=0.0) -> dict:
    """Proposals sent and awaiting the client's answer now; days from sending to the client's decision."""
    q = Quotation
    source = q.select().where(q.decided_at >= since, q.sent_at.is_null(False), q.status.in_(("accepted", "rejected")))
    return _one_row(_count(q, q.is_current == True, q.status == "sent"),  # noqa: E712
                    days_between(q.decided_at, q.sent_at), source)


def contract(today, since, since_day, shift=0.0) -> dict:
    """Contracts drafted and not yet signed now; days from the accepted proposal to the signature."""
    source = (Contract.select().join(Quotation, on=(Contract.quotation == Quotation.id))
              .where(Contract.signed_on >= since_day, Quotation.decided_at.is_null(False)))
    return _one_row(_count(Contract, Contract.status == "draft"), days_between(Contract.signed_on, Quotation.decided_at, shift),
                    source)


def planning(today, since, since_day, shift=0.0) -> dict:
    """Cases opened and still being planned now; days from opening to the start of the work."""
    change = CaseStatusChange
    moves = (change.from_status == "open", change.to_status == "in_progress", change.created_at >= since)
    source = change.select().join(Case, on=(change.case == Case.id)).where(*moves)
    # every move has its case (a required key): the sample is counted on the moves' index alone
    return _one_row(_count(Case, Case.status == "open"), days_between(change.created_at, Case.opened_on, -shift), source,
                    counted=change.select().where(*moves))


def execution(today, since, since_day, shift=0.0) -> dict:
    """Cases in progress now; days from opening to resolution."""
    source = Case.select().where(Case.resolved_at >= since)
    return _one_row(_count(Case, Case.status == "in_progress"), days_between(Case.resolved_at, Case.opened_on, -shift), source)


def closing(today, since, since_day, shift=0.0) -> dict:
    """Cases resolved and not yet closed now; days from resolution to closing."""
    source = Case.select().where(Case.closed_at >= since, Case.resolved_at.is_null(False))
    return _one_row(_count(Case, Case.status == "resolved"), days_between(Case.closed_at, Case.resolved_at), source)


def survey(today, since, since_day, shift=0.0) -> dict:
    """Surveys sent and not yet answered now; days from sending to the answer; of those sent in the period, how many
    were answered (the response rate)."""
    i = SurveyInvitation
    source = i.select().where(i.answered_at >= since, i.sent_at.is_null(False))
    return _one_row(_count(i, i.status.in_(("sent", "opened"))), days_between(i.answered_at, i.sent_at), source,
                    base=_count(i, i.sent_at >= since),
                    hits=_count(i, i.sent_at >= since, i.answered_at.is_null(False)))


def complaints(today, since, since_day, shift=0.0) -> dict:
    """Complaints, claims and requests open now; days from receipt to resolution."""
    c = Complaint
    source = c.select().where(c.resolved_at >= since)
    return _one_row(_count(c, c.status.in_(COMPLAINT_OPEN)), days_between(c.resolved_at, c.received_at), source)


def renewal(today, since, since_day, shift=0.0) -> dict:
    """Active contracts ending within the renewal window now; of the contracts that ended in the period, how many
    were renewed (the retention of PRO 008 §7)."""
    c = Contract
    ended = (c.end_date >= since_day, c.end_date < today, c.status.in_(("expired", "renewed")))
    return _one_row(_count(c, c.status == "active", c.end_date >= today,
                           c.end_date <= today + timedelta(days=RENEWAL_WINDOW_DAYS)),
                    base=_count(c, *ended), hits=_count(c, *ended[:2], c.status == "renewed"))


STAGE_QUERIES = {"intake": intake, "evaluation": evaluation, "quotation": quotation, "contract": contract,
                 "planning": planning, "execution": execution, "closing": closing, "survey": survey,
                 "complaints": complaints, "renewal": renewal}

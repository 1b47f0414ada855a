"""The indicators of PRO 008 §7 and those the data already allows, per local month of a period.

Each indicator is one SQL aggregate grouped by month (a CASE over the month bounds, computed in Python with the
firm's time zone, so the database needs no time-zone knowledge): one query per indicator per page, whatever
the number of months or rows. Every figure keeps its numerator and denominator, so the page can say what it
counts and link to the rows behind it.

Filters: practice area, responsible and client kind. Survey responses carry their practice area and
responsible (copied when answered); an anonymous response has no client, so a client-kind filter leaves it out,
and a month's anonymous answers enter a figure only by groups of at least ``SURVEY_MIN_ANONYMOUS``.
"""

import hashlib
import json
import math
import sqlite3
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path

from peewee import JOIN, SQL, Value, fn
from peewee import Case as SqlCase

from core.db import utcnow
from core.i18n import lazy_gettext as _l
from core.i18n import to_local, to_utc, today_local
from models.cases import Case
from models.clients import Client, ClientStatusChange
from models.commercial import CONTRACT_STATES, Contract
from models.complaints import SLA_KINDS, Complaint
from models.surveys import INVITATION_STATES, SurveyInvitation, SurveyResponse
from services.documents.calendar import Span, firm_region
from services.surveys.results import min_anonymous


@dataclass(frozen=True)
class Filters:
    area: int | None = None
    responsible: int | None = None
    kind: str = ""  # client kind: "person", "company" or "" for both


@dataclass(frozen=True)
class Period:
    start: date  # local day, inclusive
    end: date  # local day, inclusive

    @classmethod
    def last_months(cls, today: date, months: int = 12) -> "Period":
        first = today.replace(day=1)
        for _ in range(months - 1):
            first = (first - timedelta(days=1)).replace(day=1)
        return cls(first, today)

    @property
    def months(self) -> list[date]:
        months, day = [], self.start.replace(day=1)
        while day <= self.end:
            months.append(day)
            day = (day + timedelta(days=32)).replace(day=1)
        return months

    def month_range(self, month: date) -> tuple[date, date]:
        """The days of ``month`` inside the period (first, last)."""
        following = (month + timedelta(days=32)).replace(day=1)
        return max(month, self.start), min(following - timedelta(days=1), self.end)

    def day_bounds(self) -> list[date]:
        """[start, 1st of each later month…, end + 1 day]: local days."""
        return [self.start, *self.months[1:], self.end + timedelta(days=1)]

    def moment_bounds(self) -> list[datetime]:
        """The same bounds as UTC moments (local midnight)."""
        return [to_utc(datetime.combine(d, time.min)) for d in self.day_bounds()]


@dataclass
class Indicator:
    key: str
    name: str
    formula: str
    unit: str  # "%", "days" or "" (a score)
    direction: str  # "up": higher is better; "down": lower is better
    low: float | None = None  # the chart's scale, when fixed (a rate from 0 to 100)
    high: float | None = None
    step: float | None = None
    value: float | None = None
    numerator: float = 0
    denominator: int = 0
    by_month: list[tuple[date, float | None, int]] = field(default_factory=list)  # (month, value, denominator)
    extra: dict = field(default_factory=dict)  # further figures of the period (the resolution index's p90…)
    # {month: (numerator, denominator, {name: [values]} or None)}: each month's own figures, which add up to the
    # period's (services/quality/figures.py keeps the closed months' between requests)
    parts: dict = field(default_factory=dict, repr=False)

    @property
    def points(self) -> list[tuple[date, float | None]]:
        return [(m, v) for m, v, _n in self.by_month]


def _bucket(column, bounds, lo: int = 0, hi: int | None = None, leaf=Value):
    """SQL for the index i of the range [bounds[i], bounds[i+1]) holding ``column`` (nested CASEs halving the
    ranges: about log2(n) comparisons per row); ``leaf(i)`` gives another value per range instead."""
    hi = len(bounds) - 1 if hi is None else hi
    if hi - lo == 1:
        return leaf(lo)
    mid = (lo + hi) // 2
    return SqlCase(None, [(column < bounds[mid], _bucket(column, bounds, lo, mid, leaf))],
                   _bucket(column, bounds, mid, hi, leaf))


def _grouped(query, column, bounds, *aggregates):
    """Rows {index: (aggregates…)} of ``query`` grouped by the month of ``column``."""
    rows = (query.select(_bucket(column, bounds).alias("m"), *aggregates)
            .where((column >= bounds[0]) & (column < bounds[-1])).group_by(SQL("1")).tuples())
    return {int(r[0]): r[1:] for r in rows}


def _count_if(condition, value=1):
    return fn.SUM(SqlCase(None, [(condition, value)], 0))


ON_TIME_UNIT = 2**32  # see _on_time_count


def _on_time_count(on_time, counted):
    """One SUM giving both "on time" and "counted" (on time implies counted): an on-time row adds 2**32 + 1, a
    counted late one 1, so each row's conditions (day numbers, a lookup) are worked out once, not once per sum;
    ``_unpack`` splits it back (fewer than 2**32 rows a month)."""
    return fn.SUM(SqlCase(None, [(on_time, ON_TIME_UNIT + 1), (counted, 1)], 0))


def _unpack(rows: dict) -> dict:
    out = {}
    for index, (total, *_rest) in rows.items():
        total = int(total or 0)
        out[index] = (total // ON_TIME_UNIT, total % ON_TIME_UNIT)
    return out


def _by_ranges(query, column, bounds, *aggregates) -> dict:
    """Rows {index: (aggregates…)} of ``query`` per month of ``column``, as one UNION ALL of a range aggregate per
    month: each part reads its range of an index on ``column`` in order, with no CASE per row to find the month
    and no sort to group (for the largest scans)."""
    parts = [query.select(Value(i), *aggregates).where((column >= low) & (column < high))
             for i, (low, high) in enumerate(zip(bounds, bounds[1:], strict=False))]
    union = parts[0]
    for part in parts[1:]:
        union = union + part
    return {int(r[0]): r[1:] for r in union.tuples() if r[1] is not None}


def _fill(ind: Indicator, period: Period, rows: dict, lists: dict | None = None) -> Indicator:
    """``ind`` with the figures of ``period`` from rows {month index: (numerator, denominator)} and, for a
    percentile, {month index: {name: [values]}}."""
    months = period.months
    parts = {months[i]: (float(num or 0), int(den or 0), (lists or {}).get(i)) for i, (num, den) in rows.items()}
    for i, values in (lists or {}).items():
        parts.setdefault(months[i], (0.0, 0, values))
    return assemble(ind, period, parts)


def assemble(ind: Indicator, period: Period, parts: dict) -> Indicator:
    """``ind`` with per month and over ``period`` the ratio of its numerators and denominators, from its months'
    parts {month: (numerator, denominator, lists)}; the further figures (a percentile) from the months' lists."""
    ratio = RATIOS.get(ind.key, _percent)
    total_num, total_den, merged = 0.0, 0, {}
    ind.by_month, ind.parts = [], {}
    for month in period.months:
        num, den, lists = parts.get(month, (0.0, 0, None))
        ind.parts[month] = (num, den, lists)
        total_num += num
        total_den += den
        for name, values in (lists or {}).items():
            merged.setdefault(name, []).extend(values)
        ind.by_month.append((month, ratio(num, den) if den else None, den))
    ind.numerator, ind.denominator = total_num, total_den
    ind.value = ratio(total_num, total_den) if total_den else None
    if ind.key in EXTRAS:
        ind.extra = EXTRAS[ind.key](merged)
    return ind


def _percent(num, den):
    return round(100.0 * num / den, 1)


# ----- survey responses -----

def _filtered(query, filters: Filters, area, responsible, client=None):
    """``query`` with the page's filters: the practice area and the responsible on the given columns, the client
    kind on the client (joined on ``client`` when given; ``None``: the query has joined it already)."""
    if filters.kind:
        if client is not None:
            query = query.join(Client, on=(client == Client.id))
        query = query.where(Client.kind == filters.kind)
    if filters.area:
        query = query.where(area == filters.area)
    if filters.responsible:
        query = query.where(responsible == filters.responsible)
    return query


def _responses(filters: Filters):
    return _filtered(SurveyResponse.select(), filters, SurveyResponse.practice_area, SurveyResponse.responsible,
                     client=SurveyResponse.client)


def _survey_rows(query, period: Period, numerator, denominator) -> dict:
    """{month index: (numerator, denominator)}, a month's anonymous answers counted only when it holds at least
    ``min_anonymous()`` of them (the rule of the survey results: fewer would describe one or two people)."""
    bounds, column = period.day_bounds(), SurveyResponse.answered_on
    rows = (query.select(_bucket(column, bounds).alias("m"), SurveyResponse.anonymous, numerator, denominator,
                         fn.COUNT(SurveyResponse.id))
            .where((column >= bounds[0]) & (column < bounds[-1])).group_by(SQL("1"), SurveyResponse.anonymous)
            .tuples())
    minimum, out = min_anonymous(), {}
    for index, anonymous, num, den, count in rows:
        if anonymous and count < minimum:
            continue
        before = out.get(int(index), (0, 0))
        out[int(index)] = (before[0] + float(num or 0), before[1] + int(den or 0))
    return out


def satisfaction(period: Period, filters: Filters) -> Indicator:
    ind = _definition("satisfaccion")
    rows = _survey_rows(_responses(filters), period, fn.SUM(SurveyResponse.ratings_high),
                        fn.SUM(SurveyResponse.ratings_count))
    return _fill(ind, period, rows)


def nps(period: Period, filters: Filters) -> Indicator:
    ind = _definition("nps")
    score = SurveyResponse.nps
    rows = _survey_rows(_responses(filters).where(score.is_null(False)), period,
                        _count_if(score >= 9) - _count_if(score <= 6), fn.COUNT(score))
    return _fill(ind, period, rows)


def response_rate(period: Period, filters: Filters) -> Indicator:
    ind = _definition("respuesta")
    # Every state, named (a closed set): each is a range of the (status, sent_at) index, not a scan of the table.
    query = _filtered(SurveyInvitation.select().where(SurveyInvitation.status.in_(INVITATION_STATES),
                                                      SurveyInvitation.withdrawn_at.is_null()), filters,
                      SurveyInvitation.practice_area, SurveyInvitation.responsible, client=SurveyInvitation.client)
    rows = _grouped(query, SurveyInvitation.sent_at, period.moment_bounds(),
                    fn.COUNT(SurveyInvitation.answered_at), fn.COUNT(SurveyInvitation.id))
    return _fill(ind, period, rows)


# ----- complaints -----

def _complaints(filters: Filters):
    return _filtered(Complaint.select().where(Complaint.kind.in_(SLA_KINDS)), filters, Complaint.practice_area,
                     Complaint.owner, client=Complaint.client)


def resolution_days(period: Period, filters: Filters) -> Indicator:
    """Per month the average calendar days; over the period also the 90th percentile (nearest rank), and both in
    business days of the firm's calendar (services/documents/calendar.py: weekends and holidays). One query for
    the resolved complaints' two moments, one for the holidays they span."""
    ind = _definition("resolucion")
    bounds = period.moment_bounds()
    rows = list(_complaints(filters).select(_bucket(Complaint.received_at, bounds), _epoch(Complaint.received_at),
                                            _epoch(Complaint.resolved_at))
                .where(Complaint.resolved_at.is_null(False), Complaint.received_at >= bounds[0],
                       Complaint.received_at < bounds[-1]).tuples())
    lists: dict[int, dict] = {}
    if rows:
        # The local midnights from the period's start past the last resolution, as seconds since 1970 (UTC): a
        # moment's local day is a bisection, and business days between two days a difference of running counts.
        latest, first = max(float(r[2]) for r in rows), period.start
        days, midnights = [], []
        day = first
        while True:
            moment = (to_utc(datetime.combine(day, time.min)) - EPOCH).total_seconds()
            if midnights and moment > latest:
                break
            days.append(day)
            midnights.append(moment)
            day += timedelta(days=1)
        span = Span.load(firm_region(), days[0], days[-1])
        running, count = [], 0
        for day in days:
            count += span.is_business_day(day)
            running.append(count)
        for index, received, resolved in rows:
            received, resolved = float(received), float(resolved)
            elapsed = (resolved - received) / 86400
            values = lists.setdefault(int(index), {"calendar": [], "business": []})
            values["calendar"].append(elapsed)
            values["business"].append(max(0, running[bisect_right(midnights, resolved) - 1]
                                          - running[bisect_right(midnights, received) - 1]))
    # each month's sum exact (math.fsum), so it does not depend on the order the rows came in
    sums = {i: (math.fsum(values["calendar"]), len(values["calendar"])) for i, values in lists.items()}
    return _fill(ind, period, sums, lists)


EPOCH = datetime(1970, 1, 1)


def _epoch(column):
    """Seconds since 1970 of a stored (naive UTC) moment, in the database's own arithmetic."""
    from core.db import is_sqlite

    if is_sqlite():
        return (fn.julianday(column) - 2440587.5) * 86400.0
    return fn.date_part("epoch", column)


def _p90(values):
    """Nearest-rank 90th percentile, rounded to a tenth; None without values."""
    if not values:
        return None
    ordered = sorted(values)
    return round(float(ordered[max(1, math.ceil(0.9 * len(ordered))) - 1]), 1)


def _average(num, den):
    return round(num / den, 1)


def _resolution_extra(lists: dict) -> dict:
    business = lists.get("business", [])
    return {"p90": _p90(lists.get("calendar", [])),
            "business_avg": round(sum(business) / len(business), 1) if business else None,
            "business_p90": _p90(business)}


RATIOS = {"resolucion": _average, "contratacion": _average}  # the others: a percentage
EXTRAS = {"resolucion": _resolution_extra, "contratacion": lambda lists: {"p90": _p90(lists.get("days", []))}}


def within_sla(period: Period, filters: Filters) -> Indicator:
    ind = _definition("sla")
    query = _complaints(filters).where(Complaint.resolved_at.is_null(False), Complaint.due_at.is_null(False))
    rows = _grouped(query, Complaint.received_at, period.moment_bounds(),
                    _count_if(Complaint.resolved_at <= Complaint.due_at), fn.COUNT(Complaint.id))
    return _fill(ind, period, rows)


# ----- contracts -----

SIGNED_CONTRACT_STATES = tuple(s for s in CONTRACT_STATES if s != "draft")


def retention(period: Period, filters: Filters) -> Indicator:
    ind = _definition("retencion")
    renewal = Contract.alias("renewal")
    renewed = fn.EXISTS(renewal.select(renewal.id).where((renewal.renews == Contract.id)
                                                         & (renewal.status != "draft")))
    # Every state but the draft, named (the states are a closed set): each is a range of the (status, end_date)
    # index, where "!= 'draft'" read the whole table for one month. The client only when a filter needs it.
    query = Contract.select().where(Contract.status.in_(SIGNED_CONTRACT_STATES))
    if filters.kind or filters.area or filters.responsible:
        query = _filtered(query.join(Client, JOIN.INNER, on=(Contract.client == Client.id)), filters,
                          Client.practice_area, Client.responsible)
    rows = _grouped(query, Contract.end_date, period.day_bounds(), _count_if(renewed), fn.COUNT(Contract.id))
    return _fill(ind, period, rows)


# ----- intake -----

def intake_conversion(period: Period, filters: Filters) -> Indicator:
    ind = _definition("admision")
    change = ClientStatusChange
    query = _filtered(change.select().join(Client, on=(change.client == Client.id))
                      .where(change.from_status == "evaluating", change.to_status.in_(("accepted", "rejected"))),
                      filters, Client.practice_area, Client.responsible)
    rows = _grouped(query, change.created_at, period.moment_bounds(), _count_if(change.to_status == "accepted"),
                    fn.COUNT(change.id))
    return _fill(ind, period, rows)


# ----- the four the data allows besides (issue 16) -----

SURVEY_WITHIN_DAYS = 5  # PRO-008 §5.4.1: "en un plazo de 5 días posteriores al servicio" (calendar days)


def _local_day_of(seconds) -> date:
    """The firm's local day of a moment given as seconds since 1970 (UTC)."""
    return to_local(EPOCH + timedelta(seconds=float(seconds))).date()


def _day_number(column, first: date, last: date):
    """SQL: the local day of the moment in ``column`` as days after ``first`` (0 on ``first``), for moments from
    ``first``'s local midnight to ``last``'s end; exact without time-zone knowledge in the database. Where the UTC
    offset holds, local midnights are 86,400 s apart, so the day is a division; a day that is not 24 hours long (a
    daylight-saving change) is its own stretch and gives its number whole. A CASE picks the stretch (one, where
    the firm's zone has no daylight saving)."""
    from core.db import is_sqlite

    midnights = [(to_utc(datetime.combine(first + timedelta(days=i), time.min)) - EPOCH).total_seconds()
                 for i in range((last - first).days + 2)]
    regular = [midnights[i + 1] - midnights[i] == 86400 for i in range(len(midnights) - 1)]
    stretches = []  # (first day number, its midnight in seconds, whether its days are all 24 h)
    for i, whole in enumerate(regular):
        if not stretches or not whole or not stretches[-1][2]:
            stretches.append((i, midnights[i], whole))
    # Whole seconds, exact: SQLite's julianday() is a double and could put a midnight a hair before itself.
    # (SQLite rounds fractions of a second, so the stored text is cut to the second first.) unixepoch() (SQLite
    # 3.38) gives the same integer as strftime('%s') several times faster; the indicators scan many rows.
    if is_sqlite():
        cut = fn.substr(column, 1, 19)
        seconds = fn.unixepoch(cut) if sqlite3.sqlite_version_info >= (3, 38) else fn.strftime("%s", cut).cast("INTEGER")
    else:
        seconds = fn.FLOOR(_epoch(column))

    def days_after(start_seconds):
        if is_sqlite():
            return (seconds - int(start_seconds)) / 86400  # integer division: truncates, exact from the start on
        return fn.FLOOR((seconds - int(start_seconds)) / 86400.0)

    def stretch(k):
        number, start, whole = stretches[k]
        return days_after(start) + number if whole else Value(number)

    if len(stretches) == 1:
        return stretch(0)
    starts = [start for _n, start, _w in stretches]
    return _bucket(seconds, [starts[0], *starts[1:], float("inf")], leaf=stretch)


class _LocalDays:
    """The firm's local day of many moments (seconds since 1970, UTC): a bisection over the local midnights from
    ``first`` to ``last`` (one time-zone conversion per day, not per row); moments outside convert one by one."""

    def __init__(self, first: date, last: date):
        self.first, self.midnights, day = first, [], first
        while day <= last + timedelta(days=1):
            self.midnights.append((to_utc(datetime.combine(day, time.min)) - EPOCH).total_seconds())
            day += timedelta(days=1)

    def __call__(self, seconds) -> date:
        seconds = float(seconds)
        index = bisect_right(self.midnights, seconds) - 1
        if 0 <= index < len(self.midnights) - 1:
            return self.first + timedelta(days=index)
        return _local_day_of(seconds)


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def surveys_on_time(period: Period, filters: Filters) -> Indicator:
    """One aggregate over the cases closed in the period, each with the first moment an invitation of it reached
    the client as stored on the case (``Case.survey_sent_at``, kept when one is sent): no per-case subquery. Both
    moments become local day numbers in SQL (``_day_number``), so the database needs no time zone and no row comes
    back to Python. The cases whose every invitation was withdrawn before going out are one uncorrelated subquery
    over the withdrawn invitations, read only for a case never surveyed."""
    ind = _definition("encuestas")
    bounds, inv = period.moment_bounds(), SurveyInvitation
    today = today_local()
    last_day = max(period.end, today) + timedelta(days=SURVEY_WITHIN_DAYS + 1)
    due = _day_number(Case.closed_at, period.start, last_day) + SURVEY_WITHIN_DAYS
    sent = _day_number(Case.survey_sent_at, period.start, last_day)
    other = SurveyInvitation.alias("other")
    declined = (inv.select(inv.case).where(inv.case.is_null(False), inv.withdrawn_at.is_null(False), inv.sent_at.is_null(),
                                            ~fn.EXISTS(other.select(other.id).where(
                                                (other.case == inv.case)
                                                & (other.withdrawn_at.is_null() | other.sent_at.is_null(False))))))
    on_time = Case.survey_sent_at.is_null(False) & (sent <= due)
    past_due = Case.closed_at < to_utc(datetime.combine(today - timedelta(days=SURVEY_WITHIN_DAYS), time.min))
    counted = past_due & Case.id.not_in(declined)  # the list only for a case not surveyed on time (OR stops first)
    cases = _filtered(Case.select().where(Case.status == "closed"), filters, Case.practice_area, Case.responsible,
                      client=Case.client)
    rows = _unpack(_grouped(cases, Case.closed_at, bounds, _on_time_count(on_time, counted)))
    return _fill(ind, period, rows)


def contact_to_contract(period: Period, filters: Filters) -> Indicator:
    """Per client's first contract signed in the period: the signing day and the client's registration moment
    (one query); days between local days in Python. Also the 90th percentile over the period."""
    ind = _definition("contratacion")
    earlier = Contract.alias("earlier")
    first = ~fn.EXISTS(earlier.select(earlier.id).where(
        (earlier.client == Contract.client) & (earlier.status != "draft") & earlier.signed_on.is_null(False)
        & ((earlier.signed_on < Contract.signed_on) | ((earlier.signed_on == Contract.signed_on)
                                                       & (earlier.id < Contract.id)))))
    bounds = period.day_bounds()
    query = (Contract.select(_bucket(Contract.signed_on, bounds), Contract.signed_on, _epoch(Client.created_at))
             .join(Client, JOIN.INNER, on=(Contract.client == Client.id))
             .where(Contract.signed_on >= bounds[0], Contract.signed_on < bounds[-1], Contract.status != "draft",
                    fn.COALESCE(Contract.renews, 0) == 0, first))  # a scan, not a walk of the renews index
    query = _filtered(query, filters, Client.practice_area, Client.responsible)
    sums, lists = {}, {}
    local_day = _LocalDays(period.start - timedelta(days=400), period.end)  # most first contacts are this recent
    for index, signed, registered in query.tuples():
        elapsed = max(0, (_as_date(signed) - local_day(registered)).days)
        lists.setdefault(int(index), {"days": []})["days"].append(elapsed)
        part = sums.setdefault(int(index), [0, 0])
        part[0] += elapsed
        part[1] += 1
    return _fill(ind, period, {i: tuple(v) for i, v in sums.items()}, lists)


def updates_on_time(period: Period, filters: Filters) -> Indicator:
    """Traza keeps no due date for the periodic update: it counts one due ``UPDATE_INTERVAL_DAYS`` after each
    outgoing update (the work queue's "Actualizaciones" rule). One aggregate over an index scan of the outgoing
    updates by moment, with no window, no sort and no time-zone arithmetic per row: each update carries how many
    local days later the client's next one came (``Interaction.next_update_days``, kept when an update is
    written), so a client's day is its update whose next came on a later day (or that has none), and it was on time
    when that gap is at most the interval. The month of the due day is a bucket of the moment given, shifted by the
    interval. The client's status is read only for its last update."""
    from models.interactions import Interaction

    interval = _update_interval()
    ind = _definition("actualizaciones")
    today = today_local()
    entry = Interaction

    def midnight(local_day):
        return to_utc(datetime.combine(local_day, time.min))

    # The month of an update's due day is the month of its own local day moved ``interval`` days: bounds on the
    # moment it was given (local midnights), compared on the indexed column, with no day number per row.
    bounds = [midnight(d - timedelta(days=interval)) for d in period.day_bounds()]
    query = entry.select()
    if filters.kind or filters.area or filters.responsible:
        query = _filtered(query.join(Client, on=(entry.client == Client.id)), filters, Client.practice_area,
                          Client.responsible)
    # The client's status is read only for its last update once past due (the CASE stops before the lookup).
    active = Client.select(Client.status).where(Client.id == entry.client) == "active"
    gap = entry.next_update_days
    on_time = gap <= interval
    counted = gap.is_null(False) | ((entry.occurred_at < midnight(today - timedelta(days=interval))) & active)
    query = query.where(entry.kind == "update", entry.direction == "out",
                        gap.is_null() | (gap > 0))  # the client's last update of its day
    rows = _unpack(_by_ranges(query, entry.occurred_at, bounds, _on_time_count(on_time, counted)))
    return _fill(ind, period, rows)


def deadlines_met(period: Period, filters: Filters) -> Indicator:
    from models.documents import Deadline

    ind = _definition("plazos")
    D = Deadline
    query = D.select().where((D.status != "open") | (D.due_at < utcnow()))
    if filters.kind or filters.area:  # the case only when a filter needs it
        query = query.join(Case, on=(D.case == Case.id))
    if filters.kind:
        query = query.join(Client, on=(Case.client == Client.id)).where(Client.kind == filters.kind)
    if filters.area:
        query = query.where(Case.practice_area == filters.area)
    if filters.responsible:
        query = query.where(D.responsible == filters.responsible)
    rows = _grouped(query, D.due_at, period.moment_bounds(),
                    _count_if((D.status == "done") & (D.done_at <= D.due_at)), fn.COUNT(D.id))
    return _fill(ind, period, rows)


def _update_interval() -> int:
    from flask import current_app

    return int(current_app.config.get("UPDATE_INTERVAL_DAYS", 15))


# Each indicator's name, formula in words, unit, direction and chart scale: a fresh one, with no figures.
DEFINITIONS = {
    "satisfaccion": lambda: Indicator("satisfaccion", _l("Customer satisfaction rate"),
        _l("Ratings of 4 or 5 ÷ all ratings given in the post-service surveys answered in the period "
            "(scale 1 to 5), as a percentage."), "%", "up", 0, 100, 25),
    "nps": lambda: Indicator("nps", _l("Net promoter score (NPS)"),
        _l("Of the answers to “would you recommend us” (0 to 10) in the period: promoters (9–10) minus "
            "detractors (0–6), as a share of all answers; from −100 to 100."), "", "up", -100, 100, 50),
    "respuesta": lambda: Indicator("respuesta", _l("Survey response rate"),
        _l("Survey invitations sent in the period that were answered ÷ invitations sent, as a percentage."),
        "%", "up", 0, 100, 25),
    "resolucion": lambda: Indicator("resolucion", _l("Complaint resolution index"),
        _l("Average calendar days from reception to resolution of the complaints, claims, requests and "
            "suggestions received in the period and already resolved; also the 90th percentile, and "
            "both in business days (weekends and holidays left out)."), "days", "down"),
    "sla": lambda: Indicator("sla", _l("Complaints resolved within SLA"),
        _l("Of the complaints received in the period and already resolved: those resolved by their due "
            "date ÷ all of them, as a percentage."), "%", "up", 0, 100, 25),
    "retencion": lambda: Indicator("retencion", _l("Client retention rate"),
        _l("Contracts that reached their end in the period and were renewed (a renewal contract linked "
            "to them) ÷ contracts that reached their end in the period, as a percentage."), "%", "up", 0, 100, 25),
    "admision": lambda: Indicator("admision", _l("Intake conversion"),
        _l("Of the decisions taken in the period on clients under evaluation: accepted ÷ accepted and "
            "rejected, as a percentage."), "%", "up", 0, 100, 25),
    "encuestas": lambda: Indicator("encuestas", _l("Surveys sent on time"),
        _l("Of the cases closed in the period: those whose satisfaction survey reached the client "
            "(emailed, or its link handed over) within 5 calendar days of the closing day (PRO-008 "
            "§5.4.1) ÷ the cases closed, as a percentage. A case with no invitation, or one never sent "
            "(no email and no link handed over), counts as late; a case whose every invitation was "
            "withdrawn before going out (the client declined surveys) is left out, and so is one still "
            "within its 5 days and not yet surveyed."), "%", "up", 0, 100, 25),
    "contratacion": lambda: Indicator("contratacion", _l("Days from first contact to contract"),
        _l("For the contracts signed in the period that are the client's first (not a renewal, no "
            "earlier signed contract): average calendar days from the client's registration in Traza, "
            "its first contact, to the day the contract was signed; also the 90th percentile."),
        "days", "down"),
    "actualizaciones": lambda: Indicator("actualizaciones", _l("Clients updated on time"),
        _l("Each outgoing update (“Actualización periódica”) makes the next one due %(days)s calendar "
            "days later. Of the updates due in the period: those given by their due day ÷ all due, as "
            "a percentage; one still not given once its day has passed counts as late if the client is "
            "still active. A client never updated has no due day yet and is not counted.",
            days=_update_interval()), "%", "up", 0, 100, 25),
    "plazos": lambda: Indicator("plazos", _l("Deadlines met"),
        _l("Of the case deadlines due in the period: those completed on or before their due moment ÷ "
            "those due, as a percentage; an open one past its due moment counts as missed, one not yet "
            "due is not counted."), "%", "up", 0, 100, 25),
}


def _definition(key: str) -> "Indicator":
    return DEFINITIONS[key]()


INDICATORS = {"satisfaccion": satisfaction, "resolucion": resolution_days, "retencion": retention, "nps": nps,
              "respuesta": response_rate, "sla": within_sla, "admision": intake_conversion,
              "encuestas": surveys_on_time, "contratacion": contact_to_contract, "actualizaciones": updates_on_time,
              "plazos": deadlines_met}


def compute(key: str, period: Period, filters: Filters) -> Indicator:
    return compute_all(period, filters, [key])[0]


# ----- the figures of closed months, kept between requests -----

# A month is settled once nothing but a write can change its figure: the day after it ends, and for the surveys
# on time once its last cases' five days have passed (a case not yet surveyed counts only then).
SETTLE_DAYS = {"encuestas": SURVEY_WITHIN_DAYS}
# A new version of these formulas must not read the figures of the previous one: the file's digest is in the scope.
FORMULAS = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]


def compute_all(period: Period, filters: Filters, keys=None) -> list[Indicator]:
    """The indicators (all, or ``keys``) over ``period``. The whole, settled months come from the figures kept
    between requests (models/quality_figures.py: triggers forget a month when a row behind it changes); the rest
    is one query per indicator over the span of the months missing, and the settled months computed that way are
    kept for the next request."""
    from models.quality_figures import QualityFigure, QualityFigureEpoch

    keys, today = list(keys or INDICATORS), today_local()
    scope, filtered = _scope(filters)
    settled = {key: {m for m in period.months if _settled(key, m, period, today)} for key in keys}
    wanted = set().union(*settled.values())
    epoch = QualityFigureEpoch.current() if wanted else None  # read before any figure is computed
    kept = {(key, month): (num, den, _kept_lists(lists) if lists else None)
            for key, month, num, den, lists in QualityFigure.for_scope(
                scope, wanted, None if len(keys) == len(INDICATORS) else keys)}
    results, fresh = [], []
    for key in keys:
        parts = {m: kept[key, m] for m in settled[key] if (key, m) in kept}
        missing = [m for m in period.months if m not in parts]
        if missing:
            live = INDICATORS[key](Period(max(period.start, missing[0]), min(period.end, _last_day(missing[-1]))),
                                   filters)
            parts.update((m, live.parts[m]) for m in missing)
            fresh += [_kept_row(key, scope, filtered, m, parts[m]) for m in missing if m in settled[key]]
        results.append(assemble(_definition(key), period, parts))
    if fresh:
        QualityFigure.store(fresh, epoch)
    return results


@lru_cache(maxsize=1024)
def _kept_lists(text: str) -> dict:
    """A kept month's lists (the resolution times behind a percentile), read once per process for each text kept:
    two years of them took a tenth of an indicator's page to parse on every view. Tuples, so no reader can change
    what the next one gets."""
    return {name: tuple(values) for name, values in json.loads(text).items()}


def _last_day(month: date) -> date:
    return (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def _settled(key: str, month: date, period: Period, today: date) -> bool:
    last = _last_day(month)
    return period.start <= month and last <= period.end and last + timedelta(days=SETTLE_DAYS.get(key, 0)) < today


def _scope(filters: Filters) -> tuple[str, bool]:
    """A digest of what a figure depends on besides the rows: the filters, the firm's time zone and holiday
    region, the update interval, the anonymity threshold and the formulas; and whether a filter applies."""
    from flask import current_app

    given = [filters.area, filters.responsible, filters.kind, current_app.config["TIMEZONE"], firm_region(),
             _update_interval(), min_anonymous(), FORMULAS]
    return (hashlib.sha256(json.dumps(given, default=str).encode()).hexdigest()[:40],
            bool(filters.area or filters.responsible or filters.kind))


def _kept_row(key: str, scope: str, filtered: bool, month: date, part) -> dict:
    """The row kept for one month: its figures and the bounds the triggers compare a changed row's anchor with
    (its day, or its moment: an update counts in the month of its due day, ``interval`` days after it)."""
    following = (month + timedelta(days=32)).replace(day=1)
    shift = timedelta(days=_update_interval() if key == "actualizaciones" else 0)
    num, den, lists = part
    return {"indicator": key, "scope": scope, "filtered": filtered, "month": month, "day_lo": month,
            "day_hi": following, "at_lo": to_utc(datetime.combine(month - shift, time.min)),
            "at_hi": to_utc(datetime.combine(following - shift, time.min)), "numerator": num, "denominator": den,
            "lists": json.dumps(lists) if lists else None, "computed_at": utcnow()}


def filter_choices():
    """Options of the filters: practice areas, and the active staff responsible for some client (two queries)."""
    from models.catalog import PracticeArea
    from models.users import User

    areas = list(PracticeArea.select(PracticeArea.id, PracticeArea.name).order_by(PracticeArea.name).tuples())
    responsible = Client.select(Client.responsible).where(Client.responsible.is_null(False)).distinct()
    people = list(User.select(User.id, User.name).where(User.is_active == True, User.id.in_(responsible))  # noqa: E712
                  .order_by(User.name).tuples())
    return areas, people


TARGET_OWNER_ROLES = ("management", "quality")  # who may answer for an indicator's target


def owner_choices(among):
    """The active staff of ``among`` (ids; anything else is ignored) who may answer for a target (management and
    quality), by name: (id, name) tuples (one query). The target's picker offers these (the one writing, the owner
    so far, the one sent); anyone else who may is found by name under it (``/casos/personal?quienes=metas``)."""
    from models.users import User, UserRole

    wanted = {i for i in among if isinstance(i, int) and 0 < i < 2**31}
    holders = UserRole.select(UserRole.user).where(UserRole.role.in_(TARGET_OWNER_ROLES))
    return list(User.select(User.id, User.name).where(User.is_active == True, User.id.in_(holders),  # noqa: E712
                                                      User.id.in_(wanted or [0]))
                .order_by(User.name).tuples())


# ----- targets -----

NEAR_SHARE = 0.1  # within 10 % of the target (at least one unit) on the wrong side: near


def state(ind: Indicator, target) -> str:
    """"met", "near", "missed" against the target, or "" without a value or a target."""
    if target is None or ind.value is None:
        return ""
    gap = ind.value - target.target if target.direction == "up" else target.target - ind.value
    if gap >= 0:
        return "met"
    return "near" if -gap <= max(abs(target.target) * NEAR_SHARE, 1.0) else "missed"


def targets() -> dict:
    from models.quality_targets import QualityTarget

    return QualityTarget.by_indicator()


def set_target(key: str, value: float, owner, user, today: date):
    """Set (or replace) the target of indicator ``key``; its direction is the indicator's own."""
    from models.quality_targets import QualityTarget

    direction = INDICATOR_DIRECTIONS[key]
    row = {"target": value, "direction": direction, "owner": owner, "set_by": user, "set_on": today}
    updated = QualityTarget.update(**row, updated_at=utcnow()).where(QualityTarget.indicator == key).execute()
    if not updated:
        QualityTarget.create(indicator=key, **row)


INDICATOR_DIRECTIONS = {"satisfaccion": "up", "resolucion": "down", "retencion": "up", "nps": "up",
                        "respuesta": "up", "sla": "up", "admision": "up", "encuestas": "up", "contratacion": "down",
                        "actualizaciones": "up", "plazos": "up"}

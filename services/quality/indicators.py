"""The indicators of PRO 008 §7 and those the data already allows, per local month of a period.

Each indicator is one SQL aggregate grouped by month (a CASE over the month bounds, computed in Python with the
firm's time zone, so the database needs no time-zone knowledge): one query per indicator per page, whatever
the number of months or rows. Every figure keeps its numerator and denominator, so the page can say what it
counts and link to the rows behind it.

Filters: practice area, responsible and client kind. Survey responses carry their practice area and
responsible (copied when answered); an anonymous response has no client, so a client-kind filter leaves it out,
and a month's anonymous answers enter a figure only by groups of at least ``SURVEY_MIN_ANONYMOUS``.
"""

import math
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from peewee import JOIN, SQL, Value, fn
from peewee import Case as SqlCase

from core.db import utcnow
from core.i18n import to_utc
from models.clients import Client, ClientStatusChange
from models.commercial import Contract
from models.complaints import SLA_KINDS, Complaint
from models.surveys import SurveyInvitation, SurveyResponse
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

    @property
    def points(self) -> list[tuple[date, float | None]]:
        return [(m, v) for m, v, _n in self.by_month]


def _bucket(column, bounds, lo: int = 0, hi: int | None = None):
    """SQL for the index i of the range [bounds[i], bounds[i+1]) holding ``column`` (nested CASEs halving the
    ranges: about log2(n) comparisons per row)."""
    hi = len(bounds) - 1 if hi is None else hi
    if hi - lo == 1:
        return Value(lo)
    mid = (lo + hi) // 2
    return SqlCase(None, [(column < bounds[mid], _bucket(column, bounds, lo, mid))], _bucket(column, bounds, mid, hi))


def _grouped(query, column, bounds, *aggregates):
    """Rows {index: (aggregates…)} of ``query`` grouped by the month of ``column``."""
    rows = (query.select(_bucket(column, bounds).alias("m"), *aggregates)
            .where((column >= bounds[0]) & (column < bounds[-1])).group_by(SQL("1")).tuples())
    return {int(r[0]): r[1:] for r in rows}


def _count_if(condition, value=1):
    return fn.SUM(SqlCase(None, [(condition, value)], 0))


def _fill(ind: Indicator, period: Period, rows: dict, ratio) -> Indicator:
    """Per month and over the period: ``ratio(numerator, denominator)`` from rows {i: (numerator, denominator)}."""
    total_num, total_den = 0.0, 0
    for i, month in enumerate(period.months):
        num, den = rows.get(i, (0, 0))
        num, den = float(num or 0), int(den or 0)
        total_num += num
        total_den += den
        ind.by_month.append((month, ratio(num, den) if den else None, den))
    ind.numerator, ind.denominator = total_num, total_den
    ind.value = ratio(total_num, total_den) if total_den else None
    return ind


def _percent(num, den):
    return round(100.0 * num / den, 1)


# ----- survey responses -----

def _responses(filters: Filters):
    query = SurveyResponse.select()
    if filters.kind:
        query = query.join(Client, on=(SurveyResponse.client == Client.id)).where(Client.kind == filters.kind)
    if filters.area:
        query = query.where(SurveyResponse.practice_area == filters.area)
    if filters.responsible:
        query = query.where(SurveyResponse.responsible == filters.responsible)
    return query


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
    ind = Indicator("satisfaccion", _l("Customer satisfaction rate"),
                    _l("Ratings of 4 or 5 ÷ all ratings given in the post-service surveys answered in the period "
                       "(scale 1 to 5), as a percentage."), "%", "up", 0, 100, 25)
    rows = _survey_rows(_responses(filters), period, fn.SUM(SurveyResponse.ratings_high),
                        fn.SUM(SurveyResponse.ratings_count))
    return _fill(ind, period, rows, _percent)


def nps(period: Period, filters: Filters) -> Indicator:
    ind = Indicator("nps", _l("Net promoter score (NPS)"),
                    _l("Of the answers to “would you recommend us” (0 to 10) in the period: promoters (9–10) minus "
                       "detractors (0–6), as a share of all answers; from −100 to 100."), "", "up", -100, 100, 50)
    score = SurveyResponse.nps
    rows = _survey_rows(_responses(filters).where(score.is_null(False)), period,
                        _count_if(score >= 9) - _count_if(score <= 6), fn.COUNT(score))
    return _fill(ind, period, rows, _percent)


def response_rate(period: Period, filters: Filters) -> Indicator:
    ind = Indicator("respuesta", _l("Survey response rate"),
                    _l("Survey invitations sent in the period that were answered ÷ invitations sent, as a percentage."),
                    "%", "up", 0, 100, 25)
    query = SurveyInvitation.select().where(SurveyInvitation.withdrawn_at.is_null())
    if filters.kind:
        query = query.join(Client, on=(SurveyInvitation.client == Client.id)).where(Client.kind == filters.kind)
    if filters.area:
        query = query.where(SurveyInvitation.practice_area == filters.area)
    if filters.responsible:
        query = query.where(SurveyInvitation.responsible == filters.responsible)
    rows = _grouped(query, SurveyInvitation.sent_at, period.moment_bounds(),
                    fn.COUNT(SurveyInvitation.answered_at), fn.COUNT(SurveyInvitation.id))
    return _fill(ind, period, rows, _percent)


# ----- complaints -----

def _complaints(filters: Filters):
    query = Complaint.select().where(Complaint.kind.in_(SLA_KINDS))
    if filters.kind:
        query = query.join(Client, on=(Complaint.client == Client.id)).where(Client.kind == filters.kind)
    if filters.area:
        query = query.where(Complaint.practice_area == filters.area)
    if filters.responsible:
        query = query.where(Complaint.owner == filters.responsible)
    return query


def resolution_days(period: Period, filters: Filters) -> Indicator:
    """Per month the average calendar days; over the period also the 90th percentile (nearest rank), and both in
    business days of the firm's calendar (services/documents/calendar.py: weekends and holidays). One query for
    the resolved complaints' two moments, one for the holidays they span."""
    ind = Indicator("resolucion", _l("Complaint resolution index"),
                    _l("Average calendar days from reception to resolution of the complaints, claims, requests and "
                       "suggestions received in the period and already resolved; also the 90th percentile, and "
                       "both in business days (weekends and holidays left out)."), "days", "down")
    bounds = period.moment_bounds()
    rows = list(_complaints(filters).select(_bucket(Complaint.received_at, bounds), _epoch(Complaint.received_at),
                                            _epoch(Complaint.resolved_at))
                .where(Complaint.resolved_at.is_null(False), Complaint.received_at >= bounds[0],
                       Complaint.received_at < bounds[-1]).tuples())
    sums: dict[int, list] = {}
    calendar, business = [], []
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
            calendar.append(elapsed)
            business.append(max(0, running[bisect_right(midnights, resolved) - 1]
                                - running[bisect_right(midnights, received) - 1]))
            part = sums.setdefault(int(index), [0.0, 0])
            part[0] += elapsed
            part[1] += 1
    _fill(ind, period, {i: tuple(v) for i, v in sums.items()}, lambda num, den: round(num / den, 1))
    ind.extra = {"p90": _p90(calendar), "business_avg": round(sum(business) / len(business), 1) if business else None,
                 "business_p90": _p90(business)}
    return ind


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


def within_sla(period: Period, filters: Filters) -> Indicator:
    ind = Indicator("sla", _l("Complaints resolved within SLA"),
                    _l("Of the complaints received in the period and already resolved: those resolved by their due "
                       "date ÷ all of them, as a percentage."), "%", "up", 0, 100, 25)
    query = _complaints(filters).where(Complaint.resolved_at.is_null(False), Complaint.due_at.is_null(False))
    rows = _grouped(query, Complaint.received_at, period.moment_bounds(),
                    _count_if(Complaint.resolved_at <= Complaint.due_at), fn.COUNT(Complaint.id))
    return _fill(ind, period, rows, _percent)


# ----- contracts -----

def retention(period: Period, filters: Filters) -> Indicator:
    ind = Indicator("retencion", _l("Client retention rate"),
                    _l("Contracts that reached their end in the period and were renewed (a renewal contract linked "
                       "to them) ÷ contracts that reached their end in the period, as a percentage."), "%", "up", 0, 100, 25)
    renewal = Contract.alias("renewal")
    renewed = fn.EXISTS(renewal.select(renewal.id).where((renewal.renews == Contract.id)
                                                         & (renewal.status != "draft")))
    query = (Contract.select().join(Client, JOIN.INNER, on=(Contract.client == Client.id))
             .where(Contract.status != "draft"))
    if filters.kind:
        query = query.where(Client.kind == filters.kind)
    if filters.area:
        query = query.where(Client.practice_area == filters.area)
    if filters.responsible:
        query = query.where(Client.responsible == filters.responsible)
    rows = _grouped(query, Contract.end_date, period.day_bounds(), _count_if(renewed), fn.COUNT(Contract.id))
    return _fill(ind, period, rows, _percent)


# ----- intake -----

def intake_conversion(period: Period, filters: Filters) -> Indicator:
    ind = Indicator("admision", _l("Intake conversion"),
                    _l("Of the decisions taken in the period on clients under evaluation: accepted ÷ accepted and "
                       "rejected, as a percentage."), "%", "up", 0, 100, 25)
    change = ClientStatusChange
    query = (change.select().join(Client, on=(change.client == Client.id))
             .where(change.from_status == "evaluating", change.to_status.in_(("accepted", "rejected"))))
    if filters.kind:
        query = query.where(Client.kind == filters.kind)
    if filters.area:
        query = query.where(Client.practice_area == filters.area)
    if filters.responsible:
        query = query.where(Client.responsible == filters.responsible)
    rows = _grouped(query, change.created_at, period.moment_bounds(), _count_if(change.to_status == "accepted"),
                    fn.COUNT(change.id))
    return _fill(ind, period, rows, _percent)


INDICATORS = {"satisfaccion": satisfaction, "resolucion": resolution_days, "retencion": retention, "nps": nps,
              "respuesta": response_rate, "sla": within_sla, "admision": intake_conversion}


def compute(key: str, period: Period, filters: Filters) -> Indicator:
    return INDICATORS[key](period, filters)


def compute_all(period: Period, filters: Filters) -> list[Indicator]:
    return [fn_(period, filters) for fn_ in INDICATORS.values()]


# ----- what needs attention -----

def attention(now, today) -> dict:
    """Open complaints past their due date (the register's own count), open case deadlines already due, and
    open improvement actions past their due day."""
    from models.documents import Deadline
    from models.quality import ImprovementAction

    _all, breached = Complaint.register_counts(status="open", overdue=True, now=now)
    overdue_deadlines = Deadline.select().where(Deadline.status == "open", Deadline.due_at < now).count()
    return {"breached_complaints": breached, "overdue_deadlines": overdue_deadlines,
            "overdue_actions": ImprovementAction.overdue_count(today)}


def filter_choices():
    """Options of the filters: practice areas, and the active staff responsible for some client (two queries)."""
    from models.catalog import PracticeArea
    from models.users import User

    areas = list(PracticeArea.select(PracticeArea.id, PracticeArea.name).order_by(PracticeArea.name).tuples())
    responsible = Client.select(Client.responsible).where(Client.responsible.is_null(False)).distinct()
    people = list(User.select(User.id, User.name).where(User.is_active == True, User.id.in_(responsible))  # noqa: E712
                  .order_by(User.name).tuples())
    return areas, people


def owner_choices():
    """Who may answer for a target: active staff of management and quality, by name (one query)."""
    from models.users import User, UserRole

    holders = UserRole.select(UserRole.user).where(UserRole.role.in_(("management", "quality")))
    return list(User.select(User.id, User.name).where(User.is_active == True, User.id.in_(holders))  # noqa: E712
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
                        "respuesta": "up", "sla": "up", "admision": "up"}

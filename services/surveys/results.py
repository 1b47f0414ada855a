"""The satisfaction record ("Registro de Satisfacción", PRO-008 §5.4): invitations by status, response rate,
satisfaction rate, per-criterion averages, NPS and the monthly trend, with the responses and comments behind
them and their export.

Every figure is one aggregate SQL query over the summary columns of ``SurveyResponse`` (its
``c_<criterion>`` columns for the criteria; ``SurveyAnswer`` is only read for the responses listed), and the
invitations are filtered by their own copy of the area and responsible, so a page costs the same few queries
whatever the number of answers. Definitions:

- **satisfaction rate**: ratings of 4 or 5 over all ratings (1–5) given;
- **NPS**: % of promoters (9–10) minus % of detractors (0–6) among the answers to the recommendation
  question; passives are 7–8;
- **response rate**: responses received in the period over invitations sent in the period (by email or
  handed over as a link or QR code), in the same slice: every response consumes one invitation on the day
  it is stored, so the invitations answered in a slice are its responses (``invitations``).

Anonymous responses are never listed or exported one by one (the lists say how many they leave out), and
their scores enter a figure only by groups of at least ``SURVEY_MIN_ANONYMOUS`` per month: with fewer, the
scores would describe one or two people whose invitations staff can see, so they count as responses only,
and the page says why. The export carries the counted ones as one summary row.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask import current_app
from peewee import JOIN, SQL, Case, Select, fn

from core.db import count as count_rows
from core.db import utcnow
from core.i18n import to_utc, today_local
from models.cases import Case as LegalCase
from models.catalog import PracticeArea
from models.clients import Client
from models.surveys import (
    CRITERIA,
    SurveyAnswer,
    SurveyInvitation,
    SurveyQuestion,
    SurveyResponse,
    SurveyTemplate,
)
from models.users import User

DEFAULT_MONTHS = 12
MAX_MONTHS = 60


@dataclass
class Filters:
    start: date
    end: date
    practice_area: int | None = None
    responsible: int | None = None
    family: int | None = None

    @classmethod
    def default(cls, today=None) -> "Filters":
        today = today or today_local()
        return cls(start=add_months(today.replace(day=1), -(DEFAULT_MONTHS - 1)), end=today)

    def clamp(self) -> "Filters":
        """From ≤ to, and at most MAX_MONTHS months (the trend draws one bar per month)."""
        if self.start > self.end:
            self.start, self.end = self.end, self.start
        earliest = add_months(self.end.replace(day=1), -(MAX_MONTHS - 1))
        self.start = max(self.start, earliest)
        return self


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def months_between(start: date, end: date) -> list[date]:
    months, current = [], start.replace(day=1)
    while current <= end:
        months.append(current)
        current = add_months(current, 1)
    return months


def _count_if(condition):
    return fn.COALESCE(fn.SUM(Case(None, [(condition, 1)], 0)), 0)


def _templates_of(family: int):
    return SurveyTemplate.select(SurveyTemplate.id).where(SurveyTemplate.family == family)


def responses(filters: Filters, columns=None):
    """The filtered responses (a query: add columns, joins and order as needed)."""
    R = SurveyResponse
    # The month bounds say nothing more than the days; they let the (area|responsible, month) indexes range.
    query = R.select(*(columns or (R.id,))).where(R.answered_on >= filters.start, R.answered_on <= filters.end,
                                                  R.month >= filters.start.replace(day=1), R.month <= filters.end)
    if filters.practice_area:
        query = query.where(R.practice_area == filters.practice_area)
    if filters.responsible:
        query = query.where(R.responsible == filters.responsible)
    if filters.family:
        query = query.where(R.template.in_(_templates_of(filters.family)))
    return query


# ----- the figures -----

def min_anonymous() -> int:
    """The fewest anonymous answers one month must hold before they enter any figure (``SURVEY_MIN_ANONYMOUS``).
    Below it, their scores would describe one or two known people: they are counted, never averaged."""
    return max(1, int(current_app.config.get("SURVEY_MIN_ANONYMOUS", 3)))


@dataclass
class Summary:
    responses: int = 0  # every response, anonymous ones included (the response rate's numerator)
    ratings: int = 0
    ratings_high: int = 0
    ratings_sum: int = 0
    nps_answers: int = 0
    promoters: int = 0
    passives: int = 0
    detractors: int = 0
    comments: int = 0
    low_scores: int = 0
    anonymous: int = 0  # anonymous responses, counted or not
    anonymous_hidden: int = 0  # of them, those whose scores are left out (their month holds too few)

    @property
    def satisfaction_rate(self) -> float | None:
        """Share (0–100) of ratings of 4 or 5."""
        return 100.0 * self.ratings_high / self.ratings if self.ratings else None

    @property
    def nps(self) -> float | None:
        """% promoters − % detractors, from −100 to 100."""
        if not self.nps_answers:
            return None
        return 100.0 * (self.promoters - self.detractors) / self.nps_answers

    def __add__(self, other: "Summary") -> "Summary":
        return Summary(*(getattr(self, n) + getattr(other, n) for n in _SUMMARY_FIELDS))


_SUMMARY_FIELDS = [f.name for f in Summary.__dataclass_fields__.values()]


def _summary_columns():
    R = SurveyResponse
    return (fn.COUNT(R.id), fn.COALESCE(fn.SUM(R.ratings_count), 0), fn.COALESCE(fn.SUM(R.ratings_high), 0),
            fn.COALESCE(fn.SUM(R.ratings_sum), 0), fn.COUNT(R.nps), _count_if(R.nps >= 9),
            _count_if(R.nps.between(7, 8)), _count_if(R.nps <= 6), _count_if(R.has_comment == True),  # noqa: E712
            _count_if(R.low_score == True), _count_if(R.anonymous == True))  # noqa: E712


def _counted(anonymous: Summary, minimum: int) -> Summary:
    """One month's anonymous answers as they may enter the figures: whole when there are at least
    ``minimum``, else only as a number of responses."""
    if anonymous.responses >= minimum:
        return anonymous
    return Summary(responses=anonymous.responses, anonymous=anonymous.responses,
                   anonymous_hidden=anonymous.responses)


def summary(filters: Filters) -> Summary:
    return total(trend(filters))


@dataclass
class MonthPoint:
    month: date
    summary: Summary


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def trend(filters: Filters) -> list[MonthPoint]:
    """One point per month of the period (months without answers included); one query. A month's anonymous
    answers enter its scores only when it holds at least ``min_anonymous()`` of them, and the period's
    figures are the sum of its months, so no two figures of a page differ by fewer anonymous answers."""
    R = SurveyResponse
    rows = responses(filters, (R.month, R.anonymous, *_summary_columns())).group_by(R.month, R.anonymous).tuples()
    minimum = min_anonymous()
    by_month: dict[date, Summary] = {}
    for m, anonymous, *rest in rows:
        part = Summary(*(int(v or 0) for v in rest))
        month = _as_date(m)
        by_month[month] = by_month.get(month, Summary()) + (_counted(part, minimum) if anonymous else part)
    return [MonthPoint(m, by_month.get(m, Summary())) for m in months_between(filters.start, filters.end)]


def total(points: list[MonthPoint]) -> Summary:
    """The period's figures from its months (the same rows, already aggregated: no second scan)."""
    return sum((p.summary for p in points), Summary())


CRITERION_TARGET = 4.0  # a criterion averaging under it proposes an improvement action (no per-criterion targets yet)


@dataclass
class CriterionAverage:
    criterion: str
    average: float | None
    answers: int
    high: int

    @property
    def under_target(self) -> bool:
        return self.average is not None and self.average < CRITERION_TARGET

    @property
    def satisfaction_rate(self) -> float | None:
        return 100.0 * self.high / self.answers if self.answers else None


def _criteria_columns():
    """SUM, COUNT and the count of 4s and 5s of each criterion's column, in CRITERIA order."""
    columns = []
    for criterion in CRITERIA:
        column = SurveyResponse.criterion_field(criterion)
        columns += [fn.COALESCE(fn.SUM(column), 0), fn.COUNT(column), _count_if(column >= 4)]
    return columns


def criteria(filters: Filters) -> list[CriterionAverage]:
    """Average rating (1–5) per evaluation criterion, in the material's order: one aggregate over the
    responses' ``c_<criterion>`` columns (the same rows as the other figures, not their answers), by month
    so that anonymous answers count under the same rule as in ``trend``."""
    R = SurveyResponse
    rows = (responses(filters, (R.anonymous, fn.COUNT(R.id), *_criteria_columns()))
            .group_by(R.month, R.anonymous).tuples())
    minimum = min_anonymous()
    sums = [[0, 0, 0] for _ in CRITERIA]
    for anonymous, n, *values in rows:
        if anonymous and n < minimum:
            continue
        for i, part in enumerate(sums):
            for j in range(3):
                part[j] += int(values[3 * i + j] or 0)
    return [CriterionAverage(criterion, total_ / n if n else None, n, high)
            for criterion, (total_, n, high) in zip(CRITERIA, sums, strict=True)]


@dataclass
class InvitationCounts:
    """What happened to invitations during the period, each counted on the day it happened (the firm's
    days): sent (by email or handed over as a link or QR code), opened, answered, link expired unanswered,
    withdrawn; and those still waiting to be sent whose day falls in the period."""

    pending: int = 0
    sent: int = 0
    opened: int = 0
    answered: int = 0
    expired: int = 0
    withdrawn: int = 0

    @property
    def response_rate(self) -> float | None:
        """Responses received in the period over invitations sent in it (the same slice; every response
        consumes one invitation, on the day it is stored, so ``answered`` is the number of responses)."""
        return 100.0 * self.answered / self.sent if self.sent else None


def _day_start_utc(day: date) -> datetime:
    return to_utc(datetime.combine(day, time.min))


def invitations(filters: Filters, now=None) -> InvitationCounts:
    """``InvitationCounts`` of the slice; one query. The slice is the responses' own: the same days, survey
    family, area and responsible. Anonymous answers keep no area or responsible, so a filter by either
    leaves out the invitations of anonymous surveys too.

    Unsliced, each figure is its own count over one index range (``SurveyInvitation``'s indexes on the moment
    of each event): the quarter of a management review reads its few thousand index entries, not the 70,000
    rows a single pass with every event in one condition scanned. "Not yet sent" is written ``(x IS NULL) = TRUE``
    so that the planner ranges over the event's moment rather than over every row still missing it."""
    now = now or utcnow()
    I = SurveyInvitation  # noqa: E741
    start, end = _day_start_utc(filters.start), _day_start_utc(filters.end + timedelta(days=1))

    def during(column):
        return (column >= start) & (column < end)

    def never(column):
        return column.is_null() == True  # noqa: E712

    events = (
        (I.status == "pending") & (I.send_on >= filters.start) & (I.send_on <= filters.end) & (I.expires_at > now),
        # Reached the client: sent, or else (a link issued outside the usual paths) opened or answered.
        during(I.sent_at),
        during(I.opened_at) & never(I.sent_at),
        during(I.answered_at) & never(I.sent_at) & never(I.opened_at),
        during(I.opened_at),
        (I.status == "answered") & during(I.answered_at),
        I.status.in_(("expired", "pending", "sent", "opened")) & during(I.expires_at) & (I.expires_at <= now),
        (I.status == "withdrawn") & during(I.withdrawn_at),
    )
    sliced = []
    if filters.practice_area:  # copied from the case, else the client, when invited
        sliced.append(I.practice_area == filters.practice_area)
    if filters.responsible:
        sliced.append(I.responsible == filters.responsible)
    by_area_or_person = bool(sliced)
    if by_area_or_person:
        sliced.append(I.template.not_in(SurveyTemplate.select(SurveyTemplate.id)
                                        .where(SurveyTemplate.anonymous == True)))  # noqa: E712
    if filters.family:
        sliced.append(I.template.in_(_templates_of(filters.family)))
    if by_area_or_person:
        # A slice by area or responsible is read in one pass over its own rows, found on its (area, …) or
        # (responsible, …) index: one range per figure would look up every invitation of the period to test it.
        query = I.select(*(_count_if(event) for event in events)).where(*sliced)
    else:
        query = Select(columns=[I.select(fn.COUNT(SQL("*"))).where(event, *sliced) for event in events]).bind(
            I._meta.database)
    pending, sent, sent_opened, sent_answered, opened, answered, expired, withdrawn = (
        int(v or 0) for v in query.tuples().get())
    return InvitationCounts(pending=pending, sent=sent + sent_opened + sent_answered, opened=opened,
                            answered=answered, expired=expired, withdrawn=withdrawn)


@dataclass
class AnonymousCounts:
    counted: int = 0  # anonymous responses whose month holds enough of them: they enter the figures
    hidden: int = 0  # anonymous responses left out of the scores (their month holds too few)


def anonymous_counts(filters: Filters, comments_only: bool = False) -> AnonymousCounts:
    """The anonymous responses the lists leave out, as the figures treat them (one query); with
    ``comments_only``, ``counted`` is those with a comment."""
    R = SurveyResponse
    rows = (responses(filters, (fn.COUNT(R.id), _count_if(R.has_comment == True)))  # noqa: E712
            .where(R.anonymous == True).group_by(R.month).tuples())  # noqa: E712
    minimum, result = min_anonymous(), AnonymousCounts()
    for n, with_comment in rows:
        if n >= minimum:
            result.counted += int(with_comment if comments_only else n)
        else:
            result.hidden += int(n)
    return result


# ----- lists behind the figures -----

def listing(filters: Filters, comments_only: bool = False):
    """Named responses newest day first with their client, case, area and responsible (one query);
    anonymous ones only ever count (``count_anonymous``)."""
    R = SurveyResponse
    query = (responses(filters, (R, Client.id, Client.name, LegalCase.id, LegalCase.title, PracticeArea.id,
                                 PracticeArea.name, User.id, User.name, SurveyTemplate.id, SurveyTemplate.name,
                                 SurveyTemplate.version))
             .join(Client, JOIN.LEFT_OUTER, on=(R.client == Client.id))
             .switch(R).join(LegalCase, JOIN.LEFT_OUTER, on=(R.case == LegalCase.id))
             .switch(R).join(PracticeArea, JOIN.LEFT_OUTER, on=(R.practice_area == PracticeArea.id))
             .switch(R).join(User, JOIN.LEFT_OUTER, on=(R.responsible == User.id))
             .switch(R).join(SurveyTemplate, on=(R.template == SurveyTemplate.id))
             .where(R.anonymous == False, Client.reachable())  # noqa: E712 (a blocked client's: out of reach)
             .order_by(R.answered_on.desc(), R.id.desc()))
    if comments_only:
        query = query.where(R.has_comment == True)  # noqa: E712
    return query


def count(filters: Filters, comments_only: bool = False) -> int:
    """Named responses (the anonymous ones the lists leave out: ``anonymous_counts``)."""
    query = responses(filters).where(SurveyResponse.anonymous == False,  # noqa: E712
                                     Client.reachable_by(SurveyResponse.client))
    if comments_only:
        query = query.where(SurveyResponse.has_comment == True)  # noqa: E712
    return count_rows(query)


@dataclass
class Scores:
    by_criterion: dict = field(default_factory=dict)  # criterion → score 1–5
    comments: list = field(default_factory=list)
    others: list = field(default_factory=list)  # (question text, answer) for choice and yes/no questions


def scores_of(response_ids) -> dict[int, Scores]:
    """The answers of these responses, per response (one query)."""
    result = {rid: Scores() for rid in response_ids}
    if not response_ids:
        return result
    A, Q = SurveyAnswer, SurveyQuestion
    rows = (A.select(A.response, A.criterion, A.score, A.value, Q.kind, Q.text).join(Q, on=(A.question == Q.id))
            .where(A.response.in_(list(response_ids))).order_by(A.response, Q.position, Q.id).tuples())
    for rid, criterion, score, value, kind, text in rows:
        _add(result[rid], criterion, score, value, kind, text)
    return result


def _add(scores: Scores, criterion, score, value, kind, text):
    if kind == "rating" and criterion:
        scores.by_criterion[criterion] = score
    elif kind == "text" and value:
        scores.comments.append(value)
    elif kind == "choice" and value:
        scores.others.append((text, value))
    elif kind == "yes_no" and score is not None:
        scores.others.append((text, score))


def filter_choices():
    """Options of the filters: practice areas, responsibles who have answers, template families."""
    areas = list(PracticeArea.all_ordered())
    people = list(User.select(User.id, User.name).where(
        User.id.in_(SurveyResponse.select(SurveyResponse.responsible).where(SurveyResponse.responsible.is_null(False))
                    .distinct())).order_by(User.name))
    families = list(SurveyTemplate.select(SurveyTemplate.family, SurveyTemplate.name)
                    .where(SurveyTemplate.is_current == True).order_by(SurveyTemplate.name).tuples())  # noqa: E712
    return areas, people, families


# ----- export -----

def anonymous_row(filters: Filters, yes: str = "Sí", label: str = "Respuestas anónimas: {n} (promedios)"):
    """The export's one row for the anonymous responses that enter the figures (``trend``'s rule: months
    holding at least ``min_anonymous()``), or None: the period as ``start/end``, their number, the average
    of each criterion, of the NPS and of all ratings, and how many had a low score; no comment (one query)."""
    R = SurveyResponse
    columns = (fn.COUNT(R.id), fn.COALESCE(fn.SUM(R.ratings_sum), 0), fn.COALESCE(fn.SUM(R.ratings_count), 0),
               fn.COALESCE(fn.SUM(R.nps), 0), fn.COUNT(R.nps), _count_if(R.low_score == True),  # noqa: E712
               *_criteria_columns())
    rows = responses(filters, columns).where(R.anonymous == True).group_by(R.month).tuples()  # noqa: E712
    minimum = min_anonymous()
    sums = [0] * len(columns)
    for row in rows:
        if row[0] >= minimum:
            sums = [a + int(b or 0) for a, b in zip(sums, row, strict=True)]
    n, ratings_sum, ratings_count, nps_sum, nps_n, low, *by_criterion = sums
    if not n:
        return None

    def average(total_, count_):
        return round(total_ / count_, 2) if count_ else ""

    return ([f"{filters.start.isoformat()}/{filters.end.isoformat()}", label.format(n=n), yes, "", "", "", ""]
            + [average(by_criterion[3 * i], by_criterion[3 * i + 1]) for i in range(len(CRITERIA))]
            + [average(nps_sum, nps_n), average(ratings_sum, ratings_count), low, "", ""])


def export_rows(filters: Filters, yes: str = "Sí", no: str = "No", chunk: int = 2000):
    """Rows for CSV/XLSX of the named responses, newest first, in the order of the blueprint's headers: day,
    survey, anonymous ("No": anonymous responses are never exported one by one), client, case,
    practice area, responsible, one score per criterion (CRITERIA order), NPS, average rating, low score,
    other answers, comments; then, when some enter the figures, one summary row of the anonymous ones
    (``anonymous_row``)."""
    yield from _named_rows(filters, yes, no, chunk)
    anonymous = anonymous_row(filters, yes)
    if anonymous is not None:
        yield anonymous


def _named_rows(filters: Filters, yes: str, no: str, chunk: int):
    query = listing(filters)
    offset = 0
    while True:
        page = list(query.limit(chunk).offset(offset))
        if not page:
            break
        scores = scores_of([r.id for r in page])
        for r in page:
            s = scores[r.id]
            named = not r.anonymous
            average = round(r.ratings_sum / r.ratings_count, 2) if r.ratings_count else ""
            yield ([r.answered_on, f"{r.template.name} v{r.template.version}", yes if r.anonymous else no,
                    r.client.name if named and r.client_id else "",
                    r.case.code if named and r.case_id else "",
                    r.practice_area.name if named and r.practice_area_id else "",
                    r.responsible.name if named and r.responsible_id else ""]
                   + [s.by_criterion.get(c, "") for c in CRITERIA]
                   + ["" if r.nps is None else r.nps, average, yes if r.low_score else no,
                      " | ".join(f"{text}: {yes if v == 1 else no if v == 0 else v}" for text, v in s.others),
                      " | ".join(s.comments)])
        offset += chunk

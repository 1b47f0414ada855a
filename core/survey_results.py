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
- **response rate**: answered invitations over invitations that reached the client (sent, opened or
  answered).

Anonymous responses count in every figure and nowhere else: the lists of responses and comments and the
exports leave them out (the pages say how many were left out), so no staff view shows one by one an answer
that could be matched to a client.
"""

from dataclasses import dataclass, field
from datetime import date

from peewee import JOIN, Case, fn

from core.db import utcnow
from core.i18n import today_local
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

@dataclass
class Summary:
    responses: int = 0
    ratings: int = 0
    ratings_high: int = 0
    ratings_sum: int = 0
    nps_answers: int = 0
    promoters: int = 0
    passives: int = 0
    detractors: int = 0
    comments: int = 0
    low_scores: int = 0
    anonymous: int = 0

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


def _summary_columns():
    R = SurveyResponse
    return (fn.COUNT(R.id), fn.COALESCE(fn.SUM(R.ratings_count), 0), fn.COALESCE(fn.SUM(R.ratings_high), 0),
            fn.COALESCE(fn.SUM(R.ratings_sum), 0), fn.COUNT(R.nps), _count_if(R.nps >= 9),
            _count_if(R.nps.between(7, 8)), _count_if(R.nps <= 6), _count_if(R.has_comment == True),  # noqa: E712
            _count_if(R.low_score == True), _count_if(R.anonymous == True))  # noqa: E712


def summary(filters: Filters) -> Summary:
    row = responses(filters, _summary_columns()).tuples().get()
    return Summary(*(int(v or 0) for v in row))


@dataclass
class MonthPoint:
    month: date
    summary: Summary


def trend(filters: Filters) -> list[MonthPoint]:
    """One point per month of the period (months without answers included); one query."""
    R = SurveyResponse
    rows = responses(filters, (R.month, *_summary_columns())).group_by(R.month).tuples()
    by_month = {(m if isinstance(m, date) else date.fromisoformat(str(m))): Summary(*(int(v or 0) for v in rest))
                for m, *rest in rows}
    return [MonthPoint(m, by_month.get(m, Summary())) for m in months_between(filters.start, filters.end)]


def total(points: list[MonthPoint]) -> Summary:
    """The period's figures from its months (the same rows, already aggregated: no second scan)."""
    names = [f.name for f in Summary.__dataclass_fields__.values()]
    return Summary(*(sum(getattr(p.summary, n) for p in points) for n in names))


@dataclass
class CriterionAverage:
    criterion: str
    average: float | None
    answers: int
    high: int

    @property
    def satisfaction_rate(self) -> float | None:
        return 100.0 * self.high / self.answers if self.answers else None


def _criteria_columns():
    """AVG, COUNT and the count of 4s and 5s of each criterion's column, in CRITERIA order."""
    columns = []
    for criterion in CRITERIA:
        column = SurveyResponse.criterion_field(criterion)
        columns += [fn.AVG(column), fn.COUNT(column), _count_if(column >= 4)]
    return columns


def criteria(filters: Filters) -> list[CriterionAverage]:
    """Average rating (1–5) per evaluation criterion, in the material's order: one aggregate over the
    responses' ``c_<criterion>`` columns (the same rows as the other figures, not their answers)."""
    row = responses(filters, _criteria_columns()).tuples().get()
    out = []
    for i, criterion in enumerate(CRITERIA):
        avg, n, high = row[3 * i:3 * i + 3]
        out.append(CriterionAverage(criterion, float(avg) if avg is not None else None, int(n or 0), int(high or 0)))
    return out


@dataclass
class InvitationCounts:
    total: int = 0
    pending: int = 0
    sent: int = 0  # reached the client: sent, opened or answered
    opened: int = 0
    answered: int = 0
    expired: int = 0
    withdrawn: int = 0

    @property
    def response_rate(self) -> float | None:
        return 100.0 * self.answered / self.sent if self.sent else None


def invitations(filters: Filters, now=None) -> InvitationCounts:
    """Invitations due in the period (``send_on``), by status; one query. An expired one is either marked
    so or still live past its expiry."""
    now = now or utcnow()
    I = SurveyInvitation  # noqa: E741
    live = I.status.in_(("pending", "sent", "opened"))
    reached = I.sent_at.is_null(False) | I.opened_at.is_null(False) | (I.status == "answered")
    query = (I.select(fn.COUNT(I.id), _count_if((I.status == "pending") & (I.expires_at > now)), _count_if(reached),
                      _count_if(I.opened_at.is_null(False)), _count_if(I.status == "answered"),
                      _count_if((I.status == "expired") | (live & (I.expires_at <= now))),
                      _count_if(I.status == "withdrawn"))
             .where(I.send_on >= filters.start, I.send_on <= filters.end))
    if filters.practice_area:  # copied from the case, else the client, when invited (index area, send_on)
        query = query.where(I.practice_area == filters.practice_area)
    if filters.responsible:
        query = query.where(I.responsible == filters.responsible)
    if filters.family:
        query = query.where(I.template.in_(_templates_of(filters.family)))
    total, pending, sent, opened, answered, expired, withdrawn = (int(v or 0) for v in query.tuples().get())
    return InvitationCounts(total, pending, sent, opened, answered, expired, withdrawn)


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
             .where(R.anonymous == False)  # noqa: E712
             .order_by(R.answered_on.desc(), R.id.desc()))
    if comments_only:
        query = query.where(R.has_comment == True)  # noqa: E712
    return query


def count(filters: Filters, comments_only: bool = False, anonymous: bool = False) -> int:
    """Named responses (or, with ``anonymous``, the anonymous ones the lists leave out)."""
    query = responses(filters).where(SurveyResponse.anonymous == anonymous)
    if comments_only:
        query = query.where(SurveyResponse.has_comment == True)  # noqa: E712
    return query.count()


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

def export_rows(filters: Filters, yes: str = "Sí", no: str = "No", chunk: int = 2000):
    """Rows for CSV/XLSX of the named responses, newest first, in the order of the blueprint's headers: day,
    survey, anonymous (always "No": anonymous responses are never exported one by one), client, case,
    practice area, responsible, one score per criterion (CRITERIA order), NPS, average rating, low score,
    other answers, comments."""
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
            yield ([r.answered_on.isoformat(), f"{r.template.name} v{r.template.version}", yes if r.anonymous else no,
                    r.client.name if named and r.client_id else "",
                    r.case.code if named and r.case_id else "",
                    r.practice_area.name if named and r.practice_area_id else "",
                    r.responsible.name if named and r.responsible_id else ""]
                   + [s.by_criterion.get(c, "") for c in CRITERIA]
                   + ["" if r.nps is None else r.nps, average, yes if r.low_score else no,
                      " | ".join(f"{text}: {yes if v == 1 else no if v == 0 else v}" for text, v in s.others),
                      " | ".join(s.comments)])
        offset += chunk

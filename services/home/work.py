"""My work queue: what is due for one person, built once for the queue page and the start page's
"Para hoy" card.

One query finds the person's open cases and clients (their ids, for the sections that come from them); one
more tallies every section (how many, how many overdue: a UNION ALL of one aggregate per section, on the
section's own table); then one query per section that has rows fetches its first rows, with what they link to
already joined and only the columns the page shows. An empty section costs nothing beyond its line in the
tally, and the card (``limit=0``) is those two queries. A long section shows its first ``PER_SECTION`` rows
and the rest comes on demand (``tail``: one query, two for documents and questions). Rows come oldest due
first, so overdue ones lead; sections with overdue items come before the others."""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from functools import reduce

from flask import current_app
from peewee import Case as SqlCase
from peewee import Field, Value, fn

from core import audit
from core.db import transaction, utcnow
from core.i18n import to_local, to_utc
from models.cases import Case, CaseMember, Intervention
from models.clients import Client
from models.commercial import Contract
from models.complaints import Complaint, CrisisIncident
from models.documents import Deadline, DocumentItem
from models.interactions import Interaction
from models.manual import ManualAck, ManualDocument, ManualReview, ManualVersion
from models.privacy import DataSubjectRequest
from models.quality import ImprovementAction
from models.surveys import SurveyInvitation
from models.tasks import Task
from services import loyalty
from services.complaints import labels as complaint_labels

SECTIONS = ("crisis", "deadlines", "interventions", "tasks", "complaints", "actions", "privacy", "documents",
            "questions", "surveys", "updates", "renewals", "reading", "manual_reviews")
FULL_LIST = 500  # "ver todos": one section alone, up to this many rows
PER_SECTION = 10  # first rows of each section on the whole queue; "Ver N más" brings the rest (up to FULL_LIST)

# What each section's rows show (templates/home/_work_<key>.html): these columns, and the joined rows they
# link to, are all that is fetched (a survey row also keeps its invitation columns, see cases_to_survey).
COLUMNS = {
    "crisis": (CrisisIncident.id, CrisisIncident.escalated_at, CrisisIncident.client, Client.id, Client.name),
    "deadlines": (Deadline.id, Deadline.description, Deadline.kind, Deadline.due_at, Deadline.case, Case.id,
                  Case.client, Client.id, Client.name),
    "interventions": (Intervention.id, Intervention.purpose, Intervention.place, Intervention.starts_at,
                      Intervention.case, Case.id, Case.client, Client.id, Client.name),
    "tasks": (Task.id, Task.kind, Task.title, Task.due_on, Task.case, Task.client, Client.id, Client.name),
    "complaints": (Complaint.id, Complaint.number, Complaint.kind, Complaint.status, Complaint.response_due_at,
                   Complaint.due_at, Complaint.client, Complaint.walk_in_name, Client.id, Client.name),
    "actions": (ImprovementAction.id, ImprovementAction.title, ImprovementAction.due_on),
    "privacy": (DataSubjectRequest.id, DataSubjectRequest.kind, DataSubjectRequest.due_on,
                DataSubjectRequest.extended_due_on, DataSubjectRequest.escalate_from, DataSubjectRequest.status,
                DataSubjectRequest.client, Client.id, Client.name),
    "documents": (DocumentItem.id, DocumentItem.name, DocumentItem.status, DocumentItem.review_on, DocumentItem.case,
                  Case.id, Case.client, Client.id, Client.name),
    "questions": (Interaction.id, Interaction.kind, Interaction.summary, Interaction.confidential,
                  Interaction.occurred_at, Interaction.case, Interaction.client, Client.id, Client.name),
    "surveys": (Case.id, Case.title, Case.survey_due_on, Case.client, Client.id, Client.name),
    "updates": (Client.id, Client.name, Client.last_update_at),
    "renewals": (Contract.id, Contract.end_date, Contract.client, Client.id, Client.name),
    "reading": (ManualAck.id, ManualAck.requested_on, ManualAck.document, ManualAck.version, ManualDocument.id,
                ManualDocument.code, ManualDocument.title, ManualVersion.id, ManualVersion.number),
    "manual_reviews": (ManualDocument.id, ManualDocument.code, ManualDocument.title, ManualDocument.next_review_on),
}


@dataclass
class Section:
    key: str
    count: int = 0
    overdue: int = 0
    rows: list = field(default_factory=list)

    @property
    def more(self) -> bool:
        return self.count > len(self.rows)


def _mine(user_id: int) -> tuple[list[int], list[int]]:
    """The person's open cases (responsible or team member) and clients, in one query. Literal id lists let the
    planner walk the per-case and per-client indexes (SQLite has no statistics to prefer them to a subquery)."""
    reachable = Client.reachable_by(Case.client)  # a blocked client's cases and the client itself are out of reach
    cases = (Case.select(Value(0).alias("kind"), Case.id)
             .where(Case.responsible == user_id, Case.status != "closed", reachable))
    team = (Case.select(Value(0), Case.id).join(CaseMember)
            .where(CaseMember.user == user_id, Case.status != "closed", reachable))
    clients = Client.select(Value(1), Client.id).where(Client.responsible == user_id, Client.reachable())
    found = ([], [])
    for kind, row_id in (cases | team | clients).tuples():
        found[kind].append(row_id)
    return sorted(found[0]), sorted(found[1])


def _queries(user_id: int, today, now, only: str | None = None) -> dict:
    """Per section (all, or ``only`` that one): (rows query without limit, model counted, overdue condition or
    None); None when the person has no case or client the section could come from."""
    day_start = to_utc(datetime.combine(today, time.min))
    day_end = to_utc(datetime.combine(today + timedelta(days=1), time.min))
    days = current_app.config.get("UPDATE_INTERVAL_DAYS", 15)
    case_ids, client_ids = _mine(user_id) if only in (None, "documents", "questions", "renewals") else ([], [])
    specs = {
        "crisis": (CrisisIncident.awaiting_supervisor(user_id), CrisisIncident, None),
        # Ties broken by id, so the first rows and the tail loaded after them never overlap.
        "deadlines": (Deadline.alerting_for(user_id, today, None).order_by(Deadline.due_at, Deadline.id), Deadline,
                      Deadline.due_at < now),
        "interventions": (Intervention.select(Intervention, Case, Client).join(Case).join(Client)
                          .where(Intervention.assigned == user_id, Intervention.status == "planned",
                                 Case.reachable_by(Intervention.case),
                                 Intervention.starts_at < day_end).order_by(Intervention.starts_at, Intervention.id),
                          Intervention, Intervention.starts_at < day_start),
        "tasks": (Task.open_for(user_id, None), Task, Task.due_on < today),
        # Overdue by the due date that matters now: the response while "received", the resolution after.
        "complaints": (Complaint.open_of_owner(user_id), Complaint,
                       Complaint.due_before(now)),
        # Improvement actions I own and have not finished (closed or cancelled), overdue past their due day.
        "actions": (ImprovementAction.open_of_owner(user_id), ImprovementAction, ImprovementAction.due_on < today),
        # Data-subject requests assigned to me and still open; escalated (counted as overdue) from two business days
        # before their legal deadline.
        "privacy": (DataSubjectRequest.open_of_assignee(user_id), DataSubjectRequest,
                    DataSubjectRequest.escalate_from <= today),
        "documents": (DocumentItem.to_review_for(user_id, today, None, case_ids=case_ids), DocumentItem,
                      DocumentItem.review_on < today) if case_ids else None,
        "questions": (Interaction.unanswered_of(client_ids).select_extend(Client).join(Client)
                      .order_by(Interaction.occurred_at, Interaction.id), Interaction, None) if client_ids else None,
        "surveys": (SurveyInvitation.cases_to_survey(user_id, today), Case, Case.survey_due_on < today),
        "updates": (Client.stale_of(user_id, now - timedelta(days=days)), Client, None),
        # Contracts of my clients awaiting a renewal decision (PRO 008 §5.5.3): overdue once ended.
        "renewals": (Contract.select(Contract, Client).join(Client)
                     .where(Contract.client.in_(client_ids),
                            loyalty.pending(today, current_app.config.get("RENEWAL_WINDOW_DAYS", 60), by_client=True))
                     .order_by(Contract.end_date, Contract.id), Contract, Contract.end_date < today)
        if client_ids else None,
        # The manual (issue 17): versions in force that concern my role and I have not acknowledged; the documents
        # I own whose periodic review is near (MANUAL_REVIEW_REMINDER_DAYS) or past, overdue past its day.
        "reading": (ManualAck.pending_of(user_id), ManualAck, None),
        "manual_reviews": (ManualReview.due_for(user_id, today + timedelta(days=max(
            current_app.config.get("MANUAL_REVIEW_REMINDER_DAYS", (30,)) or (0,)))), ManualDocument,
            ManualDocument.next_review_on < today),
    }
    return {key: spec for key, spec in specs.items() if not only or key == only}


def _tallies(specs: dict) -> dict[str, tuple[int, int]]:
    """{section: (how many, how many overdue)} in one query: each section's aggregate, UNION ALL."""
    specs = {key: spec for key, spec in specs.items() if spec is not None}
    if not specs:
        return {}
    parts = []
    for number, (query, model, late) in enumerate(specs.values()):
        overdue = fn.SUM(SqlCase(None, [(late, 1)], 0)) if late is not None else Value(0)
        # The section's own conditions on its own table: the joins only bring what a row shows, and each joins a
        # required foreign key (an inner join on one never drops a row) or is a left join, so they count nothing.
        parts.append(model.select(Value(number).alias("section"), fn.COUNT(model.id).alias("n"), overdue.alias("late"))
                     .where(query._where))
    keys = list(specs)
    return {keys[row[0]]: (int(row[1] or 0), int(row[2] or 0)) for row in reduce(lambda a, b: a + b, parts).tuples()}


def _rows(key: str, query, limit: int, offset: int = 0) -> list:
    """A section's rows, the columns it shows only (and any computed column the query adds, as the survey's)."""
    computed = [c for c in query.selected_columns if not isinstance(c, (Field, type))]
    return list(query.select(*COLUMNS[key], *computed).limit(limit).offset(offset or None))


def queue_for(user, today, limit: int = PER_SECTION, now=None, only: str | None = None) -> list[Section]:
    """The sections of one person's queue; ``limit=0`` gives the counts alone (the start page's card)."""
    now = now or utcnow()
    specs = _queries(user.id, today, now, only)
    tallies = _tallies(specs)
    sections = []
    for key, spec in specs.items():
        count, overdue = tallies.get(key, (0, 0))
        rows = _rows(key, spec[0], limit) if limit and count else []
        sections.append(Section(key, count, overdue, rows))
    # A client in crisis waiting for me leads; then sections with overdue items (stable otherwise).
    return sorted(sections, key=lambda s: (not (s.key == "crisis" and s.count), s.overdue == 0))


def tail(user, today, key: str, start: int, now=None) -> tuple[list, bool]:
    """A section's rows after its first ``start``, up to FULL_LIST in all, and whether there are more: one query."""
    spec = _queries(user.id, today, now or utcnow(), key)[key]
    if spec is None:
        return [], False
    rows = _rows(key, spec[0], FULL_LIST - start + 1, start)
    return rows[:FULL_LIST - start], len(rows) > FULL_LIST - start


def totals(sections: list[Section]) -> dict:
    return {"count": sum(s.count for s in sections), "overdue": sum(s.overdue for s in sections)}


def page_context(user, today, only: str | None = None, feed_url: str | None = None, with_queue: bool = True) -> dict:
    """What templates/home/work.html needs (the queue page, and the calendar card's answers), the words of the
    complaint rows included."""
    from models.documents import CalendarFeed

    only = only if only in SECTIONS else None
    sections = queue_for(user, today, FULL_LIST if only else PER_SECTION, only=only) if with_queue else []
    return {"sections": sections, "totals": totals(sections), "today": today, "now": utcnow(), "only": only,
            "feed": CalendarFeed.get_or_none(CalendarFeed.user == user.id), "feed_url": feed_url, "to_local": to_local,
            "complaint_labels": complaint_labels}


def tail_context(user, today, key: str, start: int) -> dict:
    """What templates/home/_work_tail.html needs: the rows of one section after its first ``start``."""
    rows, more = tail(user, today, key, start)
    return {"key": key, "rows": rows, "more": more, "shown": start + len(rows), "today": today, "now": utcnow(),
            "to_local": to_local, "complaint_labels": complaint_labels}


def mark_task_done(task: Task, user, note: str = "") -> bool:
    """False when the task was already done (by someone else meanwhile)."""
    values = {"done_at": utcnow(), "done_by": user.id, "updated_at": utcnow()}
    if note:
        values["note"] = note
    with transaction():
        changed = Task.update(**values).where(Task.id == task.id, Task.done_at.is_null()).execute()
        if changed:
            audit.record("task_done", task, actor=user, fields=["done_at", "done_by"], detail=f"kind={task.kind}")
    return bool(changed)

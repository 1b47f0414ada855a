"""My work queue: what is due for one person, built once for the queue page and the start page's
"Para hoy" card.

Each section is two queries whatever its size: a tally (how many, how many overdue) and up to ``limit``
rows with what they link to already joined; two more fetch the person's case and client ids first. Rows come oldest due first, so overdue ones lead; sections with
overdue items come before the others.
"""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from flask import current_app
from peewee import Case as SqlCase
from peewee import fn

from core import audit
from core.db import transaction, utcnow
from core.i18n import to_local, to_utc
from models.cases import Case, CaseMember, Intervention
from models.clients import Client
from models.complaints import Complaint, CrisisIncident
from models.documents import Deadline, DocumentItem
from models.interactions import Interaction
from models.quality import ImprovementAction
from models.surveys import SurveyInvitation
from models.tasks import Task
from services.complaints import labels as complaint_labels

SECTIONS = ("crisis", "deadlines", "interventions", "tasks", "complaints", "actions", "documents", "questions",
            "surveys", "updates")
FULL_LIST = 500  # "ver todos": one section alone, up to this many rows
PER_SECTION = 25  # rows per section on the whole queue (each section says how many more there are)


@dataclass
class Section:
    key: str
    count: int = 0
    overdue: int = 0
    rows: list = field(default_factory=list)

    @property
    def more(self) -> bool:
        return self.count > len(self.rows)


def _tally(query, model, late=None) -> tuple[int, int]:
    columns = [fn.COUNT(model.id).alias("n")]
    if late is not None:
        columns.append(fn.SUM(SqlCase(None, [(late, 1)], 0)).alias("late"))
    row = query.select(*columns).order_by().limit(None).dicts().get()
    return int(row["n"] or 0), int(row.get("late") or 0)


def _queries(user_id: int, today, now) -> dict:
    """Per section: (rows query without limit, model counted, overdue condition or None); None when the
    person has no case or client the section could come from."""
    day_start = to_utc(datetime.combine(today, time.min))
    day_end = to_utc(datetime.combine(today + timedelta(days=1), time.min))
    days = current_app.config.get("UPDATE_INTERVAL_DAYS", 15)
    # Literal id lists (two small queries) let the planner walk the per-case and per-client indexes.
    case_ids = [c for (c,) in Case.select(Case.id).where(Case.responsible == user_id, Case.status != "closed")
                .union(Case.select(Case.id).join(CaseMember).where(CaseMember.user == user_id, Case.status != "closed"))
                .tuples()]
    client_ids = [c for (c,) in Client.select(Client.id).where(Client.responsible == user_id).tuples()]
    return {
        "crisis": (CrisisIncident.awaiting_supervisor(user_id), CrisisIncident, None),
        "deadlines": (Deadline.alerting_for(user_id, today, None), Deadline, Deadline.due_at < now),
        "interventions": (Intervention.select(Intervention, Case, Client).join(Case).join(Client)
                          .where(Intervention.assigned == user_id, Intervention.status == "planned",
                                 Intervention.starts_at < day_end).order_by(Intervention.starts_at),
                          Intervention, Intervention.starts_at < day_start),
        "tasks": (Task.open_for(user_id, None), Task, Task.due_on < today),
        # Overdue by the due date that matters now: the response while "received", the resolution after.
        "complaints": (Complaint.open_of_owner(user_id), Complaint,
                       Complaint.due_before(now)),
        # Improvement actions I own and have not finished (closed or cancelled), overdue past their due day.
        "actions": (ImprovementAction.open_of_owner(user_id), ImprovementAction, ImprovementAction.due_on < today),
        "documents": (DocumentItem.to_review_for(user_id, today, None, case_ids=case_ids), DocumentItem,
                      DocumentItem.review_on < today) if case_ids else None,
        "questions": (Interaction.unanswered_of(client_ids).select_extend(Client).join(Client)
                      .order_by(Interaction.occurred_at, Interaction.id), Interaction, None) if client_ids else None,
        "surveys": (SurveyInvitation.cases_to_survey(user_id, today), Case, Case.survey_due_on < today),
        "updates": (Client.stale_of(user_id, now - timedelta(days=days)), Client, None) if client_ids else None,
    }


def queue_for(user, today, limit: int = PER_SECTION, now=None, only: str | None = None) -> list[Section]:
    """The sections of one person's queue; ``limit=0`` gives the counts alone (the start page's card)."""
    now = now or utcnow()
    sections = []
    for key, spec in _queries(user.id, today, now).items():
        if only and key != only:
            continue
        if spec is None:
            sections.append(Section(key))
            continue
        query, model, late = spec
        count, overdue = _tally(query, model, late)
        rows = list(query.limit(limit)) if limit and count else []
        sections.append(Section(key, count, overdue, rows))
    # A client in crisis waiting for me leads; then sections with overdue items (stable otherwise).
    return sorted(sections, key=lambda s: (not (s.key == "crisis" and s.count), s.overdue == 0))


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

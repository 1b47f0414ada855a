"""The complaints register ("Registro de Quejas y Solicitudes", PRO-008 §5.4 and §6): opening a complaint,
claim, request, query, suggestion or compliment with its due dates, moving it through its states, informing
the client, reopening, reassigning, and the escalation digests. Every write carries its audit row in the
same transaction (DESIGN.md §3).

Rules, as the firm applies them:

- **Number.** ``Q-YYYY-NNNNN``: the local year the complaint was received and a sequence that restarts each
  year. It is taken as the year's highest number plus one inside a savepoint; a concurrent registration that
  took the same number first makes the insert fail on the unique index and the next number is tried.
- **Due dates.** The SLA rule of the kind and severity (``SlaRule``, in business days) gives a response due
  date and a resolution due date, each the **end of that local business day** (23:59:59 in the firm's time
  zone, stored in UTC), counted with ``services.documents.calendar.add_business_days`` from the local day it was received
  (that day is not counted). Without a rule: ``DEFAULT_SLA`` — high severity 1 business day to answer and 3
  to resolve, medium 1 and 5, low 2 and 10. A compliment (``NO_SLA_KINDS``) owes nothing: no due dates, never
  near breach or breached, never escalated.
- **States.** ``received → analysis → resolution → resolved → closed``. Leaving "received" records the first
  response. Resolving needs the root cause and the actions taken. **Closing needs the client informed of the
  actions** (when and how); the client's agreement (agreed, disagreed, no answer) is recorded with it.
  Reopening (from resolved or closed) goes back to analysis, counts in ``reopened``, asks to inform the client
  again and gives a new resolution due date from the day it is reopened; the history keeps every step.
- **SLA state** of an open complaint: the due date that matters is the response due date while it is still
  "received" and the resolution due date afterwards. It is *breached* once that moment has passed and *near
  breach* when it falls before the end of the next business day (due today or on the next business day).
- **Escalation** (``escalation_digests``, run by ``flask jobs run``): an open complaint that becomes near breach
  alerts its owner; one that is breached alerts its owner and the supervisors (active users with the quality
  or management role, and the owner's own supervisor). Each person gets **one digest per run** listing all
  their items. The alert level already sent is claimed with a conditional UPDATE in the transaction that
  queues the mails, so a second run — or two runs at the same time — sends nothing new. Moving out of
  "received" and reopening reset the level, so the next due date alerts again.
"""

from collections import defaultdict
from datetime import datetime, time, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from peewee import IntegrityError, fn

from core import audit, links, mail
from core.db import db, transaction, utcnow
from core.i18n import format_event, to_local, to_utc
from models.catalog import PracticeArea
from models.complaints import (
    AGREEMENT,
    ALERT_BREACH,
    ALERT_NEAR,
    ALERT_NONE,
    CHANNELS,
    KINDS,
    NO_SLA_KINDS,
    OPEN_STATES,
    SEVERITIES,
    SLA_KINDS,
    SOURCES,
    Complaint,
    ComplaintCategory,
    ComplaintStatusChange,
    SlaRule,
)
from models.users import User, UserRole
from services.complaints import labels
from services.documents import calendar

# (response, resolution) business days when no SlaRule matches the kind and severity.
DEFAULT_SLA = {"high": (1, 3), "medium": (1, 5), "low": (2, 10)}
TRANSITIONS = {
    "received": ("analysis",),
    "analysis": ("resolution", "resolved"),
    "resolution": ("resolved",),
    "resolved": ("closed",),
    "closed": (),
}
REOPENABLE = ("resolved", "closed")
# How the client was told of the actions; "anonymous" only when there is no one to tell.
INFORMED_CHANNELS = ("in_person", "phone", "email", "letter", "messaging", "anonymous")
SUPERVISOR_ROLES = ("quality", "management")
END_OF_DAY = time(23, 59, 59)


class ComplaintError(ValueError):
    pass


# ----- due dates and SLA state -----

def sla_days(kind: str, severity: str) -> tuple[int, int]:
    rule = SlaRule.get_or_none(SlaRule.kind == kind, SlaRule.severity == severity)
    if rule is not None:
        return rule.response_days, rule.resolution_days
    return DEFAULT_SLA.get(severity, DEFAULT_SLA["medium"])


def end_of_business_day(start_local_day, days: int):
    """UTC moment at which the ``days``-th business day after ``start_local_day`` ends (local 23:59:59)."""
    day = calendar.add_business_days(start_local_day, days)
    return to_utc(datetime.combine(day, END_OF_DAY))


def due_dates(kind: str, severity: str, received_at) -> tuple[datetime | None, datetime | None]:
    """(response due, resolution due), UTC, for a complaint received at ``received_at`` (UTC); (None, None)
    for a kind without SLA."""
    if kind in NO_SLA_KINDS:
        return None, None
    response_days, resolution_days = sla_days(kind, severity)
    day = to_local(received_at).date()
    return end_of_business_day(day, response_days), end_of_business_day(day, resolution_days)


def near_horizon(now):
    """Anything due before this moment (UTC) is near breach: the end of the next business day, local."""
    today = to_local(now).date()
    return end_of_business_day(today, 1)


def sla_state(complaint: Complaint, now, horizon=None) -> str:
    """"done" (resolved or closed), "none" (a kind without SLA), "breached", "near" or "ok" (within SLA)."""
    if complaint.status not in OPEN_STATES:
        return "done"
    due = complaint.current_due_at
    if due is None:
        return "none"
    if due <= now:
        return "breached"
    return "near" if due <= (horizon or near_horizon(now)) else "ok"


# ----- opening -----

def _next_number(year: int) -> str:
    prefix = f"Q-{year}-"
    last = Complaint.last_number(prefix)
    seq = int(last[len(prefix):]) + 1 if last else 1
    return f"{prefix}{seq:05d}"


def _link(complaint: Complaint) -> str:
    """Absolute link to the complaint page, from BASE_URL (works in jobs, without a request)."""
    return links.absolute("complaints.show", complaint_id=complaint.id)


def _notify_owner(complaint: Complaint, owner: User) -> None:
    with force_locale(owner.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject = _("New complaint assigned: %(number)s", number=complaint.number)
        mail.queue(owner.email, subject, "mail/complaint_assigned", user=owner, complaint=complaint,
                   link=_link(complaint), due=complaint.due_at, complaint_labels=labels)


def open_complaint(*, kind, description, owner, client=None, case=None, channel="email", severity="medium",
                   source="manual", survey_response=None, actor=None, received_at=None, category=None,
                   walk_in_name="", walk_in_contact="") -> Complaint:
    """Register a complaint (or claim, request, query, suggestion, compliment) and tell its owner.

    ``client``/``case``/``owner``/``category``/``actor`` may be model instances or ids; ``received_at`` is
    UTC (defaults to now); ``survey_response`` is a SurveyResponse id (or instance) when a low score opened it.
    Raises ComplaintError for a value outside the catalog or a case of another client."""
    if kind not in KINDS or severity not in SEVERITIES or channel not in CHANNELS or source not in SOURCES:
        raise ComplaintError(_("Unknown kind, severity, channel or source."))
    description = (description or "").strip()
    if not description:
        raise ComplaintError(_("Describe the complaint."))
    owner = owner if isinstance(owner, User) else User.get_by_id(owner)
    client_id = getattr(client, "id", client)
    case_id = getattr(case, "id", case)
    area_id = None
    if case_id:
        from models.cases import Case

        case_row = Case.get_or_none(Case.id == case_id)
        if case_row is None or (client_id and case_row.client_id != client_id):
            raise ComplaintError(_("That case is not one of this client's."))
        client_id = client_id or case_row.client_id
        area_id = case_row.practice_area_id
    if client_id and area_id is None:
        from models.clients import Client

        area_id = Client.select(Client.practice_area).where(Client.id == client_id).scalar()
    received_at = received_at or utcnow()
    response_due, due = due_dates(kind, severity, received_at)
    year = to_local(received_at).year
    values = dict(kind=kind, client=client_id, case=case_id, practice_area=area_id, channel=channel, source=source,
                  survey_response=getattr(survey_response, "id", survey_response), description=description[:8000],
                  category=getattr(category, "id", category), severity=severity, received_at=received_at,
                  owner=owner.id, response_due_at=response_due, due_at=due,
                  walk_in_name="" if client_id else (walk_in_name or "").strip()[:200],
                  walk_in_contact="" if client_id else (walk_in_contact or "").strip()[:200],
                  created_by=getattr(actor, "id", actor))
    with transaction():
        complaint = None
        for _attempt in range(20):
            try:
                with db.atomic():  # a savepoint: a number taken meanwhile fails alone
                    complaint = Complaint.create(number=_next_number(year), **values)
                break
            except IntegrityError:
                continue
        if complaint is None:
            raise ComplaintError(_("Could not number the complaint; try again."))
        ComplaintStatusChange.create(complaint=complaint, from_status="", to_status="received", changed_by=values["created_by"])
        audit.record("complaint_open", complaint, actor=actor if isinstance(actor, User) else None,
                     fields=["kind", "client", "case", "channel", "description", "category", "severity", "owner"],
                     detail=f"{complaint.number} source={source}")
        _notify_owner(complaint, owner)
    return complaint


# ----- handling -----

def _guarded_update(complaint: Complaint, values: dict, expect_status: bool = True) -> None:
    values["updated_at"] = utcnow()
    query = Complaint.update(**values).where(Complaint.id == complaint.id)
    if expect_status:
        query = query.where(Complaint.status == complaint.status)
    if not query.execute():
        raise ComplaintError(_("Someone changed this complaint meanwhile; reload the page."))
    for key, value in values.items():
        setattr(complaint, key, value)


def close_blockers(complaint: Complaint) -> list[str]:
    if not complaint.informed_at or not complaint.informed_channel:
        return [_("The complaint cannot be closed until the client has been informed of the actions taken: "
                  "record when and how they were told.")]
    return []


def change_status(complaint: Complaint, to: str, user, note: str = "") -> None:
    """One step forward in ``received → analysis → resolution → resolved → closed``."""
    if to not in TRANSITIONS.get(complaint.status, ()):
        raise ComplaintError(_("That step is not possible for this complaint now."))
    values = {"status": to}
    if complaint.status == "received":
        values.update(first_response_at=complaint.first_response_at or utcnow(), alert_level=ALERT_NONE)
    if to == "resolved":
        if not complaint.root_cause.strip() or not complaint.actions_taken.strip():
            raise ComplaintError(_("Record the root cause and the actions taken before marking it as resolved."))
        values["resolved_at"] = utcnow()
    if to == "closed":
        blockers = close_blockers(complaint)
        if blockers:
            raise ComplaintError(" ".join(blockers))
        values["closed_at"] = utcnow()
    before = complaint.status
    with transaction():
        _guarded_update(complaint, values)
        ComplaintStatusChange.create(complaint=complaint, from_status=before, to_status=to, note=note[:2000],
                                     changed_by=user)
        audit.record("complaint_status", complaint, actor=user, fields=sorted(values), detail=f"{before}→{to}")


def save_analysis(complaint: Complaint, root_cause: str, actions_taken: str, user) -> None:
    """Root cause and actions taken. Changing either after the client was informed withdraws that record:
    the client has to be told of the new actions before the complaint can close."""
    if complaint.status == "closed":
        raise ComplaintError(_("The complaint is closed: reopen it to change it."))
    values = {"root_cause": root_cause.strip()[:8000], "actions_taken": actions_taken.strip()[:8000]}
    changed = (values["root_cause"], values["actions_taken"]) != (complaint.root_cause, complaint.actions_taken)
    if changed and complaint.informed_at is not None:
        values.update(informed_at=None, informed_channel="", client_agreement="")
    with transaction():
        _guarded_update(complaint, values)
        audit.record("complaint_analysis", complaint, actor=user, fields=sorted(k for k in values if k != "updated_at"),
                     detail=complaint.number + (" informed=cleared" if "informed_at" in values else ""))


def informed_at_error(complaint: Complaint, informed_at) -> str | None:
    """Why the client cannot have been told of the actions at ``informed_at`` (UTC, to the minute), or None:
    not before the complaint arrived, and — once it is resolved — not before its resolution."""
    if informed_at < complaint.received_at.replace(second=0, microsecond=0):
        return _("The client cannot have been informed before the complaint arrived.")
    if complaint.status == "resolved" and complaint.resolved_at and \
            informed_at < complaint.resolved_at.replace(second=0, microsecond=0):
        return _("The client cannot have been informed before the complaint was resolved (%(when)s).",
                 when=format_event(complaint.resolved_at))
    return None


def record_informed(complaint: Complaint, informed_at, channel: str, agreement: str, user) -> None:
    """The client was told of the actions taken (``informed_at`` UTC, how) and what they said."""
    if complaint.status not in ("resolution", "resolved"):
        raise ComplaintError(_("Inform the client once the actions are decided (in resolution or resolved)."))
    if channel not in INFORMED_CHANNELS or agreement not in AGREEMENT:
        raise ComplaintError(_("Choose how the client was informed."))
    if channel == "anonymous" and (complaint.client_id or complaint.walk_in_contact):
        raise ComplaintError(_("This complaint has someone to inform: choose how they were told."))
    if not complaint.actions_taken.strip():
        raise ComplaintError(_("Record the actions taken before informing the client."))
    too_early = informed_at_error(complaint, informed_at)
    if too_early:
        raise ComplaintError(too_early)
    with transaction():
        _guarded_update(complaint, {"informed_at": informed_at, "informed_channel": channel,
                                    "client_agreement": agreement})
        audit.record("complaint_informed", complaint, actor=user,
                     fields=["informed_at", "informed_channel", "client_agreement"], detail=f"{channel} {agreement}")


def reopen(complaint: Complaint, user, reason: str) -> None:
    if complaint.status not in REOPENABLE:
        raise ComplaintError(_("Only a resolved or closed complaint can be reopened."))
    if not (reason or "").strip():
        raise ComplaintError(_("Say why the complaint is reopened."))
    _response_days, resolution_days = sla_days(complaint.kind, complaint.severity)
    before = complaint.status
    values = {"status": "analysis", "reopened": complaint.reopened + 1, "resolved_at": None, "closed_at": None,
              "informed_at": None, "informed_channel": "", "client_agreement": "", "alert_level": ALERT_NONE,
              "due_at": None if complaint.kind in NO_SLA_KINDS
              else end_of_business_day(to_local(utcnow()).date(), resolution_days)}
    with transaction():
        _guarded_update(complaint, values)
        ComplaintStatusChange.create(complaint=complaint, from_status=before, to_status="analysis",
                                     note=reason.strip()[:2000], changed_by=user)
        audit.record("complaint_reopen", complaint, actor=user, fields=["status", "reopened", "due_at"],
                     detail=f"{before}→analysis #{complaint.reopened}")


def change_owner(complaint: Complaint, owner: User, user, note: str = "") -> None:
    if owner.id == complaint.owner_id:
        return
    if complaint.status == "closed":
        raise ComplaintError(_("The complaint is closed: reopen it to change it."))
    before = complaint.owner_id
    with transaction():
        _guarded_update(complaint, {"owner": owner.id}, expect_status=False)
        ComplaintStatusChange.create(complaint=complaint, from_status=complaint.status, to_status=complaint.status,
                                     note=(note or "").strip()[:2000] or f"→ {owner.display_name}", changed_by=user)
        audit.record("complaint_owner", complaint, actor=user, fields=["owner"], detail=f"{before}→{owner.id}")
        _notify_owner(complaint, owner)


# ----- escalation -----

def supervisors() -> list[User]:
    ids = UserRole.select(UserRole.user).where(UserRole.role.in_(SUPERVISOR_ROLES))
    return list(User.select().where(User.id.in_(ids), User.is_active == True))  # noqa: E712


def escalation_digests(now=None) -> int:
    """Claim each complaint's new alert level and queue one digest per person; returns the digests queued."""
    now = now or utcnow()
    horizon = near_horizon(now)
    candidates = list(Complaint.escalation_candidates(now, horizon))
    if not candidates:
        return 0
    chiefs = supervisors()
    owners = {u.id: u for u in User.select().where(User.id.in_({c.owner_id for c in candidates}))}
    direct = {u.id: u for u in User.select().where(
        User.id.in_({o.supervisor_id for o in owners.values() if o.supervisor_id}), User.is_active == True)}  # noqa: E712
    people: dict[int, User] = {}
    items: dict[int, dict[str, list]] = defaultdict(lambda: {"near": [], "breached": [], "team": []})
    sent = 0
    with transaction():
        for complaint in candidates:
            level = ALERT_BREACH if complaint.current_due_at <= now else ALERT_NEAR
            if complaint.alert_level >= level:
                continue
            claimed = (Complaint.update(alert_level=level)
                       .where(Complaint.id == complaint.id, Complaint.alert_level == complaint.alert_level,
                              Complaint.status == complaint.status).execute())
            if not claimed:
                continue  # another run took it, or it moved on meanwhile
            owner = owners[complaint.owner_id]
            if owner.is_active:
                people[owner.id] = owner
                items[owner.id]["breached" if level == ALERT_BREACH else "near"].append(complaint)
            if level == ALERT_BREACH:
                extra = [*chiefs, direct.get(owner.supervisor_id)]
                for chief in extra:
                    if chief is not None and chief.id != owner.id:
                        people[chief.id] = chief
                        if complaint not in items[chief.id]["team"]:
                            items[chief.id]["team"].append(complaint)
        for person_id, groups in items.items():
            person = people[person_id]
            with force_locale(person.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
                total = sum(len(v) for v in groups.values())
                subject = _("Complaints needing attention: %(n)d", n=total)
                mail.queue(person.email, subject, "mail/complaints_digest", user=person,
                           links={c.id: _link(c) for v in groups.values() for c in v},
                           due={c.id: c.current_due_at for v in groups.values() for c in v}, **groups)
            sent += 1
        if sent:
            audit.record("complaint_escalation", object_type="complaint", object_id="digest", actor=None,
                         detail=f"digests={sent} items={sum(len(v['near']) + len(v['breached']) for v in items.values())}")
    return sent


# ----- configuration -----

OWNER_ROLES = ("service", "quality", "management")  # the roles that handle complaints (complaints.manage)


def owner_choices(among):
    """The active staff of ``among`` (ids; anything else is ignored) who may own a complaint, by name: (id, name)
    tuples (one query). A picker offers these (the one writing, the owner so far, the one sent); anyone else who
    may own one is found by name under it (``/casos/personal?quienes=quejas``): 750 names on each page were too
    heavy."""
    wanted = {i for i in among if isinstance(i, int) and 0 < i < 2**31}
    ids = UserRole.select(UserRole.user).where(UserRole.role.in_(OWNER_ROLES))
    return (User.select(User.id, User.name).where(User.id.in_(ids), User.id.in_(wanted or [0]),
                                                  User.is_active == True)  # noqa: E712
            .order_by(User.name).tuples())


def usual_owners(limit: int = 5) -> list[int]:
    """The ids of the active staff who own the most complaints received in the last 90 days (one query): who a
    complaint is usually given to, offered first when registering one."""
    ids = UserRole.select(UserRole.user).where(UserRole.role.in_(OWNER_ROLES))
    since = utcnow() - timedelta(days=90)
    return [owner for (owner,) in Complaint.select(Complaint.owner)
            .join(User, on=(Complaint.owner == User.id))
            .where(Complaint.received_at >= since, Complaint.owner.in_(ids), User.is_active == True)  # noqa: E712
            .group_by(Complaint.owner).order_by(fn.COUNT(Complaint.id).desc(), Complaint.owner).limit(limit).tuples()]


class SlaConflict(ComplaintError):
    """A rule was written by someone else meanwhile; ``field`` names the form field it belongs to."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


def save_sla(days: dict, user, current: dict | None = None) -> int:
    """``days``: {(kind, severity): (response, resolution)}; writes the rules that changed. Returns how many.

    ``current`` is the rules as the form saw them (``SlaRule.matrix()``, read now by default). A rule another
    person created meanwhile makes the insert fail on the unique (kind, severity) index: nothing is saved and
    SlaConflict says so beside that rule's field."""
    current = SlaRule.matrix() if current is None else current
    changed = 0
    with transaction():
        for (kind, severity), (response, resolution) in days.items():
            if kind not in SLA_KINDS or severity not in SEVERITIES:
                continue  # a compliment has no SLA to configure
            rule = current.get((kind, severity))
            if rule is None:
                try:
                    with db.atomic():  # a savepoint, so PostgreSQL can still roll back cleanly
                        SlaRule.create(kind=kind, severity=severity, response_days=response,
                                       resolution_days=resolution)
                except IntegrityError:
                    raise SlaConflict(_("Someone saved this rule meanwhile; check the values and save again."),
                                      f"{kind}_{severity}_response") from None
            elif (rule.response_days, rule.resolution_days) != (response, resolution):
                SlaRule.update(response_days=response, resolution_days=resolution, updated_at=utcnow()).where(
                    SlaRule.id == rule.id).execute()
            else:
                continue
            changed += 1
        if changed:
            audit.record("complaint_sla", object_type="sla_rule", object_id="all", actor=user,
                         fields=["response_days", "resolution_days"], detail=f"changed={changed}")
    return changed


def add_category(name: str, user):
    name = " ".join(name.split())
    if ComplaintCategory.select().where(fn.LOWER(ComplaintCategory.name) == name.lower()).exists():
        raise ComplaintError(_("That category already exists."))
    with transaction():
        try:
            with db.atomic():  # a savepoint: the same name added at the same moment fails on the unique index
                category = ComplaintCategory.create(name=name)
        except IntegrityError:
            raise ComplaintError(_("That category already exists.")) from None
        audit.record("complaint_category", category, actor=user, fields=["name"], detail="add")
    return category


# ----- trends -----

def month_starts(start_local_day, end_local_day) -> list:
    """First day of every month touched by the period (local dates)."""
    months, day = [], start_local_day.replace(day=1)
    while day <= end_local_day:
        months.append(day)
        day = (day + timedelta(days=32)).replace(day=1)
    return months


def _fold(counts, names=None) -> list[tuple]:
    """[(value, name, count)] most frequent first, from one of ``Complaint.shares``; value None when absent."""
    return sorted(((k, names.get(k) if names is not None and k is not None else k, int(n)) for k, n in counts),
                  key=lambda row: (-row[2], str(row[1] or "")))


def trends(start_local_day, end_local_day) -> dict:
    """Everything "Análisis de quejas" shows for the complaints *received* in the period (local days,
    inclusive); resolution times are over those of them already resolved. A constant number of queries."""
    data = period_figures(start_local_day, end_local_day)
    start, end = _moments(start_local_day, end_local_day)
    areas = {a.id: a.name for a in PracticeArea.select(PracticeArea.id, PracticeArea.name)}
    shares = data.pop("shares")
    return {**data, "by_channel": _fold(shares["channel"]), "by_area": _fold(shares["area"], areas),
            "recurring": list(Complaint.recurring_clients(start, end))}


def _moments(start_local_day, end_local_day):
    """The period's local days as UTC moments [start, end)."""
    return (to_utc(datetime.combine(start_local_day, time.min)),
            to_utc(datetime.combine(end_local_day + timedelta(days=1), time.min)))


def period_figures(start_local_day, end_local_day, dimensions=Complaint.SHARES) -> dict:
    """The figures of the complaints received in the period that the trends and the management review share: the
    summary, the 90th percentile of the resolution time, the count per month, per category and per kind, and the
    raw ``shares`` of the ``dimensions`` asked for (the review asks for the two it shows). Five queries."""
    start, end = _moments(start_local_day, end_local_day)
    months = month_starts(start_local_day, end_local_day)
    bounds = [to_utc(datetime.combine(m, time.min)) for m in months] + [end]
    bounds[0] = start
    row = Complaint.period_summary(start, end)
    summary = {key: int(row[key] or 0) for key in ("total", "resolved", "resolved_sla", "within", "open")}
    summary["avg_hours"] = float(row["hours"] or 0) / summary["resolved"] if summary["resolved"] else None
    shares = Complaint.shares(start, end, tuple(dict.fromkeys(("category", "kind", *dimensions))))
    # Within SLA: over the resolved ones that had a due date (a compliment has none to meet).
    summary["within_share"] = summary["within"] / summary["resolved_sla"] if summary["resolved_sla"] else None
    categories = {c.id: c.name for c in ComplaintCategory.select(ComplaintCategory.id, ComplaintCategory.name)}
    return {
        "summary": summary,
        "p90_hours": Complaint.resolution_percentile(start, end, summary["resolved"], 0.9),
        "by_month": list(zip(months, Complaint.counts_by_ranges(bounds), strict=True)),
        "by_category": _fold(shares["category"], categories),
        "by_kind": _fold(shares["kind"]),
        "shares": shares,
    }

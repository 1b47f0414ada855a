"""The crisis protocol ("Cliente en crisis"): writes on a crisis incident, each with its audit row in one
transaction, the confidential read (one ``sensitive_read`` row per read) and the client page's flag.

The steps and phrases are the firm's document (``services.complaints.crisis_protocol``). Opening an incident also creates
its follow-up task ("Seguimiento posterior", due in ``FOLLOW_UP_BUSINESS_DAYS``, owned by whoever opened
it): created at once so the follow-up exists however the incident ends, even if nobody closes it. Choosing
a supervisor notifies them at once, in their work queue and by email (a link only: no confidential text in
the message); the supervisor then records their intervention.

Confidential fields (behaviour, solution, supervisor note, outcome) are encrypted with contexts
``crisis_incident|<field>|<id>``. Who may read them: the ``crisis.manage`` roles (service, quality,
management); everyone who can see the client only sees the flag and the protocol's advice.
"""

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from core import audit, links, mail
from core.db import transaction, utcnow
from core.guard import permissions_of
from core.i18n import format_event, to_local
from models.complaints import CRISIS_ACTIONS, CrisisIncident, CrisisStep
from models.tasks import Task
from models.users import User, UserRole
from services.complaints import crisis_protocol as protocol
from services.documents import calendar

FOLLOW_UP_BUSINESS_DAYS = 2
SUPERVISOR_ROLES = ("management", "quality", "service")
CHANNELS = ("in_person", "phone", "email", "messaging", "web")
MAX_TEXT = 4000


class CrisisError(ValueError):
    pass


# ----- opening -----

def open_incident(client, user, *, case=None, channel: str = "in_person", occurred_at=None) -> CrisisIncident:
    """A new incident for this client, with its follow-up task, in one transaction."""
    if case is not None and case.client_id != client.id:
        raise CrisisError(_("That case is not this client's."))
    now = utcnow()
    occurred_at = occurred_at or now
    if occurred_at > now + timedelta(minutes=5):
        raise CrisisError(_("The time of the incident cannot be in the future."))
    with transaction():
        incident = CrisisIncident.create(client=client, case=case, opened_by=user, occurred_at=occurred_at,
                                         channel=channel if channel in CHANNELS else "in_person")
        due = calendar.add_business_days(to_local(now).date(), FOLLOW_UP_BUSINESS_DAYS)
        task = Task.create(kind="crisis", title=protocol.FOLLOW_UP_TITLE, due_on=due, owner=user, client=client,
                           case=case, note=protocol.FOLLOW_UP_PHRASE, created_by=user)
        CrisisIncident.update(follow_up_task=task.id).where(CrisisIncident.id == incident.id).execute()
        incident.follow_up_task = task.id
        audit.record("crisis_open", incident, actor=user, fields=["client", "case", "channel", "occurred_at"],
                     detail=f"client={client.id} task={task.id}")
    return incident


# ----- the steps -----

def tick_step(incident: CrisisIncident, number: int, user) -> CrisisStep:
    """Mark a protocol step done now; ticking it again keeps the first time (idempotent)."""
    if number not in protocol.STEP:
        raise CrisisError(_("Unknown step."))
    _still_open(incident)
    existing = CrisisStep.get_or_none(CrisisStep.incident == incident.id, CrisisStep.step == number)
    if existing is not None:
        return existing
    with transaction():
        _claim_open(incident)
        inserted = (CrisisStep.insert(incident=incident.id, step=number, done_at=utcnow(), done_by=user.id)
                    .on_conflict_ignore().execute())
        if inserted:
            audit.record("crisis_step", incident, actor=user, fields=["steps"], detail=f"step={number}")
    return CrisisStep.get(CrisisStep.incident == incident.id, CrisisStep.step == number)


def _tick_quietly(incident: CrisisIncident, number: int, user) -> None:
    """Inside a caller's transaction: the step a later action implies (escalating is step 6…)."""
    CrisisStep.insert(incident=incident.id, step=number, done_at=utcnow(), done_by=user.id).on_conflict_ignore().execute()


def _still_open(incident: CrisisIncident) -> None:
    if incident.status != "open":
        raise CrisisError(_("The incident is closed."))


def _claim_open(incident: CrisisIncident, **values) -> None:
    """Inside the caller's transaction: write ``values`` (at least ``updated_at``) only while the incident is
    still open — the conditional UPDATE also locks the row, so a close at the same moment waits or wins. A
    closed incident refuses every write."""
    values.setdefault("updated_at", utcnow())
    changed = (CrisisIncident.update(**values)
               .where(CrisisIncident.id == incident.id, CrisisIncident.status == "open").execute())
    if not changed:
        incident.status = "closed"
        raise CrisisError(_("The incident is closed."))


# ----- documenting (step 7) -----

@dataclass
class Record:
    behaviour: str
    actions: list[str]
    solution: str
    security_called: bool


def save_record(incident: CrisisIncident, data: Record, user) -> None:
    """Behaviour, response actions, concrete solution and whether security was called (encrypted)."""
    _still_open(incident)
    actions = [a for a in CRISIS_ACTIONS if a in data.actions]
    if "solution" in actions and not data.solution.strip():
        raise CrisisError(_("Describe the concrete solution offered."))
    incident.seal("behaviour", data.behaviour[:MAX_TEXT])
    incident.seal("solution", data.solution[:MAX_TEXT])
    with transaction():
        _claim_open(incident, behaviour=incident.behaviour, solution=incident.solution, actions=",".join(actions),
                    security_called=data.security_called)
        if data.behaviour.strip():
            _tick_quietly(incident, protocol.DOCUMENT_STEP, user)
        audit.record("crisis_record", incident, actor=user,
                     fields=["behaviour", "actions", "solution", "security_called"], detail=f"actions={','.join(actions)}")
    incident.actions, incident.security_called = ",".join(actions), data.security_called


# ----- escalation (step 6) -----

def supervisor_choices(exclude_id: int | None = None) -> list[tuple[int, str]]:
    """Active staff who may take over: management, quality or customer service."""
    ids = UserRole.select(UserRole.user).where(UserRole.role.in_(SUPERVISOR_ROLES))
    query = User.select(User.id, User.name).where(User.is_active == True, User.id.in_(ids))  # noqa: E712
    if exclude_id:
        query = query.where(User.id != exclude_id)
    return list(query.order_by(User.name).tuples())


def incident_url(incident: CrisisIncident) -> str:
    """The incident's address for a message: from BASE_URL, never from the request's Host header."""
    return links.absolute("complaints.crisis_show", incident_id=incident.id)


def escalate(incident: CrisisIncident, supervisor: User, user) -> None:
    """Hand the incident to a supervisor: step 6 ticked, their work queue shows it, an email goes out now."""
    _still_open(incident)
    if supervisor.id == user.id:
        raise CrisisError(_("Choose someone other than yourself."))
    if not supervisor.is_active or "crisis.manage" not in permissions_of(supervisor.role_names):
        raise CrisisError(_("That person cannot take over a crisis."))
    if incident.supervisor_id == supervisor.id:
        raise CrisisError(_("The incident is already with %(name)s.", name=supervisor.display_name))
    now = utcnow()
    with transaction():
        # The earlier supervisor's note stays (record_intervention appends to it): only the waiting restarts.
        _claim_open(incident, supervisor=supervisor.id, escalated_at=now, supervisor_at=None, updated_at=now)
        _tick_quietly(incident, protocol.SUPERVISOR_STEP, user)
        audit.record("crisis_escalate", incident, actor=user, fields=["supervisor", "escalated_at"],
                     detail=f"supervisor={supervisor.id}")
        with force_locale(supervisor.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):  # the reader's language
            mail.queue(supervisor.email, _("Crisis incident: your help is needed now"), "mail/crisis_escalated",
                       user=supervisor, by=user, link=incident_url(incident), occurred_at=incident.occurred_at)
    incident.supervisor, incident.escalated_at, incident.supervisor_at = supervisor, now, None


def record_intervention(incident: CrisisIncident, note: str, user) -> None:
    """The supervisor (or management) writes what they did; the work queue item goes away.

    Each intervention is kept under a dated header ("— <name>, <fecha>:", in the firm's language and time
    zone) and added after the earlier ones: a second supervisor, after a new escalation, never erases the
    first one's note. The write is conditional on the incident still open and on the note read, so two
    interventions at the same moment cannot overwrite each other."""
    _still_open(incident)
    if incident.supervisor_id is None:
        raise CrisisError(_("The incident has not been escalated to a supervisor."))
    if user.id != incident.supervisor_id and "management" not in user.role_names:
        raise CrisisError(_("Only the supervisor it was escalated to records the intervention."))
    note = (note or "").strip()
    if not note:
        raise CrisisError(_("Write what you did."))
    now = utcnow()
    before = incident.supervisor_note
    earlier = incident.reveal("supervisor_note")
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):  # stored text: the firm's language
        header = f"— {user.display_name}, {format_event(now)}:"
    entry = f"{header}\n{note[:MAX_TEXT]}"
    incident.seal("supervisor_note", f"{earlier}\n\n{entry}" if earlier else entry)
    with transaction():
        changed = (CrisisIncident.update(supervisor_note=incident.supervisor_note, supervisor_at=now, updated_at=now)
                   .where(CrisisIncident.id == incident.id, CrisisIncident.status == "open",
                          CrisisIncident.supervisor_note == before).execute())
        if not changed:
            incident.supervisor_note = before
            current = CrisisIncident.get_or_none(CrisisIncident.id == incident.id)
            if current is None or current.status != "open":
                raise CrisisError(_("The incident is closed."))
            raise CrisisError(_("Someone recorded an intervention meanwhile; reload the page."))
        audit.record("crisis_intervention", incident, actor=user, fields=["supervisor_note", "supervisor_at"])
    incident.supervisor_at = now


# ----- closing -----

class ClosingNeedsReason(CrisisError):
    pass


MIN_REASON = 10  # characters: a reason, not a dot


def open_items(incident: CrisisIncident, steps: dict, task) -> list[str]:
    """What is still open on the incident, one line each: the protocol's steps not done (the follow-up, step 8,
    counts as done once its task is) and a supervisor's intervention still awaited. ``steps`` as
    ``CrisisStep.of_incident`` gives them, ``task`` the follow-up Task (or None). No query."""
    items = []
    for step in protocol.STEPS:
        follow_up_done = step.number == protocol.FOLLOW_UP_STEP and task is not None and task.done_at is not None
        if step.number not in steps and not follow_up_done:
            items.append(_("Step %(n)d not done: %(title)s.", n=step.number, title=step.title))
    if incident.supervisor_id and incident.supervisor_at is None:
        items.append(_("Waiting for the supervisor to record their intervention."))
    return items


def _open_items_now(incident_id: int) -> list[str]:
    current = CrisisIncident.get_by_id(incident_id)
    task = Task.get_or_none(Task.id == current.follow_up_task) if current.follow_up_task else None
    return open_items(current, CrisisStep.of_incident(incident_id), task)


def close(incident: CrisisIncident, outcome: str, user, *, as_complaint: bool = False, reason: str = ""):
    """Close with the outcome; optionally register the matter in the complaints register too (its
    description names the incident and nothing confidential: the details stay here, encrypted). With steps
    still open, only with a written reason: it is kept (encrypted) with the list of what was open."""
    _still_open(incident)
    if not (outcome or "").strip():
        raise CrisisError(_("Write how it ended."))
    reason = (reason or "").strip()
    incident.seal("outcome", outcome[:MAX_TEXT])
    now = utcnow()
    with transaction():
        items = _open_items_now(incident.id)  # inside: a step ticked meanwhile counts
        if items and len(reason) < MIN_REASON:
            raise ClosingNeedsReason(_("Some steps are still open: do them, or write why the incident closes anyway."))
        if items:
            with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):  # stored text: the firm's language
                items = _open_items_now(incident.id)
            incident.seal("closing_reason", reason[:MAX_TEXT])
            incident.closed_open_items = "\n".join(items)
        changed = (CrisisIncident.update(status="closed", closed_at=now, outcome=incident.outcome, updated_at=now,
                                         closing_reason=incident.closing_reason,
                                         closed_open_items=incident.closed_open_items)
                   .where(CrisisIncident.id == incident.id, CrisisIncident.status == "open").execute())
        if not changed:
            raise CrisisError(_("The incident is closed."))
        complaint = None
        if as_complaint and incident.complaint_id is None:
            complaint = _open_complaint(incident, user)
            CrisisIncident.update(complaint=complaint.id).where(CrisisIncident.id == incident.id).execute()
            incident.complaint = complaint
        audit.record("crisis_close", incident, actor=user,
                     fields=["status", "outcome", "closed_at"] + (["closing_reason"] if items else []),
                     detail=" ".join(filter(None, (f"complaint={complaint.id}" if complaint else "",
                                                   f"open_items={len(items)}" if items else ""))))
    incident.status, incident.closed_at = "closed", now
    return complaint


def _open_complaint(incident: CrisisIncident, user):
    from services.complaints import open_complaint

    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):  # stored text: the firm's language
        description = _("Client in crisis on %(when)s: see crisis incident no. %(id)d for the protocol followed.",
                        when=format_event(incident.occurred_at), id=incident.id)
    return open_complaint(kind="complaint", description=description, owner=user, client=incident.client_id,
                          case=incident.case_id, channel=incident.channel, severity="high", source="crisis",
                          actor=user, received_at=incident.occurred_at)


# ----- reading -----

def reveal(incident: CrisisIncident, user) -> dict:
    """The confidential fields in clear, with the one ``sensitive_read`` row this read costs."""
    audit.record("sensitive_read", incident, actor=user, fields=list(CrisisIncident.SECRET_FIELDS),
                 detail=f"client={incident.client_id}")
    return {name: incident.reveal(name) for name in CrisisIncident.SECRET_FIELDS}


def flag(client):
    """The open incident behind the client page's "Cliente en crisis" flag, or None. One query. A closed
    incident raises no flag: the crisis is over, and its record stays on the crisis list."""
    return CrisisIncident.flag_for(client.id)

"""Improvement actions ("Acción de mejora", ISO 9001 §10.2; PRO 008 §5.4 "identificar posibles áreas de
mejora"): opening one by hand or from a complaint, recording the cause analysis and the three kinds of action,
moving it through its states, closing it with its effectiveness check, cancelling it with a reason. Every
write carries its audit row in the same transaction (DESIGN.md §3).

Rules, as the firm applies them:

- **Source.** By hand, or proposed from a complaint (its root cause becomes the first cause analysis, and the
  action stays linked to it), a survey criterion under target, an indicator off target or a management review
  finding (named in ``source_ref``).
- **States.** ``open → in_progress → verifying → closed``; ``cancelled`` from any open state, with a reason.
  Moving to verification needs the cause analysis and at least one action (correction, corrective or
  preventive).
- **Closing** needs the effectiveness check: the figure or evidence that shows it worked, the day it was
  verified (not in the future) and who verified it. Without them closing is refused and says so beside the
  field that is missing.
"""

import uuid

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from peewee import IntegrityError

from core import audit, links, mail
from core.db import db, transaction, utcnow
from core.i18n import to_local
from models.complaints import Complaint
from models.quality import ACTION_OPEN_STATES, ACTION_SOURCES, ImprovementAction
from models.users import User, UserRole

TRANSITIONS = {
    "open": ("in_progress",),
    "in_progress": ("verifying",),
    "verifying": ("closed", "in_progress"),
    "closed": (),
    "cancelled": (),
}
OWNER_ROLES = ("quality", "management", "operations", "service")
ANALYSIS_FIELDS = ("cause_analysis", "correction", "corrective_action", "preventive_action")
MAX_TEXT = 8000


class ActionError(ValueError):
    """A step the action's state does not allow; ``field`` names the form field the message belongs beside."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


def owner_choices(among):
    """The active staff of ``among`` (ids; anything else is ignored) who may own or verify an action, by name:
    (id, name) tuples (one query). A picker offers these (the one writing, the owner so far, the one sent); anyone
    else who may own one is found by name under it (``/casos/personal?quienes=acciones``): every quality,
    management, operations and service member of a firm of 2,000 on each page was too heavy."""
    wanted = {i for i in among if isinstance(i, int) and 0 < i < 2**31}
    ids = UserRole.select(UserRole.user).where(UserRole.role.in_(OWNER_ROLES))
    return (User.select(User.id, User.name).where(User.id.in_(ids), User.id.in_(wanted or [0]),
                                                  User.is_active == True)  # noqa: E712
            .order_by(User.name).tuples())


def proposal_from_complaint(complaint: Complaint) -> dict:
    """What a new action from this complaint starts with: its number in the title, its description as the
    problem and its root cause as the first cause analysis."""
    return {"title": _("Complaint %(number)s", number=complaint.number)[:200],
            "description": complaint.description, "cause_analysis": complaint.root_cause,
            "source": "complaint", "complaint": complaint.id}


def open_action(*, title, description, owner, due_on, user, source="manual", complaint=None, source_ref="",
                cause_analysis="", review=None) -> ImprovementAction:
    """Open an action; ``owner``/``complaint``/``review`` may be instances or ids (a review links only an action
    whose source is "review"). Raises ActionError for bad input."""
    title, description = (title or "").strip(), (description or "").strip()
    if source not in ACTION_SOURCES:
        raise ActionError(_("Unknown source."), "source")
    if not title:
        raise ActionError(_("Give the action a title."), "title")
    if not description:
        raise ActionError(_("Describe the problem to solve."), "description")
    complaint_id = getattr(complaint, "id", complaint)
    if source == "complaint" and not (complaint_id and Complaint.select().where(Complaint.id == complaint_id).exists()):
        raise ActionError(_("That complaint does not exist."), "complaint")
    if source != "complaint":
        complaint_id = None
    review_id = getattr(review, "id", review) if source == "review" else None
    with transaction():
        action = ImprovementAction.create(
            title=title[:200], description=description[:MAX_TEXT], source=source, complaint=complaint_id,
            source_ref=(source_ref or "").strip()[:200], cause_analysis=(cause_analysis or "").strip()[:MAX_TEXT],
            owner=getattr(owner, "id", owner), due_on=due_on, created_by=getattr(user, "id", user), review=review_id)
        audit.record("improvement_open", action, actor=user,
                     fields=["title", "description", "source", "complaint", "source_ref", "cause_analysis",
                             "owner", "due_on"] + (["review"] if review_id else []),
                     detail=f"{action.code} source={source}" + (f" complaint={complaint_id}" if complaint_id else "")
                     + (f" review={review_id}" if review_id else ""))
    return action


def _guarded_update(action: ImprovementAction, values: dict) -> None:
    values["updated_at"] = utcnow()
    changed = (ImprovementAction.update(**values)
               .where(ImprovementAction.id == action.id, ImprovementAction.status == action.status).execute())
    if not changed:
        raise ActionError(_("Someone changed this action meanwhile; reload the page."))
    for key, value in values.items():
        setattr(action, key, value)


def save_plan(action: ImprovementAction, values: dict, owner, due_on, user) -> None:
    """The cause analysis, the three kinds of action, the owner and the due day."""
    if not action.is_open:
        raise ActionError(_("The action is finished: it can no longer change."))
    new = {k: (values.get(k) or "").strip()[:MAX_TEXT] for k in ANALYSIS_FIELDS}
    new.update(owner=getattr(owner, "id", owner), due_on=due_on)
    old = {k: getattr(action, "owner_id" if k == "owner" else k) for k in new}
    changed = sorted(k for k in new if new[k] != old[k])
    if not changed:
        return
    with transaction():
        _guarded_update(action, new)
        audit.record("improvement_plan", action, actor=user,
                     fields=[k for k in ("cause_analysis", "correction", "corrective_action", "preventive_action",
                                         "owner", "due_on") if k in changed],
                     detail=action.code)


def step_blockers(action: ImprovementAction, to: str) -> list[tuple[str, str]]:
    """(field, message) for what stops the move to ``to``."""
    if to == "verifying":
        problems = []
        if not action.cause_analysis.strip():
            problems.append(("cause_analysis", _("Record the cause analysis before asking for verification.")))
        if not any(getattr(action, k).strip() for k in ANALYSIS_FIELDS[1:]):
            problems.append(("corrective_action", _("Record at least one action (correction, corrective or "
                                                    "preventive) before asking for verification.")))
        return problems
    return []


def change_status(action: ImprovementAction, to: str, user) -> None:
    """One step in ``open → in_progress → verifying`` (or back from verification to work); closing goes through
    ``close`` and cancelling through ``cancel``."""
    if to == "closed" or to not in TRANSITIONS.get(action.status, ()):
        raise ActionError(_("That step is not possible for this action now."))
    blockers = step_blockers(action, to)
    if blockers:
        raise ActionError(blockers[0][1], blockers[0][0])
    before = action.status
    with transaction():
        _guarded_update(action, {"status": to})
        audit.record("improvement_status", action, actor=user, fields=["status"], detail=f"{before}→{to}")


def close_errors(check: str, verified_on, verified_by, today) -> dict[str, str]:
    """{field: message} for an effectiveness check that cannot close the action; empty when it can."""
    errors = {}
    if not (check or "").strip():
        errors["effectiveness_check"] = _("Write the figure or evidence that shows the action worked.")
    if verified_on is None:
        errors["verified_on"] = _("Give the day the effectiveness was verified.")
    elif verified_on > today:
        errors["verified_on"] = _("The verification cannot be in the future.")
    if not verified_by:
        errors["verified_by"] = _("Say who verified the effectiveness.")
    return errors


def close(action: ImprovementAction, check: str, verified_on, verified_by, user, today) -> None:
    """Close with the effectiveness check (ISO 9001 §10.2.1 d); refused without it (ActionError naming the
    field)."""
    if action.status != "verifying":
        raise ActionError(_("Only an action awaiting verification can be closed."))
    errors = close_errors(check, verified_on, verified_by, today)
    if errors:
        field, message = next(iter(errors.items()))
        raise ActionError(message, field)
    with transaction():
        _guarded_update(action, {"status": "closed", "effectiveness_check": check.strip()[:MAX_TEXT],
                                 "verified_on": verified_on, "verified_by": getattr(verified_by, "id", verified_by),
                                 "closed_at": utcnow()})
        audit.record("improvement_close", action, actor=user,
                     fields=["status", "effectiveness_check", "verified_on", "verified_by", "closed_at"],
                     detail=action.code)


def cancel(action: ImprovementAction, reason: str, user) -> None:
    if action.status not in ACTION_OPEN_STATES:
        raise ActionError(_("The action is finished: it can no longer change."))
    reason = (reason or "").strip()
    if not reason:
        raise ActionError(_("Say why the action is cancelled."), "reason")
    before = action.status
    with transaction():
        _guarded_update(action, {"status": "cancelled", "cancel_reason": reason[:2000], "closed_at": utcnow()})
        audit.record("improvement_cancel", action, actor=user, fields=["status", "cancel_reason"],
                     detail=f"{before}→cancelled")


# ----- the overdue digest -----

DIGEST_NAMESPACE = uuid.UUID("4f0c8a52-6c1e-4a57-9d2b-1e5f7b3c9a10")


def overdue_digests(now=None) -> int:
    """Mail each active owner the list of their open actions past their due day, once per local day (``flask
    jobs run``). The message id is derived from the owner and the day, so a second run that day — or two at the
    same time — fails on the outbox's unique index and sends nothing more. Returns the digests queued."""
    now = now or utcnow()
    today = to_local(now).date()
    rows = list(ImprovementAction.select(ImprovementAction, User).join(User, on=(ImprovementAction.owner == User.id))
                .where(ImprovementAction.status.in_(ACTION_OPEN_STATES), ImprovementAction.due_on < today,
                       User.is_active == True)  # noqa: E712
                .order_by(ImprovementAction.owner, ImprovementAction.due_on, ImprovementAction.id))
    by_owner: dict[int, list] = {}
    for action in rows:
        by_owner.setdefault(action.owner_id, []).append(action)
    sent = 0
    with transaction():
        for actions in by_owner.values():
            owner = actions[0].owner
            key = str(uuid.uuid5(DIGEST_NAMESPACE, f"{owner.id}:{today.isoformat()}"))
            try:
                with db.atomic():  # a savepoint: a digest already queued today fails alone
                    with force_locale(owner.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
                        mail.queue(owner.email, _("Improvement actions past their due day: %(n)d", n=len(actions)),
                                   "mail/improvement_overdue", message_id=key, user=owner, actions=actions,
                                   links={a.id: links.absolute("quality.action_show", action_id=a.id) for a in actions})
            except IntegrityError:
                continue
            sent += 1
        if sent:
            audit.record("improvement_digest", object_type="improvement_action", object_id="digest", actor=None,
                         detail=f"digests={sent} day={today.isoformat()}")
    return sent

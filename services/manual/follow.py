"""The manual's review calendar and its acknowledgements (issue 17, items 3 and 4).

Review calendar ("Establecer un calendario de revisión", "Programar revisiones anuales de las políticas"): each
document has a review period in months (12 by default, 0 for none) and the day of its next review; publishing a
version sets it a period after the day it came into force. A review records that the version in force still holds,
or opens a new version, and can note the change in the law that prompted it ("Incluir cambios en la legislación
sobre privacidad"). The owner gets one email on each of ``MANUAL_REVIEW_REMINDER_DAYS`` before the day (30 and 7 by
default) and one on the day: the message id is derived from the document, the day and the threshold, so a second
run finds it already queued (as the renewal reminders do).

Acknowledgements ("Asegurar que todos los empleados conozcan sus roles"): a document names the roles it concerns;
when a version is published, each active member of staff holding one of them gets a row to acknowledge and an
email, and sees it in Mi trabajo until they say "He leído y entiendo" (when, which version). Those who publish see
the progress (n of m, who is missing) and may remind the missing ones, once a day."""

import calendar
import uuid
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from peewee import IntegrityError

from core import audit, links, mail
from core.db import db, transaction, utcnow
from core.guard import ROLES
from core.i18n import to_local
from models.manual import REVIEW_OUTCOMES, ManualAck, ManualDocument, ManualReview, ManualVersion
from models.users import User, UserRole

REMINDER_NAMESPACE = uuid.UUID("0c7f6a55-2b8e-4f3d-9a61-4e5d2c7b9f10")
MAX_MONTHS = 60
MAX_TEXT = 4000


class FollowError(ValueError):
    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


class FollowConflict(FollowError):
    """A step the document's state does not allow (409)."""


def add_months(day, months: int):
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


# ----- the calendar -----

def set_plan(document: ManualDocument, data: dict, user) -> list[str]:
    """The review period, the next review day and the roles the document concerns. Returns the fields changed."""
    months = data.get("review_months")
    if months is None or not 0 <= int(months) <= MAX_MONTHS:
        raise FollowError(_("Between 0 (no periodic review) and %(max)d months.", max=MAX_MONTHS), "review_months")
    months = int(months)
    roles = [r for r in ROLES if r in set(data.get("concerned_roles") or ())]
    if set(data.get("concerned_roles") or ()) - set(ROLES):
        raise FollowError(_("Choose roles from the list."), "concerned_roles")
    next_on = data.get("next_review_on")
    if months and next_on is None:
        current = ManualVersion.get_or_none(ManualVersion.id == document.current_id) if document.current_id else None
        next_on = add_months(current.published_on, months) if current is not None and current.published_on else None
    if not months:
        next_on = None
    new = {"review_months": months, "next_review_on": next_on, "concerned_roles": ",".join(roles)}
    changed = [name for name, value in new.items() if getattr(document, name) != value]
    if changed:
        with transaction():
            ManualDocument.update(**new, updated_at=utcnow()).where(ManualDocument.id == document.id).execute()
            for name, value in new.items():
                setattr(document, name, value)
            audit.record("manual_plan_update", document, actor=user, fields=changed, detail=f"code={document.code}")
    return changed


def record_review(document: ManualDocument, data: dict, user, today) -> ManualReview:
    """A periodic review of the version in force: it still holds (the next review a period from today), or a new
    version is drafted from it, with the change in the law as its justification when one prompted it."""
    from services import manual

    outcome = data.get("outcome")
    if outcome not in REVIEW_OUTCOMES:
        raise FollowError(_("Choose what the review found."), "outcome")
    note = (data.get("note") or "").strip()
    law_change = (data.get("law_change") or "").strip()
    if len(note) > MAX_TEXT:
        raise FollowError(_("At most %(max)d characters.", max=MAX_TEXT), "note")
    if len(law_change) > MAX_TEXT:
        raise FollowError(_("At most %(max)d characters.", max=MAX_TEXT), "law_change")
    if outcome == "still_valid" and not note:
        raise FollowError(_("Say what was checked and why the document still holds."), "note")
    if document.current_id is None:
        raise FollowConflict(_("Only a document in force is reviewed."))
    next_on = add_months(today, document.review_months) if document.review_months else None
    with transaction():
        drafted = manual.new_version(document, user) if outcome == "new_version" else None
        if drafted is not None and (law_change or note):
            drafted.justification = (law_change or note)[:MAX_TEXT]
            drafted.save()
        review = ManualReview.create(document=document, version=document.current_id, reviewed_on=today,
                                     outcome=outcome, note=note, law_change=law_change, reviewer=user,
                                     new_version=drafted, next_review_on=next_on)
        ManualDocument.update(next_review_on=next_on, updated_at=utcnow()).where(
            ManualDocument.id == document.id).execute()
        document.next_review_on = next_on
        audit.record("manual_review", review, actor=user, fields=["outcome", "note", "law_change"],
                     detail=f"document={document.id} outcome={outcome}")
    return review


def after_publish(version: ManualVersion, document: ManualDocument, user, today) -> int:
    """Inside publish()'s transaction: the next review a period after today, and the acknowledgements asked of the
    staff the document concerns (one row and one email each). Returns how many were asked."""
    next_on = add_months(today, document.review_months) if document.review_months else None
    ManualDocument.update(next_review_on=next_on, ack_reminded_on=None).where(
        ManualDocument.id == document.id).execute()
    document.next_review_on, document.ack_reminded_on = next_on, None
    return ask_to_read(version, document, user, today)


def ask_to_read(version: ManualVersion, document: ManualDocument, user, today, notify: bool = True) -> int:
    """One acknowledgement row (and, with ``notify``, one email) for each active member of staff holding a role the
    document concerns and not yet asked to read this version. Returns how many were asked."""
    roles = document.role_list
    if not roles:
        return 0
    asked = ManualAck.select(ManualAck.user).where(ManualAck.version == version.id)
    people = list(User.select().where(User.is_active == True, User.id.in_(  # noqa: E712
        UserRole.select(UserRole.user).where(UserRole.role.in_(roles))), User.id.not_in(asked))
        .order_by(User.name, User.id))
    if not people:
        return 0
    now = utcnow()
    with transaction():
        ManualAck.insert_many([{"version": version.id, "document": document.id, "user": p.id, "requested_on": today,
                                "created_at": now, "updated_at": now} for p in people]).execute()
        if notify:
            for person in people:
                _ask(person, document, version)
        audit.record("manual_ack_request", version, actor=user, detail=f"document={document.id} people={len(people)}")
    return len(people)


def _ask(person, document, version, reminder=False) -> None:
    with force_locale(person.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject = (_("Reminder: read and acknowledge %(code)s", code=document.code) if reminder
                   else _("New version of %(code)s: read and acknowledge it", code=document.code))
        mail.queue(person.email, subject, "mail/manual_ack_request", user=person, document=document,
                   version=version, reminder=reminder,
                   link=links.absolute("manual.version", document_id=document.id, version_id=version.id))


# ----- acknowledgements -----

def acknowledge(version: ManualVersion, user) -> bool:
    """"He leído y entiendo": False when there was nothing pending (already acknowledged, or not asked)."""
    if version.state != "published":
        raise FollowConflict(_("Only the version in force is acknowledged."))
    with transaction():
        ack = ManualAck.get_or_none(ManualAck.version == version.id, ManualAck.user == user.id,
                                    ManualAck.acknowledged_at.is_null())
        if ack is None:
            return False
        ManualAck.update(acknowledged_at=utcnow(), updated_at=utcnow()).where(
            ManualAck.id == ack.id, ManualAck.acknowledged_at.is_null()).execute()
        audit.record("manual_ack", ack, actor=user, fields=["acknowledged_at"],
                     detail=f"document={version.document_id} number={version.label}")
    return True


def pending_ack(version_id: int, user_id: int):
    return ManualAck.get_or_none(ManualAck.version == version_id, ManualAck.user == user_id)


def progress(version_id: int, q: str = "") -> dict:
    """How many were asked to read a version and how many have: ``done`` of ``total`` (those asked who read it or
    are still active to), ``pending`` (active, not yet), and ``listed``, how many of those asked have a name holding
    ``q`` (the rows the readers' page pages through ManualAck.of_version); one query."""
    done, total, listed = ManualAck.tally(version_id, q)
    return {"done": done, "total": total, "pending": total - done, "listed": listed}


def counts(version_id: int) -> dict:
    """How many read a version out of those asked (one query): the "n of m" on the document's page."""
    done, total = ManualAck.counts(version_id)
    return {"done": done, "total": total}


def remind(document: ManualDocument, user, today) -> int:
    """"Recordar": one email to each active member of staff who has not acknowledged the version in force; once a
    day per document. Returns how many were reminded."""
    if document.current_id is None:
        raise FollowConflict(_("Only a document in force is acknowledged."))
    if document.ack_reminded_on == today:
        raise FollowConflict(_("The pending readers were already reminded today."))
    version = ManualVersion.get_by_id(document.current_id)
    pending = list(User.select().join(ManualAck, on=(ManualAck.user == User.id))
                   .where(ManualAck.version == version.id, ManualAck.acknowledged_at.is_null(),
                          User.is_active == True).order_by(User.name))  # noqa: E712
    if not pending:
        raise FollowConflict(_("Everyone asked has acknowledged it."))
    with transaction():
        claimed = ManualDocument.update(ack_reminded_on=today, updated_at=utcnow()).where(
            ManualDocument.id == document.id,
            ManualDocument.ack_reminded_on.is_null() | (ManualDocument.ack_reminded_on != today)).execute()
        if not claimed:
            raise FollowConflict(_("The pending readers were already reminded today."))
        document.ack_reminded_on = today
        for person in pending:
            _ask(person, document, version, reminder=True)
        audit.record("manual_ack_remind", document, actor=user, detail=f"people={len(pending)}")
    return len(pending)


# ----- the reminder job -----

def review_reminders(now=None) -> int:
    """``flask jobs run``: the owner of each document in force whose review is near gets one email per threshold
    (``MANUAL_REVIEW_REMINDER_DAYS`` before the day, and on the day or after it once). Returns the emails queued."""
    now = now or utcnow()
    today = to_local(now).date()
    thresholds = sorted({0, *current_app.config.get("MANUAL_REVIEW_REMINDER_DAYS", (30, 7))})
    rows = list(ManualDocument.select(ManualDocument, User).join(User, on=(ManualDocument.owner == User.id))
                .where(ManualDocument.current.is_null(False), ManualDocument.next_review_on.is_null(False),
                       ManualDocument.next_review_on <= today + timedelta(days=thresholds[-1]),
                       User.is_active == True)  # noqa: E712
                .order_by(ManualDocument.next_review_on, ManualDocument.id))
    sent = 0
    with transaction():
        for document in rows:
            days = (document.next_review_on - today).days
            threshold = next(t for t in thresholds if max(days, 0) <= t)
            owner = document.owner
            key = str(uuid.uuid5(REMINDER_NAMESPACE, f"{document.id}:{document.next_review_on}:{threshold}"))
            try:
                with db.atomic():  # a savepoint: a reminder already queued fails alone
                    with force_locale(owner.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
                        subject = (_("Review of %(code)s is due", code=document.code) if days <= 0 else
                                   _("Review of %(code)s due in %(n)d days", code=document.code, n=days))
                        mail.queue(owner.email, subject, "mail/manual_review_due", message_id=key, user=owner,
                                   document=document, days=days,
                                   link=links.absolute("manual.document", document_id=document.id))
            except IntegrityError:
                continue
            audit.record("manual_review_reminder", document, actor=None, detail=f"threshold={threshold} days={days}")
            sent += 1
    return sent


def attention(today) -> dict:
    """The quality dashboard's line: documents past their review day, acknowledgements pending (two counts)."""
    return {"overdue_reviews": ManualReview.due_count(today), "pending_acks": ManualAck.pending_count()}

"""Training on the manual (issue 17 item 5): "Desarrollar un programa de formación estructurado", "Incluir
simulaciones y escenarios de atención", "Realizar evaluaciones post-capacitación", "Entrenar al personal en los
procedimientos".

Quality and management (``training.manage``) plan a session — a course, a simulation or role-play, or an
induction — on a document of the manual (the version in force is kept with it), with a trainer from the staff or
from outside, its day, time, duration and place or link, and invite the attendees: one row and one email each.
After the session they mark each attendee attended, absent or excused with the score of the post-training
evaluation (0–100, passed at the session's pass mark) and a comment, and for a simulation what was observed and
the lessons. Every write carries its audit row in the same transaction."""

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from core import audit, links, mail
from core.db import transaction, utcnow
from core.guard import ROLES
from core.i18n import lazy_gettext as _l
from core.i18n import to_local, to_utc
from models.manual import ManualDocument, ManualVersion
from models.training import (
    ATTENDANCE,
    DEFAULT_PASS_MARK,
    SCORE_MAX,
    SESSION_KINDS,
    TrainingAttendee,
    TrainingSession,
)
from models.users import User, UserRole

KINDS = {
    "training": _l("Training course"),
    "simulation": _l("Simulation or role-play"),
    "induction": _l("Induction"),
}
ATTENDANCE_LABELS = {
    "invited": _l("Invited"),
    "attended": _l("Attended"),
    "absent": _l("Absent"),
    "excused": _l("Excused"),
}
ATTENDANCE_BADGES = {"invited": "muted", "attended": "ok", "absent": "warn", "excused": "info"}
MAX_ATTENDEES = 200
MAX_TEXT = 4000
STAFF_ROLES = tuple(ROLES)  # anyone on the staff may attend


class TrainingError(ValueError):
    """Input a session cannot take; ``field`` names the form field the message belongs beside (422)."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


def document_choices():
    """The documents in force (code and title), for a session's document: one query."""
    return (ManualDocument.select(ManualDocument.id, ManualDocument.code, ManualDocument.title)
            .where(ManualDocument.current.is_null(False)).order_by(ManualDocument.code).tuples())


def people_choices(ids) -> list[tuple[int, str]]:
    """Active staff among ``ids``, by name (a picker's suggested options: those already chosen and the one writing)."""
    ids = [i for i in ids if isinstance(i, int) and 0 < i < 2**31]
    if not ids:
        return []
    return list(User.select(User.id, User.name).where(User.is_active == True, User.id.in_(ids))  # noqa: E712
                .order_by(User.name).tuples())


def _text(value, field, limit=MAX_TEXT) -> str:
    text = (value or "").replace("\r\n", "\n").strip()
    if len(text) > limit:
        raise TrainingError(_("This text is too long (%(max)s characters at most).", max=limit), field)
    return text


def plan(data: dict, user, invite: bool = True) -> TrainingSession:
    """A new session and its invitations (one email per attendee, through the outbox; ``invite`` False for a session
    recorded after it was held)."""
    kind = data.get("kind") if data.get("kind") in SESSION_KINDS else "training"
    topic = _text(data.get("topic"), "topic", 200)
    if not topic:
        raise TrainingError(_("Give the session's topic."), "topic")
    document = version = None
    if data.get("document"):
        document = ManualDocument.get_or_none(ManualDocument.id == data["document"])
        if document is None or document.current_id is None:
            raise TrainingError(_("Choose a document in force."), "document")
        version = ManualVersion.get_by_id(document.current_id)
    trainer = None
    if data.get("trainer"):
        trainer = User.get_or_none(User.id == data["trainer"], User.is_active == True)  # noqa: E712
        if trainer is None:
            raise TrainingError(_("Choose the trainer among the active staff."), "trainer")
    trainer_name = _text(data.get("trainer_name"), "trainer_name", 120)
    if trainer is None and not trainer_name:
        raise TrainingError(_("Say who gives it: someone on the staff, or the name of an external trainer."),
                            "trainer_name")
    day, at = data.get("day"), data.get("time")
    if day is None or at is None:
        raise TrainingError(_("Give the day and the time."), "day")
    starts_at = to_utc(datetime.combine(day, at))
    duration = data.get("duration_minutes")
    if duration is None or not 10 <= duration <= 24 * 60:
        raise TrainingError(_("Between 10 and 1,440 minutes."), "duration_minutes")
    pass_mark = data.get("pass_mark")
    pass_mark = DEFAULT_PASS_MARK if pass_mark is None else pass_mark
    if not 0 <= pass_mark <= SCORE_MAX:
        raise TrainingError(_("The pass mark is a score from 0 to 100."), "pass_mark")
    ids = list(dict.fromkeys(i for i in (data.get("attendees") or []) if isinstance(i, int)))
    if len(ids) > MAX_ATTENDEES:
        raise TrainingError(_("At most %(max)s attendees per session.", max=MAX_ATTENDEES), "attendees")
    people = list(User.select().where(User.id.in_(ids), User.is_active == True,  # noqa: E712
                                      User.id.in_(UserRole.select(UserRole.user))).order_by(User.name, User.id))
    if len(people) != len(ids):
        raise TrainingError(_("Invite active members of staff only."), "attendees")
    if not people:
        raise TrainingError(_("Invite at least one member of staff."), "attendees")
    with transaction():
        session = TrainingSession.create(
            topic=topic, kind=kind, document=document, version=version, trainer=trainer,
            trainer_name="" if trainer else trainer_name, starts_at=starts_at, duration_minutes=duration,
            place=_text(data.get("place"), "place", 300), description=_text(data.get("description"), "description"),
            scenario=_text(data.get("scenario"), "scenario") if kind == "simulation" else "",
            pass_mark=pass_mark, created_by=user)
        now = utcnow()
        TrainingAttendee.insert_many([{"session": session.id, "user": p.id, "status": "invited", "created_at": now,
                                       "updated_at": now} for p in people]).execute()
        audit.record("training_plan", session, actor=user, fields=["topic", "kind", "starts_at", "attendees"],
                     detail=f"document={document.id if document else ''} people={len(people)}")
        session.document, session.version, session.trainer = document, version, trainer
        for person in people if invite else ():
            _invite(person, session)
    return session


def _invite(person, session) -> None:
    from core import ics

    local = to_local(session.starts_at)
    with force_locale(person.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject = _("Invitation to training: %(topic)s", topic=session.topic)
        event = ics.event(ics.uid(f"training-{session.id}"), session.starts_at,
                          session.starts_at + timedelta(minutes=session.duration_minutes), session.topic,
                          location=session.place, description=session.description)
        mail.queue(person.email, subject, "mail/training_invitation", user=person, training=session, local=local,
                   kind_label=KINDS.get(session.kind, session.kind),
                   link=links.absolute("manual.my_training"),
                   attachments=[("formacion.ics", "text/calendar; method=PUBLISH", ics.calendar([event]))])


def record(session: TrainingSession, rows: dict, outcome: str, user) -> int:
    """Attendance and evaluation after the session: ``rows`` maps an attendee id to (status, score, comment); a
    score needs the person to have attended. Returns how many attendee rows changed."""
    if session.starts_at > utcnow():
        raise TrainingError(_("Attendance is marked once the session has started."), "")
    attendees = {a.id: a for a in TrainingAttendee.select().where(TrainingAttendee.session == session.id)}
    changes = []
    for attendee_id, (status, score, comment) in rows.items():
        attendee = attendees.get(attendee_id)
        if attendee is None:
            continue
        if status not in ATTENDANCE:
            raise TrainingError(_("Choose attended, absent or excused."), f"{attendee_id}:status")
        if score is not None and not 0 <= score <= SCORE_MAX:
            raise TrainingError(_("The score is a whole number from 0 to 100."), f"{attendee_id}:score")
        if score is not None and status != "attended":
            raise TrainingError(_("Only someone who attended is evaluated."), f"{attendee_id}:score")
        comment = _text(comment, f"{attendee_id}:comment")
        if (status, score, comment) != (attendee.status, attendee.score, attendee.comment):
            changes.append((attendee, status, score, comment))
    outcome = _text(outcome, "outcome", 20000)
    with transaction():
        for attendee, status, score, comment in changes:
            TrainingAttendee.update(status=status, score=score, comment=comment, updated_at=utcnow()).where(
                TrainingAttendee.id == attendee.id).execute()
            audit.record("training_attendance", attendee, actor=user, fields=["status", "score", "comment"],
                         detail=f"session={session.id} status={status} score={'' if score is None else score}")
        TrainingSession.update(outcome=outcome, recorded_at=utcnow(), updated_at=utcnow()).where(
            TrainingSession.id == session.id).execute()
        if outcome != session.outcome:
            audit.record("training_outcome", session, actor=user, fields=["outcome"])
    session.outcome = outcome
    return len(changes)


def summary(attendees, pass_mark: int) -> dict:
    """Attended, evaluated, passed and the mean score of a session's attendees (already loaded)."""
    scores = [a.score for a in attendees if a.score is not None]
    return {"invited": len(attendees), "attended": sum(a.status == "attended" for a in attendees),
            "evaluated": len(scores), "passed": sum(s >= pass_mark for s in scores),
            "mean": round(sum(scores) / len(scores)) if scores else None}

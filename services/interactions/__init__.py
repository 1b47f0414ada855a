"""The interaction log ("Registro de interacciones") and virtual meetings: writes with their audit row in
one transaction, the confidential read (one ``sensitive_read`` row, team only), the periodic-update flag
("Actualización periódica") and the choices the log form offers. The timeline as a page shows it (filters,
paging, links) is view code: blueprints/interactions/timeline.py.

Team for a confidential entry: the client's team (``Case.on_client_team``), or the case team when the entry has
a case; management always passes (DESIGN.md §5, SECURITY.md A3, L1).

Meetings follow the firm's protocol ("Protocolo en reuniones virtuales"): an agenda, an agreed time, the
invitation at least three days before, no more than two hours, recording only with the client's consent.
The invitation goes by email with an iCalendar file (METHOD:REQUEST); cancelling sends METHOD:CANCEL.
"""

from dataclasses import dataclass
from datetime import timedelta

from babel.dates import get_timezone_location
from flask import current_app
from flask_babel import force_locale, format_date, format_time, format_timedelta, get_timezone
from flask_babel import gettext as _

from core import audit, ics, mail
from core.db import transaction, utcnow
from models.cases import Case, team_choices
from models.clients import Client
from models.interactions import Interaction, Meeting
from models.tasks import Task
from services.interactions import labels

PAGE_SIZE = 20  # timeline entries per page
INVITATION_NOTICE = timedelta(days=3)  # "Enviar la invitación mínimo con tres días de anticipación"
LONG_MEETING_MINUTES = 120  # "Se recomienda que no dure más de dos horas"


class MeetingError(ValueError):
    pass


# ----- who sees what -----

def is_management(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and "management" in user.role_names


def may_see(interaction: Interaction, user, client: Client | None = None) -> bool:
    """May this person read the summary of a confidential entry?"""
    if not interaction.confidential or is_management(user):
        return True
    if interaction.case_id:  # an entry of a case: that case's team decides (not every case of the client)
        case = Case.get_or_none(Case.id == interaction.case_id)
        return case is not None and case.on_team(user)
    client = client or Client.get_by_id(interaction.client_id)
    return Case.on_client_team(client, user)


def check_team(entry: Interaction, user) -> bool:
    """May this person read the confidential entry? Someone off the team is refused like for an entry that does
    not exist (the page answers 404), and the attempt leaves its ``authz_fail`` row (A3)."""
    if may_see(entry, user):
        return True
    audit.record("authz_fail", entry, detail="not on team: confidential interaction")
    return False


def reveal(entry: Interaction, user) -> str:
    """The summary in clear, with the one ``sensitive_read`` row this read costs (L1)."""
    if entry.confidential:
        audit.record("sensitive_read", entry, actor=user, fields=["summary"], detail=f"client={entry.client_id}")
    return entry.reveal_summary()


# ----- the periodic update -----

@dataclass
class UpdateGap:
    days: int | None  # days since the last outgoing update; None when there was never one


def update_gap(client: Client, now=None) -> UpdateGap | None:
    """``None`` when the client is up to date (or not active); otherwise how long since the last update."""
    now = now or utcnow()
    if not client.needs_update(now, current_app.config["UPDATE_INTERVAL_DAYS"]):
        return None
    return UpdateGap((now - client.last_update_at).days if client.last_update_at else None)


def response_time(entry: Interaction) -> str:
    """How long the firm took to answer, in words ("3 horas")."""
    delta = entry.response_time
    return format_timedelta(delta, threshold=1.5) if delta is not None else ""


# ----- choices -----

def follow_up_team(client, user, case=None):
    """Who is offered to own a follow-up, as ``team(chosen)`` for the form: the staff of the case (on a client's
    timeline: of its open cases, and its responsible), the person writing and the one already chosen, if they
    work cases. Others are looked up by name."""
    return lambda chosen: team_choices(case=case, client=None if case is not None else client,
                                       also=(user.id, chosen if isinstance(chosen, int) else None))


def case_choices(client):
    query = Case.select(Case.id, Case.title).where(Case.client == client).order_by(Case.id.desc())
    return [(case_id, f"EXP-{case_id:05d} · {title}") for case_id, title in query.tuples()]


# ----- writes -----

def log(client: Client, data: dict, user, case: Case | None = None) -> Interaction:
    """Record one contact; a follow-up date makes a task; an outgoing update refreshes the client's
    "last update" (only forwards)."""
    case_id = case.id if case is not None else data.get("case")
    with transaction():
        entry = Interaction.create(client=client, case=case_id, occurred_at=data["occurred_at"], channel=data["channel"],
                                   direction=data["direction"], kind=data["kind"], confidential=data["confidential"],
                                   created_by=user)
        entry.set_summary(data["summary"])  # after the id: the ciphertext is bound to it
        entry.save()
        if data.get("follow_up_on"):
            Task.create(kind="follow_up", title=_follow_up_title(entry, client, data["summary"]), due_on=data["follow_up_on"],
                        owner=data["follow_up_owner"], client=client, case=case_id, interaction=entry, created_by=user)
        if entry.direction == "out" and entry.kind == "update":
            Client.update(last_update_at=entry.occurred_at).where(
                Client.id == client.id, Client.last_update_at.is_null() | (Client.last_update_at < entry.occurred_at)).execute()
            if client.last_update_at is None or client.last_update_at < entry.occurred_at:
                client.last_update_at = entry.occurred_at
        fields = ["occurred_at", "channel", "direction", "kind", "summary", "confidential", "case"]
        audit.record("interaction_log", entry, actor=user, fields=fields + (["follow_up"] if data.get("follow_up_on") else []),
                     detail=f"client={client.id}")
    return entry


def _follow_up_title(entry, client, summary) -> str:
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        title = _("Follow up: %(kind)s · %(client)s", kind=str(labels.KINDS[entry.kind]), client=client.name)
    if not entry.confidential:  # a confidential summary never leaves the entry
        title += f" — {summary[:120]}"
    return title[:300]


def mark_answered(entry: Interaction, user) -> bool:
    """A question or concern from the client answered now; False when it already was."""
    if not entry.needs_answer:
        return False
    now = utcnow()
    with transaction():
        done = Interaction.update(answered_at=now, answered_by=user, updated_at=now).where(
            Interaction.id == entry.id, Interaction.answered_at.is_null()).execute()
        if done:
            audit.record("interaction_answer", entry, actor=user, fields=["answered_at"])
    if done:
        entry.answered_at, entry.answered_by = now, user
    return bool(done)


# ----- meetings -----

def protocol_warnings(starts_at, duration_minutes: int, now=None) -> list[str]:
    """What the firm's protocol advises against; scheduling anyway needs an explicit confirmation."""
    now = now or utcnow()
    warnings = []
    if starts_at - now < INVITATION_NOTICE:
        warnings.append(_("The invitation goes out less than 3 days before the meeting."))
    if duration_minutes and duration_minutes > LONG_MEETING_MINUTES:
        warnings.append(_("The meeting lasts more than two hours: attention drops."))
    return warnings


def schedule_meeting(client: Client, data: dict, user) -> tuple[Meeting, bool]:
    """Store the meeting and, when the client has an email, queue the invitation (with the .ics) and log
    it. Returns the meeting and whether the invitation was sent."""
    with transaction():
        meeting = Meeting.create(client=client, organiser=user, **data)
        sent = bool(client.email)
        if sent:
            _send(meeting, client, "REQUEST")
            meeting.invitation_sent_at = utcnow()
            meeting.save()
            _log_meeting_mail(meeting, client, user, cancelled=False)
        audit.record("meeting_schedule", meeting, actor=user, fields=sorted(data),
                     detail=f"client={client.id} invitation={'sent' if sent else 'none'}")
    return meeting, sent


def cancel_meeting(meeting: Meeting, user) -> bool:
    """Call the meeting off; a client who was invited gets the cancellation (METHOD:CANCEL, SEQUENCE+1).
    Returns whether the cancellation was sent."""
    if meeting.status != "scheduled":
        raise MeetingError(_("This meeting is not scheduled any more."))
    if meeting.starts_at <= utcnow():
        raise MeetingError(_("This meeting has already started; it cannot be called off."))
    client = Client.get_by_id(meeting.client_id)
    with transaction():
        changed = Meeting.update(status="cancelled", sequence=Meeting.sequence + 1, updated_at=utcnow()).where(
            Meeting.id == meeting.id, Meeting.status == "scheduled").execute()
        if not changed:
            raise MeetingError(_("Someone changed this meeting meanwhile; reload the page."))
        meeting.status, meeting.sequence = "cancelled", meeting.sequence + 1
        sent = bool(client.email and meeting.invitation_sent_at)
        if sent:
            _send(meeting, client, "CANCEL")
            _log_meeting_mail(meeting, client, user, cancelled=True)
        audit.record("meeting_cancel", meeting, actor=user, fields=["status"], detail=f"client={client.id}")
    return sent


def zone_label() -> str:
    """The firm's time zone as people say it ("hora de Colombia")."""
    from flask_babel import get_locale

    return get_timezone_location(get_timezone(), locale=get_locale())


def meeting_time(meeting: Meeting) -> str:
    """The start in the firm's time zone, in words: "martes, 3 de diciembre de 2030, 10:00 (hora de Colombia)"."""
    return f"{format_date(meeting.starts_at, 'full')}, {format_time(meeting.starts_at, 'short')} ({zone_label()})"


def invitation_file(meeting: Meeting, client: Client, method: str = "") -> bytes:
    """The meeting's .ics: REQUEST while scheduled, CANCEL once cancelled."""
    config = current_app.config
    method = method or ("CANCEL" if meeting.status == "cancelled" else "REQUEST")
    with force_locale(config["BABEL_DEFAULT_LOCALE"]):
        summary = _("Meeting with %(firm)s", firm=config["FIRM_NAME"])
    return ics.meeting_invitation(meeting, summary=summary, organizer=config["MAIL_FROM"], organizer_name=config["FIRM_NAME"],
                                  attendee_email=client.email or "", attendee_name=client.name, method=method)


def _send(meeting: Meeting, client: Client, method: str) -> None:
    config = current_app.config
    with force_locale(config["BABEL_DEFAULT_LOCALE"]):  # the client gets the firm's language
        when = meeting_time(meeting)
        if method == "CANCEL":
            subject = _("Meeting cancelled: %(when)s", when=when)
        else:
            subject = _("Invitation: meeting with %(firm)s, %(when)s", firm=config["FIRM_NAME"], when=when)
        attachment = ("invitacion.ics", f"text/calendar; method={method}; charset=utf-8", invitation_file(meeting, client, method))
        mail.queue(client.email, subject, "mail/meeting_invitation", attachments=[attachment], meeting=meeting,
                   client=client, when=when, cancelled=method == "CANCEL", labels=labels)


def _log_meeting_mail(meeting, client, user, cancelled: bool) -> None:
    """The invitation (or the cancellation) in the interaction log, written in the firm's language."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        values = {"when": meeting_time(meeting), "channel": str(labels.MEETING_CHANNELS[meeting.channel]),
                  "agenda": meeting.agenda[:500]}
        summary = (_("Meeting of %(when)s (%(channel)s) cancelled; the client was told. Agenda: %(agenda)s", **values)
                   if cancelled else _("Meeting invitation sent for %(when)s (%(channel)s). Agenda: %(agenda)s", **values))
    entry = Interaction.create(client=client, case=meeting.case_id, occurred_at=utcnow(), channel="email", direction="out",
                               kind="meeting", summary=summary, created_by=user)
    audit.record("interaction_log", entry, actor=user, fields=["kind", "summary"], detail=f"client={client.id} meeting={meeting.id}")

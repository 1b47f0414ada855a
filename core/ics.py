"""iCalendar (RFC 5545) files: a meeting invitation or cancellation (iTIP, RFC 5546) and plain calendars
such as the staff's deadline feed. Built with the ``icalendar`` package; times go out in UTC.

``calendar(events)`` wraps events in a VCALENDAR; ``event(...)`` builds one VEVENT; ``meeting_invitation``
is the one-event calendar an invitation email carries (METHOD:REQUEST, or METHOD:CANCEL with a higher
SEQUENCE when the meeting is called off).
"""

import hashlib
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from urllib.parse import urlsplit

from flask import current_app
from icalendar import Calendar, Event, vCalAddress, vText

PRODID = "-//Traza//Traza//ES"


def uid(local: str, config=None) -> str:
    """A UID unique beyond this installation and stable while its settings stay (RFC 5545 §3.8.4.7:
    ``local@domain``): ``deadline-12`` becomes ``deadline-12.3f9a0c51d2e4@traza.firma.example``. The domain is
    BASE_URL's host; the short hash of the firm's name and BASE_URL keeps two firms apart even where both
    serve from the same intranet address, so their entries never replace each other in one calendar."""
    config = config or current_app.config
    base = config["BASE_URL"].rstrip("/")
    install = hashlib.sha256(f"{config['FIRM_NAME']}|{base}".encode()).hexdigest()[:12]
    return f"{local}.{install}@{urlsplit(base).hostname or 'traza'}"


def utc(value: datetime) -> datetime:
    """A stored naive UTC datetime (or an aware one) as an aware UTC datetime: written as ``…Z``."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def address(email: str, name: str = "", **params) -> vCalAddress:
    """``mailto:`` address with its common name (CN) and any other parameters (ROLE, PARTSTAT, RSVP)."""
    value = vCalAddress(f"mailto:{email}")
    if name:
        value.params["cn"] = vText(name)
    for key, param in params.items():
        value.params[key.replace("_", "-")] = vText(param)
    return value


def event(uid: str, start: datetime, end: datetime, summary: str, *, description: str = "", location: str = "",
          organizer: vCalAddress | None = None, attendees=(), sequence: int = 0, status: str = "",
          url: str = "", stamp: datetime | None = None, all_day: bool = False) -> Event:
    """One VEVENT. ``start``/``end`` are naive UTC (as stored) or aware datetimes; dates when ``all_day``."""
    vevent = Event()
    vevent.add("uid", uid)
    vevent.add("dtstamp", utc(stamp or datetime.now(UTC)))
    vevent.add("dtstart", start if all_day else utc(start))
    vevent.add("dtend", end if all_day else utc(end))
    vevent.add("summary", summary)
    if description:
        vevent.add("description", description)
    if location:
        vevent.add("location", location)
    if url:
        vevent.add("url", url)
    if organizer is not None:
        vevent.add("organizer", organizer)
    for attendee in attendees:
        vevent.add("attendee", attendee)
    vevent.add("sequence", sequence)
    if status:
        vevent.add("status", status)
    return vevent


def calendar(events, *, method: str = "", name: str = "") -> bytes:
    """A VCALENDAR holding ``events`` (a feed when ``method`` is empty), serialised with CRLF line ends."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    for item in events:
        cal.add_component(item)
    return cal.to_ical()


def meeting_invitation(meeting, *, summary: str, organizer: str, organizer_name: str = "",
                       attendee_email: str = "", attendee_name: str = "", method: str = "REQUEST") -> bytes:
    """The invitation (``REQUEST``) or cancellation (``CANCEL``) of a meeting: one VEVENT whose UID stays
    ``<meeting.uid>@traza`` for the meeting's life, so calendars update or remove the same entry.

    ``organizer`` is the firm's sender address (``MAIL_FROM``, "Name <addr>" allowed); the attendee is the
    client (left out when the client has no email: the downloaded file still works).
    """
    name, email = parseaddr(organizer)
    attendees = [address(attendee_email, attendee_name, role="REQ-PARTICIPANT", partstat="NEEDS-ACTION",
                         rsvp="TRUE")] if attendee_email else []
    vevent = event(f"{meeting.uid}@traza", meeting.starts_at, meeting.starts_at + timedelta(minutes=meeting.duration_minutes),
                   summary, description=meeting.agenda, location=meeting.location,
                   organizer=address(email, organizer_name or name), attendees=attendees, sequence=meeting.sequence,
                   status="CANCELLED" if method == "CANCEL" else "CONFIRMED")
    return calendar([vevent], method=method)

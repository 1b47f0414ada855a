"""Results shared with the staff (manual-procedimientos-checklist: "Compartir resultados con el equipo y otros
interesados", "Comunicar resultados al personal y clientes"; ISO 9001 §7.4).

Quality or management writes a note about the results of a period — a title, a plain-text body (shown with its
line breaks, never as HTML), the period it talks about and optionally the indicator (or the dashboard) it points
to — and publishes it. Every active staff member whose account existed when it was published sees it on their
start page until they acknowledge it ("Leído"); each acknowledgement is recorded once per person with its
moment. Quality sees how many acknowledged and who has not.

A note may also carry a client-facing text ("Lo que mejoramos gracias a sus respuestas") marked as available for
the newsletter: there is no newsletter sending yet, so it is stored and shown as a preview on the note's page;
``QualityNote.for_newsletter_items()`` is what the newsletter will read.

Every write carries its audit row in the same transaction (DESIGN.md §3).
"""

from datetime import date

from flask_babel import gettext as _
from peewee import IntegrityError

from core import audit
from core.db import db, transaction, utcnow
from models.quality import QualityNote, QualityNoteAck

MAX_TITLE = 200
MAX_BODY = 8000
MAX_CLIENT_TEXT = 4000
MIN_YEAR, MAX_YEAR = 1900, 2100
DASHBOARD = "panel"  # the note points to the whole dashboard rather than one indicator


class NoteError(ValueError):
    """Bad input; ``field`` names the form field the message belongs beside."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


def link_keys() -> tuple[str, ...]:
    """What a note may point to: nothing, the dashboard or one indicator."""
    from services.quality.indicators import INDICATORS

    return ("", DASHBOARD, *INDICATORS)


def errors(*, title, body, period_start, period_end, indicator="", client_summary="", for_newsletter=False) -> dict:
    """{field: message} for a note that cannot be published; empty when it can."""
    problems = {}
    if not (title or "").strip():
        problems["title"] = _("Give the note a title.")
    elif len(title.strip()) > MAX_TITLE:
        problems["title"] = _("Write a shorter text (at most %(max)d characters).", max=MAX_TITLE)
    if not (body or "").strip():
        problems["body"] = _("Write what the team should know.")
    elif len(body.strip()) > MAX_BODY:
        problems["body"] = _("Write a shorter text (at most %(max)d characters).", max=MAX_BODY)
    for name, day in (("period_start", period_start), ("period_end", period_end)):
        if not isinstance(day, date):
            problems[name] = _("Give the day.")
        elif not MIN_YEAR <= day.year <= MAX_YEAR:
            problems[name] = _("That date is not possible.")
    if "period_start" not in problems and "period_end" not in problems and period_end < period_start:
        problems["period_end"] = _("The period cannot end before it starts.")
    if (indicator or "") not in link_keys():
        problems["indicator"] = _("Choose an indicator from the list.")
    client_summary = (client_summary or "").strip()
    if len(client_summary) > MAX_CLIENT_TEXT:
        problems["client_summary"] = _("Write a shorter text (at most %(max)d characters).", max=MAX_CLIENT_TEXT)
    elif for_newsletter and not client_summary:
        problems["client_summary"] = _("Write the text for clients before offering it to the newsletter.")
    return problems


def publish(*, title, body, period_start, period_end, user, indicator="", client_summary="",
            for_newsletter=False) -> QualityNote:
    """Publish a note to the staff; raises NoteError (naming the first field at fault) for bad input."""
    problems = errors(title=title, body=body, period_start=period_start, period_end=period_end, indicator=indicator,
                      client_summary=client_summary, for_newsletter=for_newsletter)
    if problems:
        field, message = next(iter(problems.items()))
        raise NoteError(message, field)
    client_summary = (client_summary or "").strip()
    with transaction():
        note = QualityNote.create(
            title=title.strip(), body=body.strip(), period_start=period_start, period_end=period_end,
            indicator=indicator or "", client_summary=client_summary, for_newsletter=bool(for_newsletter),
            published_at=utcnow(), published_by=getattr(user, "id", user))
        audit.record("quality_note_publish", note, actor=user,
                     fields=["title", "body", "period_start", "period_end", "indicator", "client_summary",
                             "for_newsletter"],
                     detail=f"newsletter={'yes' if note.for_newsletter else 'no'}")
    return note


def acknowledge(note: QualityNote, user) -> bool:
    """Record this person's "Leído" on the note, once: True when recorded now, False when they already had (a
    second click, or two at the same time, fails alone on the unique index and writes nothing)."""
    with transaction():
        try:
            with db.atomic():  # a savepoint: the second acknowledgement fails alone
                QualityNoteAck.create(note=note.id, user=user.id, acknowledged_at=utcnow())
        except IntegrityError:
            return False
        audit.record("quality_note_ack", note, actor=user, detail=f"note={note.id}")
    return True


def is_audience(note: QualityNote, user) -> bool:
    """Whether the note speaks to this person (their account existed when it was published)."""
    return user.is_active and user.created_at <= note.published_at


def link_choices() -> list[tuple[str, str]]:
    """(key, name) of what a note may point to: the dashboard, then each indicator by its name (no query)."""
    from services.quality import indicators

    return [(DASHBOARD, _("The quality dashboard")),
            *((key, str(indicators.DEFINITIONS[key]().name)) for key in indicators.INDICATORS)]


def link_name(key: str) -> str:
    """The name of what a note points to ("" for nothing), without a query."""
    from services.quality import indicators

    if not key:
        return ""
    if key == DASHBOARD or key not in indicators.INDICATORS:
        return _("The quality dashboard")
    return str(indicators.DEFINITIONS[key]().name)

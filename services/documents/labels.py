"""Words shown for the codes of document checklists, deadlines and holiday calendars (the codes live in
models/documents.py)."""

from functools import lru_cache

from babel.lists import format_list
from flask_babel import format_decimal, get_locale, ngettext
from flask_babel import gettext as _

from core.i18n import lazy_gettext as _l
from core.i18n import lazy_pgettext

# "document" context: Spanish agrees with "el documento" (recibido, revisado, rechazado, vencido).
ITEM_STATES = {"pending": lazy_pgettext("document", "Pending"), "received": lazy_pgettext("document", "Received"),
               "reviewed": lazy_pgettext("document", "Reviewed"), "rejected": lazy_pgettext("document", "Rejected"),
               "expired": lazy_pgettext("document", "Expired")}
ITEM_BADGES = {"pending": "muted", "received": "info", "reviewed": "ok", "rejected": "danger", "expired": "danger"}
REVIEW_DECISIONS = {"reviewed": _l("Mark as reviewed"), "rejected": _l("Reject"), "pending": _l("Back to pending")}


def file_size(size: int) -> str:
    """1 536 → "1,5 KB" in Spanish: bytes are not words, but the decimal comma is."""
    if size < 1024:
        return f"{size} B"
    for unit in ("KB", "MB", "GB"):
        size /= 1024
        if size < 1024 or unit == "GB":
            return f"{format_decimal(round(size, 1))} {unit}"
    return ""  # not reached


# ----- deadlines -----

DEADLINE_KINDS = {"procedural": _l("Procedural"), "contractual": _l("Contractual"),
                  "administrative": _l("Administrative")}
DEADLINE_STATES = {"open": lazy_pgettext("deadline", "Open"), "done": lazy_pgettext("deadline", "Met"),
                   "missed": lazy_pgettext("deadline", "Missed")}
DEADLINE_BADGES = {"open": "warn", "done": "ok", "missed": "danger"}
DEADLINE_STATUS_ACTIONS = {"done": _l("Mark as met"), "missed": _l("Mark as missed"), "open": _l("Reopen")}
REGIONS = {"CO": _l("Colombia"), "ES": _l("Spain")}  # the holiday calendars (codes: models.documents.REGIONS)


def alert_text(offsets: list[int]) -> str:
    """[7, 1] → "7 and 1 days before"; 0 is "on the day". Said once per language and set of offsets (a deadline
    list repeats a few sets, and Babel's list and plural cost ~40 µs a row)."""
    return _alert_text(tuple(offsets), str(get_locale()))


@lru_cache(maxsize=512)
def _alert_text(offsets: tuple[int, ...], language: str) -> str:
    before = [str(o) for o in offsets if o > 0]
    parts = []
    if before:
        listed = format_list(before, locale=get_locale())
        parts.append(ngettext("%(days)s day before", "%(days)s days before", 1 if before == ["1"] else 2, days=listed))
    if 0 in offsets:
        parts.append(_("on the day"))
    return ", ".join(parts)

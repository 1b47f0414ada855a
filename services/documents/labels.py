"""Words shown for the document checklist's codes (the codes live in models/documents.py)."""

from flask_babel import format_decimal, lazy_pgettext
from flask_babel import lazy_gettext as _l

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

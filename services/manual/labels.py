"""The manual's words: kinds of document, states of a version, the sections of PRO 008."""

from flask_babel import lazy_gettext as _l

DOCUMENT_KINDS = {
    "procedure": _l("Procedure"),
    "policy": _l("Policy"),
    "form": _l("Form or template"),
}
VERSION_STATES = {
    "draft": _l("Draft"),
    "in_review": _l("In review"),
    "approved": _l("Approved"),
    "published": _l("Published"),
    "superseded": _l("Superseded"),
    "withdrawn": _l("Withdrawn"),
}
STATE_BADGES = {"draft": "muted", "in_review": "info", "approved": "warn", "published": "ok", "superseded": "muted",
                "withdrawn": "muted"}
# The headings PRO 008 numbers 1–8 (its own words).
SECTIONS = {
    "objective": _l("Objective"),
    "scope": _l("Scope"),
    "responsibilities": _l("Responsibilities"),
    "definitions": _l("Definitions"),
    "procedure": _l("Procedure"),
    "records": _l("Records"),
    "indicators": _l("Performance indicators"),
    "related": _l("Related documents"),
}

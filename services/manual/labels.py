"""The manual's words: kinds of document, states of a version, the sections of PRO 008."""

from core.i18n import lazy_gettext as _l
from core.i18n import lazy_pgettext

DOCUMENT_KINDS = {
    "procedure": _l("Procedure"),
    "policy": _l("Policy"),
    "form": _l("Form or template"),
}
VERSION_STATES = {  # a version (una versión): its own context, for the words' gender
    "draft": lazy_pgettext("manual version", "Draft"),
    "in_review": lazy_pgettext("manual version", "In review"),
    "approved": lazy_pgettext("manual version", "Approved"),
    "published": lazy_pgettext("manual version", "Published"),
    "superseded": lazy_pgettext("manual version", "Superseded"),
    "withdrawn": lazy_pgettext("manual version", "Withdrawn"),
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
REVIEW_OUTCOMES = {
    "still_valid": _l("Still valid: no change needed"),
    "new_version": _l("A new version is needed (drafted now)"),
}
AGREEMENT_KINDS = {"staff": _l("Member of staff"), "contractor": _l("Contractor")}

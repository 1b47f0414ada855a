"""The privacy domain's words: kinds of data-subject request, channels, states, how identity was checked."""

from flask_babel import lazy_gettext as _l

DSR_KINDS = {
    "query": _l("Query or access"),
    "rectification": _l("Update and rectification"),
    "erasure": _l("Erasure"),
    "revocation": _l("Revocation of the authorization"),
    "objection": _l("Objection"),
}
DSR_CHANNELS = {
    "email": _l("Email"),
    "phone": _l("Phone"),
    "in_person": _l("In person"),
    "letter": _l("Letter"),
    "web_form": _l("Web form"),
}
DSR_STATES = {
    "received": _l("Received"),
    "in_progress": _l("In progress"),
    "answered": _l("Answered"),
    "rejected": _l("Rejected"),
}
DSR_BADGES = {"received": "info", "in_progress": "warn", "answered": "ok", "rejected": "muted"}
IDENTITY_METHODS = {
    "pending": _l("Not checked yet"),
    "verification": _l("The client's identity verification items"),
    "document": _l("Identity document shown"),
    "registered_contact": _l("From the contact details on record"),
    "representative": _l("Representative with a power of attorney"),
}
JURISDICTIONS = {
    "CO": _l("Colombia (Ley 1581 de 2012)"),
    "ES": _l("Spain (GDPR and LOPDGDD)"),
}

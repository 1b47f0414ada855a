"""The traceability report's words: its kinds of event, in the order of PRO 008 §5 (from the first contact to
loyalty)."""

from core.i18n import lazy_gettext as _l

KINDS = {
    "intake": _l("Intake and evaluation"),
    "conflict": _l("Conflict check"),
    "consent": _l("Consents"),
    "quotations": _l("Quotations"),
    "contracts": _l("Contracts"),
    "cases": _l("Cases"),
    "interventions": _l("Interventions"),
    "interactions": _l("Interactions"),
    "documents": _l("Documents"),
    "deadlines": _l("Deadlines"),
    "closing": _l("Closing"),
    "surveys": _l("Satisfaction surveys"),
    "complaints": _l("Complaints and requests"),
    "crisis": _l("Crisis protocol"),
    "renewals": _l("Renewals"),
    "benefits": _l("Benefits and referrals"),
    "privacy": _l("Data protection requests"),
}

MASKED = _l("confidential content")
READ_REASON = "informe de trazabilidad"

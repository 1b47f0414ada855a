from core.i18n import lazy_gettext as _l
from core.i18n import lazy_pgettext

# Contexts keep the grammatical gender right in Spanish: una cotización aceptada, un contrato activo.
QUOTATION_STATES = {"draft": _l("Draft"), "sent": _l("Sent"), "accepted": lazy_pgettext("quotation", "Accepted"),
                    "rejected": lazy_pgettext("quotation", "Rejected"), "expired": _l("Expired"),
                    "superseded": lazy_pgettext("quotation", "Superseded")}
QUOTATION_BADGES = {"draft": "muted", "sent": "warn", "accepted": "ok", "rejected": "danger", "expired": "muted",
                    "superseded": "muted"}
CONTRACT_STATES = {"draft": _l("Draft"), "active": lazy_pgettext("contract", "Active"),
                   "expired": lazy_pgettext("contract", "Expired"), "renewed": _l("Renewed"), "terminated": _l("Terminated")}
CONTRACT_BADGES = {"draft": "muted", "active": "ok", "expired": "muted", "renewed": "muted", "terminated": "danger"}
FREQUENCIES = {"one_off": _l("One-off"), "monthly": _l("Monthly"), "quarterly": _l("Quarterly"),
               "yearly": _l("Yearly"), "on_demand": _l("On demand")}

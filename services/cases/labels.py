"""Words shown for the case models' codes (the codes live in models/cases.py)."""

from core.i18n import lazy_gettext as _l
from core.i18n import lazy_pgettext

STATES = {"open": lazy_pgettext("case", "Open"), "in_progress": _l("In progress"),
          "resolved": lazy_pgettext("case", "Resolved"), "closed": lazy_pgettext("case", "Closed")}
BADGES = {"open": "warn", "in_progress": "ok", "resolved": "ok", "closed": "muted"}
TRANSITION_ACTIONS = {"in_progress": _l("Start work"), "resolved": _l("Mark as resolved"), "closed": _l("Close the case")}
EVIDENCE_KINDS = {"document": _l("Document"), "testimony": _l("Testimony"), "other": _l("Other evidence")}
CONTACT_WAYS = {"in_person": _l("In person"), "phone": _l("Phone call"), "video": _l("Video call"),
                "email": _l("Email"), "letter": _l("Letter")}
DELIVERY_KINDS = {"agreement": _l("Copy of an agreement"), "resolution": _l("Copy of a resolution"),
                  "ruling": _l("Copy of a ruling"), "other": _l("Other final document")}
INTERVENTION_STATES = {"planned": lazy_pgettext("intervention", "Planned"), "done": lazy_pgettext("intervention", "Done"),
                       "cancelled": lazy_pgettext("intervention", "Cancelled")}
INTERVENTION_BADGES = {"planned": "warn", "done": "ok", "cancelled": "muted"}
PARTY_KINDS = {"counterparty": _l("Counterparty"), "related": _l("Related party")}

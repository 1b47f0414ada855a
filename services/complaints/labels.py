"""Words shown for the complaint and crisis codes (the codes live in models/complaints.py,
services/complaints/__init__.py and services/complaints/crisis.py)."""

from core.i18n import lazy_gettext as _l
from core.i18n import lazy_pgettext

KINDS = {"complaint": _l("Complaint"), "claim": _l("Claim"), "request": _l("Request"), "query": _l("Query"),
         "suggestion": _l("Suggestion"), "compliment": _l("Compliment")}
SEVERITIES = {"low": lazy_pgettext("severity", "Low"), "medium": lazy_pgettext("severity", "Medium"),
              "high": lazy_pgettext("severity", "High")}
SEVERITY_BADGES = {"low": "muted", "medium": "warn", "high": "danger"}
CHANNELS = {"email": _l("Email"), "phone": _l("Phone call"), "in_person": _l("In person"), "web": _l("Web form"),
            "letter": _l("Letter"), "survey": _l("Satisfaction survey"), "messaging": _l("Messaging (WhatsApp…)")}
STATES = {"received": lazy_pgettext("complaint", "Received"), "analysis": _l("In analysis"),
          "resolution": _l("In resolution"), "resolved": lazy_pgettext("complaint", "Resolved"),
          "closed": lazy_pgettext("complaint", "Closed")}
STATE_BADGES = {"received": "warn", "analysis": "warn", "resolution": "ok", "resolved": "ok", "closed": "muted"}
STEP_ACTIONS = {"analysis": _l("Start the analysis"), "resolution": _l("Move to resolution"),
                "resolved": _l("Mark as resolved"), "closed": _l("Close the complaint")}
SOURCES = {"manual": _l("Registered by staff"), "survey": _l("Low score in a survey"), "crisis": _l("Crisis protocol")}
AGREEMENT = {"": _l("Not recorded"), "agreed": _l("Agrees with the actions"), "disagreed": _l("Disagrees"),
             "no_answer": _l("No answer")}
INFORMED_CHANNELS = {"in_person": _l("In person"), "phone": _l("Phone call"), "email": _l("Email"),
                     "letter": _l("Letter"), "messaging": _l("Messaging (WhatsApp…)"),
                     "anonymous": _l("No contact details (anonymous)")}
SLA = {"ok": _l("Within SLA"), "near": _l("Near breach"), "breached": _l("Breached"), "done": _l("Handled"),
       "none": _l("No SLA")}
SLA_BADGES = {"ok": "ok", "near": "warn", "breached": "danger", "done": "muted", "none": "muted"}

# The crisis protocol ("Cliente en crisis"); its own texts (steps, purposes, suggested phrases) are the firm's
# Spanish document, quoted in services/complaints/crisis_protocol.py.
CRISIS_CHANNELS = {"in_person": _l("In person"), "phone": _l("Phone"), "email": _l("Email"),
                   "messaging": _l("Messaging"), "web": _l("Web")}
CRISIS_STATES = {"open": _l("Open"), "closed": _l("Closed")}
CRISIS_BADGES = {"open": "danger", "closed": "muted"}
# The tabs of the incidents list, plural and agreeing with "los incidentes": Todos / En curso / Cerrados.
CRISIS_TABS = {"": lazy_pgettext("crisis incidents", "All"), "open": lazy_pgettext("crisis incidents", "Open"),
               "closed": lazy_pgettext("crisis incidents", "Closed")}
CRISIS_ACTIONS = {"solution": _l("Concrete solution (refund, change, compensation)"),
                  "apology": _l("Empathic apology"), "safety": _l("Safety"), "pause": _l("A pause")}

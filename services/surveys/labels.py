"""Words shown for the survey models' codes (the codes live in models/surveys.py)."""

from core.i18n import lazy_gettext as _l
from core.i18n import lazy_pgettext

QUESTION_KINDS = {"rating": _l("Rating 1–5"), "nps": _l("Recommendation 0–10 (NPS)"), "choice": _l("Single choice"),
                  "yes_no": _l("Yes / no"), "text": _l("Free text")}
# The evaluation criteria of the customer-service material ("Evaluación del servicio").
CRITERIA = {"response_times": _l("Response times"), "communication": _l("Communication"), "courtesy": _l("Courtesy"),
            "commitments": _l("Fulfilment of commitments"), "accessibility": _l("Accessibility"),
            "facilities": _l("State of the facilities"), "overall": _l("Overall satisfaction")}
# The statuses staff see (models.surveys.SHOWN_STATES); "closed" is an anonymous survey's once its link expired.
INVITATION_STATES = {"pending": lazy_pgettext("survey", "Pending"), "sent": lazy_pgettext("survey", "Sent"),
                     "opened": lazy_pgettext("survey", "Opened"), "answered": lazy_pgettext("survey", "Answered"),
                     "expired": lazy_pgettext("survey", "Link expired"), "withdrawn": lazy_pgettext("survey", "Withdrawn"),
                     "closed": lazy_pgettext("survey", "Closed (anonymous)")}
INVITATION_BADGES = {"pending": "warn", "sent": "info", "opened": "info", "answered": "ok", "expired": "muted",
                     "withdrawn": "muted", "closed": "muted"}
LINK_PURPOSES = {"email": _l("Invitation email"), "reminder": _l("Reminder"), "manual": _l("Handed over by staff")}

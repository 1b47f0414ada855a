"""The words for the loyalty domain's codes: a renewal decision's outcome, a follow-up contact's outcome."""

from core.i18n import lazy_gettext as _l

OUTCOME_LABELS = {"not_renewed": _l("Not renewed"), "lost": _l("Lost")}
FOLLOW_UP_LABELS = {"contacted": _l("Contacted"), "new_need": _l("New need"), "no_answer": _l("No answer")}
# A newsletter issue's state.
ISSUE_STATE_LABELS = {"draft": _l("Draft"), "sending": _l("Sending"), "sent": _l("Sent")}

# The loyalty and referral programmes (services/loyalty/benefits.py, referrals.py).
BENEFIT_KINDS = {"discount": _l("Discount"), "service": _l("Additional service"), "priority": _l("Priority attention")}
BENEFIT_BASES = {"contracts": _l("Recurring client: at least N contracts"),
                 "years": _l("Recurring client: a client for at least N years"),
                 "referrals": _l("Referrer: at least N referred clients who became clients")}
REFERRAL_OUTCOMES = {"client": _l("Became a client"), "evaluating": _l("In evaluation"),
                     "not_accepted": _l("Not accepted")}
REFERRAL_BADGES = {"client": "ok", "evaluating": "info", "not_accepted": "muted"}

"""The words for the loyalty domain's codes: a renewal decision's outcome, a follow-up contact's outcome."""

from flask_babel import lazy_gettext as _l

OUTCOME_LABELS = {"not_renewed": _l("Not renewed"), "lost": _l("Lost")}
FOLLOW_UP_LABELS = {"contacted": _l("Contacted"), "new_need": _l("New need"), "no_answer": _l("No answer")}
# A newsletter issue's state.
ISSUE_STATE_LABELS = {"draft": _l("Draft"), "sending": _l("Sending"), "sent": _l("Sent")}

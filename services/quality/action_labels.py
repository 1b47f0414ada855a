"""Words shown for the improvement actions' codes (the codes live in models/quality.py)."""

from core.i18n import lazy_gettext as _l
from core.i18n import lazy_pgettext

ACTION_STATES = {"open": lazy_pgettext("improvement action", "Open"), "in_progress": _l("In progress"),
                 "verifying": _l("Awaiting verification"), "closed": lazy_pgettext("improvement action", "Closed"),
                 "cancelled": lazy_pgettext("improvement action", "Cancelled")}
ACTION_BADGES = {"open": "warn", "in_progress": "warn", "verifying": "ok", "closed": "muted", "cancelled": "muted"}
ACTION_STEPS = {"in_progress": _l("Start the work"), "verifying": _l("Ready for verification"),
                "closed": _l("Close the action")}
# Agreeing with "las acciones" in the filter: Todas / Abiertas.
ACTION_FILTER_STATES = {"open": lazy_pgettext("improvement actions", "Open"),
                        "": lazy_pgettext("improvement actions", "All")}
ACTION_SOURCES = {"manual": _l("Opened by hand"), "complaint": _l("A complaint's root cause"),
                  "survey": _l("A survey criterion under target"), "indicator": _l("An indicator off target"),
                  "review": _l("A management review finding")}

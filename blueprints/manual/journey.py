"""The client journey (``/manual/recorrido``): the firm's service cycle stage by stage, its moments of truth marked
critical or stellar, the step of PRO 008 each carries out and live figures (services/manual/journey.py). Whoever
reads the manual reads it: the figures are counts and days, no client is named."""

from datetime import timedelta

from core.guard import require
from core.htmx import render
from core.i18n import today_local
from services.manual import journey as service

from . import bp


@bp.get("/manual/recorrido")
@require("manual.read")
def journey():
    today = today_local()
    since_day = service.period(today)[0]
    return render("manual/journey.html", stages=service.journey(today), since_day=since_day,
                  until_day=today - timedelta(days=1))

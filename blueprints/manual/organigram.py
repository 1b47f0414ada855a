"""The organigram (``/manual/organigrama``, issue 17 item 7): every member of staff reads it, as they read the manual."""

from flask_babel import ngettext

from core.guard import ROLES, require
from core.htmx import render
from services.manual import organigram as service

from . import bp


@bp.get("/manual/organigrama")
@require("manual.read")
def organigram():
    chart = service.chart()
    # "Team of n people" said once per size of team, not once per person who leads one.
    sizes = {r.person.team for r in chart.rows if r.person.team}
    team_words = {n: ngettext("Team of %(num)d person", "Team of %(num)d people", n) for n in sizes}
    return render("manual/organigram.html", chart=chart, roles=ROLES, team_words=team_words)

"""The organigram (``/manual/organigrama``, issue 17 item 7): every member of staff reads it, as they read the manual."""

from core.guard import ROLES, require
from core.htmx import render
from services.manual import organigram as service

from . import bp


@bp.get("/manual/organigrama")
@require("manual.read")
def organigram():
    return render("manual/organigram.html", chart=service.chart(), roles=ROLES)

"""``/calidad``: the dashboard of management and quality, one page per indicator, and the indicators' targets."""

from core.guard import require
from core.htmx import render

from . import bp


@bp.get("/calidad")
@require("quality.view")
def dashboard():
    return render("quality/dashboard.html")

"""``/buscar?q=``: the results page (a plain GET form, so it works without JavaScript), its list under htmx, and
the top bar's drop-down as the person types (an htmx request aimed at ``#topsearch-results``).

Every member of staff who may see clients may search (``clients.view``: each role but the system
administrator's); what each finds is what their permissions open (services/search)."""

from flask import request

from core.guard import require
from core.htmx import htmx, render, wants_partial
from core.web import me
from services import search as service
from services.cases import labels as case_labels
from services.clients import labels as client_labels
from services.commercial import labels as commercial_labels
from services.complaints import labels as complaint_labels
from services.documents import labels as doc_labels
from services.interactions import labels as interaction_labels
from services.search import labels

from . import bp

TOPBAR_TARGET = "topsearch-results"  # the top bar's drop-down (templates/search/_topbar.html)


@bp.context_processor
def _labels():
    return {"search_labels": labels, "client_labels": client_labels, "case_labels": case_labels,
            "commercial_labels": commercial_labels, "complaint_labels": complaint_labels, "doc_labels": doc_labels,
            "interaction_labels": interaction_labels}


@bp.get("/buscar")
@require("clients.view")
def index():
    in_topbar = htmx.target == TOPBAR_TARGET
    results = service.search(request.args.get("q", ""), me(), service.LIMIT if in_topbar else service.PAGE_LIMIT)
    return render("search/index.html", "search/_topbar_results.html" if in_topbar else "search/_results.html",
                  results=results, oob=wants_partial())

"""The traceability report of a client (``/clientes/<id>/trazabilidad``) and of a case
(``/casos/<id>/trazabilidad``), and each as a PDF (``…/trazabilidad/pdf``) from the same template. Management and
quality read any; the client's responsible and the teams of its cases read their own; anyone else gets 404 with
its ``authz_fail`` row, as for a record out of scope (SECURITY.md A3)."""

from flask import abort, request

from core import audit, pdf
from core.db import transaction
from core.guard import require
from core.htmx import render
from core.i18n import format_day, said, today_local
from core.web import me, or_404
from models.cases import Case
from models.clients import Client
from services.reports import labels
from services.reports import trace as service

from . import bp
from .forms import TraceFilterForm


def _reader(client, record):
    reader = service.Reader.of(me(), client)
    if not reader.may_open:
        with transaction():
            audit.record("authz_fail", record, detail="traceability report: not on the client's team")
        abort(404)
    return reader


def _report(client, record, case=None):
    reader = _reader(client, record)
    form = TraceFilterForm(formdata=request.args)
    if request.args and not form.validate():
        return None, form
    report = service.build(client, reader, case=case, since=form.desde.data, until=form.hasta.data,
                           kinds=tuple(form.tipos.data or ()))
    return report, form


def _respond(client, case):
    report, form = _report(client, case or client, case)
    ctx = {"client": client, "case": case, "report": report, "form": form, "kind_labels": said(labels.KINDS),
           "query": request.query_string.decode(), "printed_on": format_day(today_local(), "document")}
    if report is None:  # a filter the form refused: the page, its messages beside the fields
        return render("reports/trace.html", "reports/_trace.html", status=422, **ctx)
    if request.endpoint.endswith("_pdf"):
        name = f"trazabilidad-{case.code.lower()}.pdf" if case else f"trazabilidad-cliente-{client.id:05d}.pdf"
        return pdf.download(pdf.render("reports/trace_pdf.html", **ctx), name)
    return render("reports/trace.html", "reports/_trace.html", **ctx)


@bp.get("/clientes/<int:client_id>/trazabilidad")
@bp.get("/clientes/<int:client_id>/trazabilidad/pdf", endpoint="client_trace_pdf")
@require("clients.view")
def client_trace(client_id):
    client = or_404(Client.for_page(client_id))
    return _respond(client, None)


@bp.get("/casos/<int:case_id>/trazabilidad")
@bp.get("/casos/<int:case_id>/trazabilidad/pdf", endpoint="case_trace_pdf")
@require("cases.view")
def case_trace(case_id):
    case = or_404(Case.for_page(case_id))
    return _respond(case.client, case)

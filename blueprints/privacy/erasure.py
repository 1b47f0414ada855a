"""Erasure or blocking of a client (``/clientes/<id>/supresion``, issue 19 items 4–5): the legal holds found, the
confirmation with its reason, then the erasure (Colombia) or the blocking (Spain) by the firm's jurisdiction; the
record of erasures and the blocked clients (``/privacidad/supresiones``), a blocked client's data for legal claims
only, and the retention review (``/privacidad/conservacion``) where quality or management approve what is due."""

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _

from core.forms import ActionForm
from core.guard import can, require
from core.htmx import render
from core.web import me, or_404
from models.privacy import DataSubjectRequest, RetentionDue
from services.documents.calendar import firm_region
from services.privacy import erasure as service

from . import bp
from .forms import ErasureForm

RETENTION_PAGE = 100  # the soonest due first; each decision brings the next one up


def _erasable(client_id: int):
    client = or_404(service.client_of(client_id))
    if client.erased_at:
        abort(404)
    return client


def _erasure_request(form):
    dsr_id = form.peticion.data if form.peticion.data and not form.peticion.errors else None
    dsr = DataSubjectRequest.get_or_none(DataSubjectRequest.id == dsr_id) if dsr_id else None
    return dsr if dsr is not None and dsr.client_id == form.client_id and dsr.kind == "erasure" else None


@bp.route("/clientes/<int:client_id>/supresion", methods=["GET", "POST"])
@require("privacy.erase")
def client_erasure(client_id):
    client = _erasable(client_id)
    form = ErasureForm(formdata=request.form if request.method == "POST" else None,
                       data={"peticion": request.args.get("peticion", type=int)})
    form.client_id = client.id
    holds = [] if client.blocked_on else service.holds(client)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit() and not holds:
            try:
                record = service.carry_out(client, me(), form.reason.data, _erasure_request(form))
            except service.Refused as refused:
                holds = refused.holds
            else:
                flash(_("The client was blocked.") if record.mode == "blocked" else _("The client's personal data was erased."))
                return redirect(url_for("privacy.erasures"), 303)
        status = 422
    return render("privacy/erasure.html", status=status, client=client, form=form, holds=holds,
                  mode=service.mode_for(client), region=firm_region())


@bp.get("/privacidad/supresiones")
@require("privacy.erase")
def erasures():
    return render("privacy/erasures.html", erasures=service.erasures(),
                  blocked=list(service.blocked_clients()) if _legal_claims() else [])


def _legal_claims() -> bool:
    return can("privacy.legal_claims")


@bp.get("/privacidad/bloqueados/<int:client_id>")
@require("privacy.legal_claims")
def blocked_client(client_id):
    client = or_404(service.blocked_client(client_id))
    service.open_blocked(client, me())
    return render("privacy/blocked.html", client=client, document=client.reveal_document())


@bp.get("/privacidad/conservacion")
@require("privacy.erase")
def retention():
    return render("privacy/retention.html", due=list(RetentionDue.pending().limit(RETENTION_PAGE)),
                  pending=RetentionDue.pending_count(), years=service.years())


@bp.post("/privacidad/conservacion/<int:due_id>/<any(aprobar, descartar):decision>")
@require("privacy.erase")
def retention_decide(due_id, decision):
    due = or_404(RetentionDue.get_or_none(RetentionDue.id == due_id, RetentionDue.status == "pending")
                 if 0 < due_id < 2**63 else None)
    if not ActionForm().validate_on_submit():
        abort(400)
    if decision == "descartar":
        service.dismiss(due, me())
        flash(_("Set aside: it will not be listed again."))
        return redirect(url_for("privacy.retention"), 303)
    try:
        record = service.approve(due, me())
    except service.Refused as refused:
        flash(_("Legal holds remain: %(holds)s.", holds=", ".join(str(service.hold_label(h)) for h in refused.holds)
                or _("already erased")), "error")
    else:
        flash(_("The client was blocked.") if record.mode == "blocked" else _("The client's personal data was erased."))
    return redirect(url_for("privacy.retention"), 303)

"""Quotations (versions, sending, the client's decision, PDF), contracts, the renewal queue and the client page's
"Quotations and contracts" tab."""

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _

from blueprints.commercial.forms import (
    ActivationForm,
    ContractForm,
    DecisionForm,
    QuotationForm,
    SignedCopyForm,
)
from core import files, pdf
from core.guard import require
from core.htmx import render
from core.i18n import today_local
from core.web import get_or_404, me, or_404, status_for
from models.cases import Case
from models.clients import Client
from models.commercial import Contract, Quotation
from services import clients as client_service
from services import commercial as service
from services import loyalty
from services.cases import labels as case_labels
from services.clients import labels as client_labels
from services.commercial import documents, labels
from services.loyalty import benefits as loyalty_benefits

from . import bp


@bp.context_processor
def _labels():
    return {"labels": labels, "client_labels": client_labels, "case_labels": case_labels}


def _get(model, object_id):
    """A quotation or contract, or 404 (one of a blocked client too: out of reach)."""
    return get_or_404(model.in_reach(), model.id == object_id)


@bp.get("/clientes/<int:client_id>")
@require("clients.view")
def client_tab(client_id):
    """The client page's "Quotations and contracts" tab (with the client's cases)."""
    client = or_404(Client.for_page(client_id))
    return render("commercial/client_tab.html", "commercial/_client_tab.html", **client_service.header(client, me()),
                  quotations=list(Quotation.of_client(client)), contracts=list(Contract.of_client(client)),
                  cases=list(Case.of_client(client)), today=today_local())


@bp.route("/clientes/<int:client_id>/cotizaciones/nueva", methods=["GET", "POST"])
@require("commercial.manage")
def new_quotation(client_id):
    client = get_or_404(Client, Client.id == client_id, Client.reachable())
    form = QuotationForm()
    if form.validate_on_submit():
        try:
            quotation = service.create_quotation(client, {"valid_until": form.valid_until.data,
                                                          "notes": (form.notes.data or "").strip()},
                                                 form.line_data(), current_app.config["FIRM_CURRENCY"], me())
        except service.CommercialError as exc:
            flash(str(exc), "error")
            return redirect(url_for("commercial.client_tab", client_id=client.id), 303)
        flash(_("Quotation %(code)s created as a draft.", code=quotation.code), "success")
        return redirect(url_for("commercial.quotation", quotation_id=quotation.id), 303)
    return render("commercial/quotation_form.html", form=form, client=client, quotation=None,
                  status=status_for(form))


@bp.get("/cotizaciones/<int:quotation_id>")
@require("commercial.view")
def quotation(quotation_id):
    quotation = _get(Quotation, quotation_id)
    lines, today = quotation.lines_list(), today_local()
    return render("commercial/quotation.html", quotation=quotation, lines=lines, totals=Quotation.totals(lines),
                  versions=list(Quotation.versions(quotation.number)), status_now=quotation.effective_status(today),
                  today=today, decision_form=DecisionForm(), contracts=list(quotation.contracts),
                  benefits=loyalty_benefits.offers(quotation, today))


@bp.route("/cotizaciones/<int:quotation_id>/editar", methods=["GET", "POST"])
@require("commercial.manage")
def edit_quotation(quotation_id):
    quotation = _get(Quotation, quotation_id)
    if quotation.status != "draft":
        abort(404)
    lines = [ln for ln in quotation.lines_list() if ln.benefit_id is None]  # a benefit's lines are not edited here
    form = QuotationForm(data=None if request.method == "POST" else {
        "valid_until": quotation.valid_until, "notes": quotation.notes,
        "lines": [{"service": ln.service, "quantity": ln.quantity, "unit_price": ln.unit_price, "tax_rate": ln.tax_rate}
                  for ln in lines]})
    while len(form.lines.entries) < max(6, len(lines) + 2):
        form.lines.append_entry()
    if form.validate_on_submit():
        service.update_quotation(quotation, {"valid_until": form.valid_until.data, "notes": (form.notes.data or "").strip()},
                                 form.line_data(), me())
        flash(_("Quotation saved."), "success")
        return redirect(url_for("commercial.quotation", quotation_id=quotation.id), 303)
    return render("commercial/quotation_form.html", form=form, client=quotation.client, quotation=quotation,
                  status=status_for(form))


@bp.post("/cotizaciones/<int:quotation_id>/<any(enviar, aceptar, rechazar):step>")
@require("commercial.manage")
def quotation_step(quotation_id, step):
    quotation = _get(Quotation, quotation_id)
    form = DecisionForm()
    to = {"enviar": "sent", "aceptar": "accepted", "rechazar": "rejected"}[step]
    if form.validate_on_submit():
        try:
            service.change_quotation(quotation, to, (form.reason.data or "").strip(), me(), today_local())
        except service.CommercialError as exc:
            flash(str(exc), "error")
        else:
            flash(_("Quotation %(code)s: %(status)s.", code=quotation.code, status=labels.QUOTATION_STATES[to]), "success")
    return redirect(url_for("commercial.quotation", quotation_id=quotation.id), 303)


@bp.post("/cotizaciones/<int:quotation_id>/ajustar")
@require("commercial.manage")
def adjust_quotation(quotation_id):
    quotation = _get(Quotation, quotation_id)
    if not DecisionForm().validate_on_submit():
        abort(400)
    try:
        adjusted = service.adjust_quotation(quotation, me(), today_local())
    except service.CommercialError as exc:
        flash(str(exc), "error")
        return redirect(url_for("commercial.quotation", quotation_id=quotation.id), 303)
    flash(_("Version %(v)d created as a draft; the earlier version is kept.", v=adjusted.version), "success")
    return redirect(url_for("commercial.edit_quotation", quotation_id=adjusted.id), 303)


@bp.get("/cotizaciones/<int:quotation_id>/pdf")
@require("commercial.view")
def quotation_pdf(quotation_id):
    """The quotation as the client receives it: the page's own markup on A4 (core/pdf.py)."""
    quotation = _get(Quotation, quotation_id)
    lines = quotation.lines_list()
    body = pdf.render("commercial/quotation_pdf.html", quotation=quotation, lines=lines, totals=Quotation.totals(lines),
                      status_now=quotation.effective_status(today_local()),
                      client_document=documents.client_document(quotation.client, me(), f"PDF {quotation.code}"))
    return pdf.download(body, f"cotizacion-{quotation.number:05d}-v{quotation.version}.pdf")


@bp.route("/cotizaciones/<int:quotation_id>/contrato", methods=["GET", "POST"])
@require("commercial.manage")
def new_contract(quotation_id):
    quotation = _get(Quotation, quotation_id)
    if quotation.status != "accepted":
        abort(404)
    draft = Contract.draft_of(quotation)
    if draft is not None:  # one contract in preparation per quotation: finish that one
        flash(_("This quotation already has a draft contract: complete it here."), "info")
        return redirect(url_for("commercial.edit_contract", contract_id=draft.id), 303)
    form = _renewable(ContractForm(), quotation.client_id)
    if request.method == "GET" and quotation.renews_id:  # "Renovar": the contract made from it renews the old one
        form.renews.data = quotation.renews_id
    if form.validate_on_submit():
        try:
            contract = service.create_contract(quotation, form.contract_data(), me())
        except service.CommercialError as exc:
            flash(str(exc), "error")
            return redirect(url_for("commercial.quotation", quotation_id=quotation.id), 303)
        flash(_("Contract %(code)s prepared. Activate it once the client has signed.", code=contract.code), "success")
        return redirect(url_for("commercial.contract", contract_id=contract.id), 303)
    return render("commercial/contract_form.html", form=form, quotation=quotation, contract=None,
                  status=status_for(form))


def _renewable(form, client_id, contract=None):
    form.renews.choices = [(0, _("— none —"))] + [(c.id, c.code) for c in Contract.of_client(client_id)
                                                  if c.status == "active" and c != contract]
    return form


def _draft(contract_id):
    contract = _get(Contract, contract_id)
    if contract.status != "draft":
        abort(404)
    return contract


@bp.route("/contratos/<int:contract_id>/editar", methods=["GET", "POST"])
@require("commercial.manage")
def edit_contract(contract_id):
    contract = _draft(contract_id)
    form = ContractForm(obj=None if request.method == "POST" else contract)
    if request.method == "GET":
        form.renews.data = contract.renews_id or 0
    _renewable(form, contract.client_id, contract)
    if form.validate_on_submit():
        try:
            service.update_contract(contract, form.contract_data(), me())
        except service.CommercialError as exc:
            flash(str(exc), "error")
        else:
            flash(_("Draft contract saved."), "success")
        return redirect(url_for("commercial.contract", contract_id=contract.id), 303)
    return render("commercial/contract_form.html", form=form, quotation=contract.quotation, contract=contract,
                  status=status_for(form))


@bp.post("/contratos/<int:contract_id>/descartar")
@require("commercial.manage")
def discard_contract(contract_id):
    contract = _draft(contract_id)
    if not DecisionForm().validate_on_submit():
        abort(400)
    try:
        service.discard_contract(contract, me())
    except service.CommercialError as exc:
        flash(str(exc), "error")
        return redirect(url_for("commercial.contract", contract_id=contract.id), 303)
    flash(_("Draft contract %(code)s discarded.", code=contract.code), "success")
    return redirect(url_for("commercial.quotation", quotation_id=contract.quotation_id), 303)


def _contract_page(contract, status=200, **forms):
    forms.setdefault("activation", ActivationForm(formdata=None, obj=contract))
    forms.setdefault("upload", SignedCopyForm(formdata=None))
    return render("commercial/contract.html", contract=contract, action=DecisionForm(formdata=None), today=today_local(),
                  status=status, **forms)


@bp.get("/contratos/<int:contract_id>")
@require("commercial.view")
def contract(contract_id):
    return _contract_page(_get(Contract, contract_id))


@bp.get("/contratos/<int:contract_id>/pdf")
@require("commercial.view")
def contract_pdf(contract_id):
    """The contract to sign: parties, services and value, term, clauses and signatures, on A4."""
    contract = _get(Contract, contract_id)
    lines = contract.quotation.lines_list()
    body = pdf.render("commercial/contract_pdf.html", contract=contract, lines=lines, totals=Quotation.totals(lines),
                      client_document=documents.client_document(contract.client, me(), f"PDF {contract.code}"))
    return pdf.download(body, f"contrato-{contract.id:05d}.pdf")


@bp.post("/contratos/<int:contract_id>/copia-firmada")
@require("commercial.manage")
def upload_signed_copy(contract_id):
    contract = _get(Contract, contract_id)
    form = SignedCopyForm()
    if form.validate_on_submit():
        try:
            service.attach_signed_copy(contract, form.file.data, me())
        except files.FileRejected as exc:
            form.file.errors.append(str(exc))
        else:
            flash(_("Signed copy attached."), "success")
            return redirect(url_for("commercial.contract", contract_id=contract.id), 303)
    return _contract_page(contract, status=422, upload=form)


@bp.post("/contratos/<int:contract_id>/<any(activar, terminar):step>")
@require("commercial.manage")
def contract_step(contract_id, step):
    contract = _get(Contract, contract_id)
    if step == "activar":
        return _activate(contract)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            service.end_contract(contract, "terminated", (form.reason.data or "").strip(), me())
        except service.CommercialError as exc:
            flash(str(exc), "error")
        else:
            flash(_("Contract terminated."), "success")
    return redirect(url_for("commercial.contract", contract_id=contract.id), 303)


def _activate(contract):
    """What the activation still needs is asked beside its fields (422), never a dead end."""
    form = ActivationForm(obj=contract)  # a field left out of the request keeps what the draft holds
    if contract.status == "draft" and not form.validate_on_submit():
        return _contract_page(contract, status=422, activation=form)
    try:  # a contract no longer in draft is refused by the service, with its reason
        service.activate_contract(contract, me(), form.signed_on.data, (form.signer.data or "").strip())
    except service.CommercialError as exc:
        flash(str(exc), "error")
    else:
        flash(_("Contract activated: the client is now active."), "success")
    return redirect(url_for("commercial.contract", contract_id=contract.id), 303)


@bp.get("/renovaciones")
@require("commercial.view")
def renewals():
    today = today_local()
    window = current_app.config["RENEWAL_WINDOW_DAYS"]
    # ending soon, and ended without a renewal or a decision (overdue), a page at a time
    page = loyalty.board(today, window, after=request.args.get("tras", "")[:40])
    return render("loyalty/renewals.html", rows=page.rows, page=page, today=today, window=window)

"""Data-subject requests (``/privacidad/peticiones``): the register with its filters, registering one for a client
(found by name, as a complaint's client is), its page, changing it while open, starting it, extending its deadline
once, and answering or rejecting it with the evidence."""

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _

from core import files
from core.guard import require
from core.htmx import render
from core.i18n import today_local
from core.pagination import paginate
from core.web import me, or_404, status_for
from models.clients import Client
from models.intake import VerificationCheck
from models.privacy import DSR_KINDS, DSR_STATES, DataSubjectRequest
from services import privacy as service
from services.clients import labels as client_labels
from services.privacy import labels

from . import bp
from .forms import CloseForm, ExtendForm, RequestForm

MAX_ID = 2**63 - 1
PAGE_SIZE = 50


@bp.context_processor
def _words():
    return {"privacy_labels": labels, "client_labels": client_labels}


def _load(dsr_id: int) -> DataSubjectRequest:
    return or_404(DataSubjectRequest.for_page(dsr_id))


def _id_arg(name: str) -> int | None:
    value = request.args.get(name, type=int)
    return value if value and 0 < value <= MAX_ID else None


@bp.get("/privacidad/peticiones")
@require("privacy.requests")
def requests():
    status = request.args.get("estado", "open")
    status = status if status in (*DSR_STATES, "open", "") else "open"
    kind = request.args.get("tipo", "")
    kind = kind if kind in DSR_KINDS else ""
    escalated = request.args.get("escaladas") == "1"
    today = today_local()
    filters = {"status": status, "kind": kind, "assignee": _id_arg("responsable"), "client": _id_arg("cliente")}
    escalated_on = today if escalated else None
    page = paginate(DataSubjectRequest.register(**filters, escalated_on=escalated_on), size=PAGE_SIZE,
                    total=lambda: DataSubjectRequest.count_register(**filters, escalated_on=escalated_on))
    params = {k: v for k, v in {"estado": status, "tipo": kind, "responsable": filters["assignee"] or "",
                                "cliente": filters["client"] or "", "escaladas": "1" if escalated else ""}.items() if v}
    return render("privacy/requests.html", "privacy/_request_list.html", page=page, today=today, filters=filters,
                  escalated=escalated, params=params, assignees=list(service.assignee_choices()))


def _identity(client) -> list:
    """The client's identity verification items (for the form and the page)."""
    return VerificationCheck.checklist(client) if client is not None else []


def _identity_errors(form, client) -> None:
    if form.identity_method.data == "verification" and not any(v.state == "verified" for v in _identity(client)):
        form.identity_method.errors.append(_("This client has no verified identity item: say how the identity was checked."))


@bp.route("/privacidad/peticiones/nueva", methods=["GET", "POST"])
@require("privacy.requests")
def request_new():
    client_id = request.values.get("cliente", type=int) or 0
    client = Client.for_page(client_id) if 0 < client_id <= MAX_ID else None  # never a blocked one
    if client_id and client is None:
        abort(404)
    form = RequestForm(formdata=request.form if request.method == "POST" else None,
                       data={"received_on": today_local(), "assignee": me().id})
    form.assignee.choices = list(service.assignee_choices())
    if request.method == "POST" and client is None:
        form.validate()
        return render("privacy/request_new.html", form=form, client=None, q="", hits=[], checklist=[], status=422,
                      client_error=_("Choose the client who makes the request."))
    if form.validate_on_submit():
        _identity_errors(form, client)
        if not form.errors:
            try:
                dsr = service.register(client, form.data, me())
            except service.RequestError as exc:
                form[exc.field].errors.append(str(exc))
            else:
                flash(_("Request %(code)s registered; it is due on %(day)s.", code=dsr.code,
                        day=dsr.deadline.strftime("%d/%m/%Y")), "success")
                return redirect(url_for("privacy.request_show", dsr_id=dsr.id), 303)
    q = request.args.get("buscar", "").strip()[:100]
    hits = list(Client.listing(q=q).limit(10)) if q and not client else []
    return render("privacy/request_new.html", form=form, client=client, q=q, hits=hits, checklist=_identity(client),
                  status=status_for(form))


def _detail(dsr, status=200, **forms):
    ctx = {"dsr": dsr, "today": today_local(), "secrets": service.reveal(dsr), "checklist": _identity(dsr.client)
           if dsr.client_id else [],
           "extend_form": forms.get("extend_form") or ExtendForm(formdata=None),
           "close_form": forms.get("close_form") or CloseForm(formdata=None)}
    return render("privacy/request_show.html", status=status, **ctx)


@bp.get("/privacidad/peticiones/<int:dsr_id>")
@require("privacy.requests")
def request_show(dsr_id):
    return _detail(_load(dsr_id))


@bp.route("/privacidad/peticiones/<int:dsr_id>/editar", methods=["GET", "POST"])
@require("privacy.requests")
def request_edit(dsr_id):
    dsr = _load(dsr_id)
    if not dsr.is_open:
        flash(_("This request is closed: it can no longer change."), "error")
        return redirect(url_for("privacy.request_show", dsr_id=dsr.id), 303)
    current = {name: getattr(dsr, name) for name in service.EDITABLE}
    current.update(message=dsr.reveal("message"), assignee=dsr.assignee_id)  # in clear; the id, not the row
    form = RequestForm(formdata=request.form if request.method == "POST" else None, data=current)
    choices = list(service.assignee_choices())
    if dsr.assignee_id not in {i for i, _n in choices}:
        choices.append((dsr.assignee_id, dsr.assignee.display_name))
    form.assignee.choices = choices
    if form.validate_on_submit():
        _identity_errors(form, dsr.client if dsr.client_id else None)
        if not form.errors:
            try:
                changed = service.update_request(dsr, form.data, me())
            except service.RequestError as exc:
                form[exc.field].errors.append(str(exc))
            else:
                flash(_("Request saved.") if changed else _("Nothing changed."), "success")
                return redirect(url_for("privacy.request_show", dsr_id=dsr.id), 303)
    return render("privacy/request_edit.html", form=form, dsr=dsr, client=dsr.client if dsr.client_id else None,
                  checklist=_identity(dsr.client) if dsr.client_id else [], status=status_for(form))


@bp.post("/privacidad/peticiones/<int:dsr_id>/iniciar")
@require("privacy.requests")
def request_start(dsr_id):
    dsr = _load(dsr_id)
    try:
        service.start(dsr, me())
    except service.RequestError as exc:
        flash(str(exc), "error")
        return _detail(dsr, status=422)
    flash(_("Request in progress."), "success")
    return redirect(url_for("privacy.request_show", dsr_id=dsr.id), 303)


@bp.post("/privacidad/peticiones/<int:dsr_id>/prorrogar")
@require("privacy.requests")
def request_extend(dsr_id):
    dsr = _load(dsr_id)
    form = ExtendForm()
    if form.validate_on_submit():
        try:
            day = service.extend(dsr, form.extension_reason.data, me())
        except service.RequestError as exc:
            form.extension_reason.errors.append(str(exc))
        else:
            flash(_("Deadline extended to %(day)s.", day=day.strftime("%d/%m/%Y")), "success")
            return redirect(url_for("privacy.request_show", dsr_id=dsr.id), 303)
    return _detail(dsr, status=422, extend_form=form)


@bp.post("/privacidad/peticiones/<int:dsr_id>/cerrar")
@require("privacy.requests")
def request_close(dsr_id):
    dsr = _load(dsr_id)
    form = CloseForm()
    if form.validate_on_submit():
        upload = form.evidence.data if getattr(form.evidence.data, "filename", "") else None
        checked = None
        if upload is not None:
            try:
                checked = files.check(upload)
            except files.FileRejected as exc:
                form.evidence.errors.append(str(exc) or _("That file cannot be accepted."))
        if not form.errors:
            try:
                service.close(dsr, form.outcome.data, form.answer.data, form.evidence_note.data, me(),
                              checked_upload=checked)
            except service.RequestError as exc:
                form[exc.field].errors.append(str(exc))
            else:
                flash(_("Request answered.") if form.outcome.data == "answered" else _("Request rejected."), "success")
                return redirect(url_for("privacy.request_show", dsr_id=dsr.id), 303)
    return _detail(dsr, status=422, close_form=form)


@bp.get("/privacidad/peticiones/<int:dsr_id>/evidencia")
@require("privacy.requests")
def request_evidence(dsr_id):
    dsr = _load(dsr_id)
    if not dsr.evidence_id:
        abort(404)
    return service.read_evidence(dsr, me())

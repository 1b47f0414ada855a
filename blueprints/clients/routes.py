"""The client registry: list and search, intake with duplicate and conflict check, the client page's profile,
intake and consent tabs (its other tabs belong to the commercial, interactions and complaints blueprints), status
transitions, the conflict decision and revealing the document number."""

from datetime import datetime, time

from flask import abort, flash, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from wtforms import StringField, TextAreaField

from blueprints.clients.forms import (
    ClientFilterForm,
    ClientForm,
    ConsentForm,
    DecisionForm,
    EvaluationForm,
    ImportForm,
    RevealForm,
    SensitiveForm,
    TransitionForm,
    VerificationForm,
    WithdrawForm,
)
from core import audit, files
from core.auth import fresh_required
from core.db import transaction
from core.forms import staff_groups
from core.guard import can, require
from core.htmx import render, wants_partial
from core.i18n import to_local, to_utc, today_local
from core.limits import limiter
from core.pagination import paginate
from core.web import me, or_404, status_for
from models.cases import Case
from models.catalog import PracticeArea
from models.clients import STRONG_SCORE, Client, ClientStatusChange, ConflictCheck, Party
from models.consent import Consent, PrivacyNotice
from models.intake import VerificationCheck
from models.users import User, UserRole
from services import clients as service
from services.clients import io as client_io
from services.clients import labels

from . import bp

# The client page's tabs, each served by the blueprint that owns it (templates/clients/_layout.html).
TABS = {"perfil": "clients.show", "admision": "clients.admission", "consentimiento": "clients.consent",
        "comercial": "commercial.client_tab", "interacciones": "interactions.client_log", "quejas": "complaints.client_tab"}
CLIENT_ROLES = ("management", "commercial", "operations", "service")


@bp.context_processor
def _labels():
    return {"labels": labels, "accept_files": files.ACCEPT, "strong_score": STRONG_SCORE}


def _responsibles(among) -> list[tuple[int, str]]:
    """The active staff of ``among`` (ids; anything else is ignored) who may be a client's responsible, by name
    (one query): what a responsible picker offers before anyone is looked up by name under it."""
    wanted = {i for i in among if isinstance(i, int) and 0 < i < 2**31}
    return list(User.select(User.id, User.name).join(UserRole, on=(UserRole.user == User.id))
                .where(User.id.in_(wanted or [0]), UserRole.role.in_(CLIENT_ROLES), User.is_active == True)  # noqa: E712
                .distinct().order_by(User.name).tuples())


def _prepare(form: ClientForm, responsible=None) -> ClientForm:
    """The practice areas, and a responsible picker offering nobody, the one writing and whoever is already chosen
    (``responsible``: the record's; on a POST the one sent) when they may be responsible; anyone else is found by
    name under it (the ``staff_picker`` macro): 2,000 names on every intake were a third of its time."""
    form.practice_area.choices = [(0, _("— choose —"))] + [(a.id, a.name) for a in PracticeArea.active()]
    offered = _responsibles({current_user.id, responsible, form.responsible.data})
    form.responsible.choices = staff_groups([(0, _("— unassigned —")), *offered])
    return form


@bp.get("")
@require("clients.view")
def index():
    form, filters = _filters()
    page = paginate(Client.listing(**filters, sort=form.sort.data or "name", columns=Client.listed()), size=25,
                    total=lambda: Client.count_matching(**filters))
    return render("clients/index.html", "clients/_list.html", form=form, page=page, params=_list_params(form))


def _filters():
    """The list's filters from the URL: the same for the page, its partial and the exports."""
    form = ClientFilterForm(formdata=request.args)
    form.practice_area.choices = [(0, _("All"))] + [(a.id, a.name) for a in PracticeArea.all_ordered()]
    form.validate()
    responsible = {"me": current_user.id, "none": "none"}.get(form.responsible.data)
    return form, {"q": form.q.data or "", "status": form.status.data or "", "practice_area": form.practice_area.data or None,
                  "responsible": responsible, "source": form.source.data or ""}


def _list_params(form):
    return {k: v for k, v in {"q": form.q.data, "status": form.status.data, "practice_area": form.practice_area.data,
                              "responsible": form.responsible.data, "source": form.source.data,
                              "sort": form.sort.data}.items() if v}


@bp.route("/nuevo", methods=["GET", "POST"])
@require("clients.create")
def new():
    form = _prepare(ClientForm())
    if form.validate_on_submit() and _resolve_referral(form):
        data = _form_data(form)
        if form.confirm.data == "1":
            client = service.register(data, form.parsed_counterparties, me())
            flash(_("Prospect registered. Record the conflict-check decision before accepting the client."), "success")
            return redirect(url_for("clients.admission", client_id=client.id), 303)
        hits = service.search_hits(data, form.parsed_counterparties)
        form.confirm.data = "1"
        return render("clients/new.html", form=form, hits=hits, checked=True)
    form.confirm.data = ""
    return render("clients/new.html", form=form, hits=None, checked=False, status=status_for(form))


def _resolve_referral(form) -> bool:
    """The referring client, by exact document number or exact name; a clear message otherwise."""
    form.referral = None
    text = (form.referred_by.data or "").strip()
    if not text:
        return True
    matches = Client.referral_candidates(text)
    if len(matches) == 1:
        form.referral = matches[0]
        return True
    form.referred_by.errors = [_("No client has that document number or name.") if not matches else
                               _("Several clients have that name: use the document number.")]
    return False


def _form_data(form) -> dict:
    data = {f: getattr(form, f).data for f in service.PROFILE_FIELDS}
    data.update({f: (v or "").strip() for f, v in data.items() if isinstance(getattr(form, f), (StringField, TextAreaField))
                 or f in ("customer_type",)})
    data["practice_area"] = form.practice_area.data or None
    data["responsible"] = form.responsible.data or None
    data["document_type"] = form.document_type.data or ""
    data["document_number"] = "".join(ch for ch in (form.document_number.data or "").upper() if ch.isalnum())
    data["referred_by"] = getattr(form, "referral", None)
    return data


@bp.get("/<int:client_id>")
@require("clients.view")
def show(client_id):
    client = or_404(Client.for_page(client_id))
    if "tab" in request.args:
        return _moved_tab(client)
    return _tab(client, "perfil")


def _moved_tab(client):
    """The tabs were ``?tab=<key>`` of this URL before each had its own: bookmarks and links in mail already
    sent land on the tab's new URL (the other query values kept: the timeline's filters and page)."""
    args = request.args.to_dict(flat=False)
    endpoint = TABS.get(args.pop("tab")[0])
    if endpoint is None:
        abort(404)
    return redirect(url_for(endpoint, client_id=client.id, **args), 301)


@bp.get("/<int:client_id>/admision")
@require("clients.view")
def admission(client_id):
    return _tab(or_404(Client.for_page(client_id)), "admision")


@bp.get("/<int:client_id>/consentimiento")
@require("clients.view")
def consent(client_id):
    return _tab(or_404(Client.for_page(client_id)), "consentimiento")


def _tab(client, tab, partial=None, status=200, **extra):
    """One of this blueprint's tabs in the client page's frame, or under htmx the tab alone (or ``partial``)."""
    page, tab_partial, context = PAGES[tab]
    return render(page, partial or tab_partial, status=status, **service.header(client, me()), **context(client, **extra))


def _profile_context(client, **extra):
    return {"newsletter": Consent.has(client, "newsletter"),  # the consent register is the one record of it
            "reveal_form": RevealForm(formdata=None), "can_reveal": _may_reveal(client), **extra}


def _admission_context(client, decision_form=None, transition_form=None, evaluation_form=None):
    """The tab's forms other than the one just posted start empty (Flask-WTF would fill them from this POST:
    a conflict decision's reason showed up as the status change's reason). The intake record is read once, for
    what the tab shows and for why a status step is not possible yet."""
    record = service.IntakeRecord.of(client)
    return {"check": record.check, "decision_form": decision_form or DecisionForm(formdata=None),
            "transition_form": transition_form or TransitionForm(formdata=None),
            "evaluation_form": evaluation_form or _evaluation_form(record.evaluation),
            "checklist": record.checklist, "verification_form": VerificationForm(formdata=None),
            "history": list(ClientStatusChange.history(client)), "parties": list(Party.of_client(client)),
            "blockers": {to: service.transition_blockers(client, to, record) for to in client.allowed_transitions()},
            "can_reveal": _may_reveal(client)}


def _consent_context(client, consent_form=None, sensitive_form=None, **extra):
    return {"consents": Consent.state(client), "consent_history": list(Consent.history(client)),
            "notice": PrivacyNotice.current(),
            "consent_form": consent_form or ConsentForm(formdata=None, given_on=today_local()),
            "withdraw_form": WithdrawForm(formdata=None), "sensitive_form": sensitive_form or SensitiveForm(formdata=None),
            "reveal_form": RevealForm(formdata=None), "can_reveal": _may_reveal(client), **extra}


PAGES = {"perfil": ("clients/show.html", "clients/_tab_perfil.html", _profile_context),
         "admision": ("clients/admission.html", "clients/_tab_admision.html", _admission_context),
         "consentimiento": ("clients/consent.html", "clients/_tab_consentimiento.html", _consent_context)}


def _evaluation_form(evaluation):
    form = EvaluationForm(formdata=None, obj=evaluation)
    form.specialty_fit.data = {True: "yes", False: "no"}.get(evaluation.specialty_fit, "")
    if evaluation.consultation_at:
        local = to_local(evaluation.consultation_at)
        form.consultation_date.data, form.consultation_time.data = local.date(), local.time().replace(second=0)
    return form


def _may_reveal(client) -> bool:
    """Permission, and (outside management) being on the client's team (DESIGN.md §5)."""
    return can("clients.reveal") and ("management" in current_user.role_names or Case.on_client_team(client, current_user))


@bp.route("/<int:client_id>/editar", methods=["GET", "POST"])
@require("clients.edit")
def edit(client_id):
    client = or_404(Client.for_page(client_id))
    form = _prepare(ClientForm(obj=client, formdata=request.form if request.method == "POST" else None),
                    client.responsible_id)
    form.keeps_document = bool(client.document_number)
    if request.method == "GET":
        form.practice_area.data = client.practice_area_id or 0
        form.responsible.data = client.responsible_id or 0
        form.document_number.data = ""  # never pre-filled: blank keeps the current number
    if form.validate_on_submit() and _resolve_referral(form):
        changed = service.update_profile(client, _form_data(form), me())
        flash(_("Client saved.") if changed else _("Nothing changed."), "success")
        return redirect(url_for("clients.show", client_id=client.id), 303)
    return render("clients/edit.html", form=form, client=client, status=status_for(form))


@bp.post("/<int:client_id>/conflictos")
@require("clients.evaluate")
def decide(client_id):
    client = or_404(Client.for_page(client_id))
    form = DecisionForm()
    form.check = ConflictCheck.latest_for(client)
    if form.check is None:
        abort(404)
    if not form.validate_on_submit():
        return _invalid(client, "admision", decision_form=form)
    service.decide_conflicts(client, form.decision.data, (form.reason.data or "").strip(), me(), form.check)
    flash(_("Conflict-check decision recorded."), "success")
    return _back_to(client, "admision")


@bp.post("/<int:client_id>/estado")
@require("clients.evaluate")
def change_status(client_id):
    client = or_404(Client.for_page(client_id))
    form = TransitionForm()
    if form.validate_on_submit():
        try:
            service.transition(client, form.to.data, (form.reason.data or "").strip(), me())
        except service.TransitionError as exc:
            form.to.errors.append(str(exc))
        else:
            flash(_("Status changed to “%(status)s”.", status=labels.STATUSES[client.status]), "success")
            return _back_to(client, "admision")
    return _invalid(client, "admision", transition_form=form)


def _invalid(client, tab, **forms):
    """The tab again with the submitted form and its errors beside the fields (422)."""
    return _tab(client, tab, status=422, **forms)


def _back_to(client, tab):
    if wants_partial() and request.headers.get("HX-Request") == "true":
        return _tab(client, tab)
    return redirect(url_for(TABS[tab], client_id=client.id), 303)


@bp.post("/<int:client_id>/revelar")
@require("clients.reveal")
@fresh_required
def reveal(client_id):
    client = or_404(Client.for_page(client_id))
    form = RevealForm()
    if not _may_reveal(client) or form.field.data not in service.REVEALABLE:
        abort(404)
    field = form.field.data
    partial = "clients/_document.html" if field == "document_number" else "clients/_sensitive.html"
    tab = "perfil" if field == "document_number" else "consentimiento"
    if not form.validate_on_submit():
        return _tab(client, tab, partial, status=422, reveal_form=form)
    plain = service.reveal(client, field, form.reason.data.strip(), me())
    return _tab(client, tab, partial, revealed=plain)


@bp.post("/<int:client_id>/evaluacion")
@require("clients.evaluate")
def evaluate(client_id):
    client = or_404(Client.for_page(client_id))
    form = EvaluationForm()
    if not form.validate_on_submit():
        return _invalid(client, "admision", evaluation_form=form)
    when = None
    if form.consultation_date.data:
        when = to_utc(datetime.combine(form.consultation_date.data, form.consultation_time.data or time(9, 0)))
    service.save_evaluation(client, {
        "specialty_fit": {"yes": True, "no": False}.get(form.specialty_fit.data), "consultation_at": when,
        "viability_notes": (form.viability_notes.data or "").strip(), "consultation_mode": form.consultation_mode.data or "",
        "attendees": (form.attendees.data or "").strip(), "consultation_notes": (form.consultation_notes.data or "").strip(),
        "expectations": (form.expectations.data or "").strip()}, me())
    flash(_("Evaluation saved."), "success")
    return _back_to(client, "admision")


@bp.post("/<int:client_id>/verificacion")
@require("clients.evaluate")
def verify(client_id):
    client = or_404(Client.for_page(client_id))
    form = VerificationForm()
    if not form.validate_on_submit() or form.item.data not in VerificationCheck.items_for(client):
        abort(422)
    try:
        service.record_verification(client, form.item.data, form.state.data, (form.notes.data or "").strip(), me(),
                                    form.file.data or None)
    except files.FileRejected as exc:
        flash(str(exc), "error")
        return _back_to(client, "admision")
    flash(_("Verification recorded."), "success")
    return _back_to(client, "admision")


@bp.post("/<int:client_id>/consentimiento")
@require("clients.edit")
def give_consent(client_id):
    client = or_404(Client.for_page(client_id))
    form = ConsentForm()
    if PrivacyNotice.current() is None:
        form.purposes.errors = [_("Publish the privacy notice first (Administration).")]
    elif form.validate_on_submit():
        try:
            service.record_consent(client, form.purposes.data, form.method.data, form.given_on.data,
                                   (form.notes.data or "").strip(), me(), form.evidence.data or None)
        except files.FileRejected as exc:
            form.evidence.errors.append(str(exc))
        else:
            flash(_("Consent recorded."), "success")
            return _back_to(client, "consentimiento")
    return _invalid(client, "consentimiento", consent_form=form)


@bp.post("/<int:client_id>/consentimiento/retirar")
@require("clients.edit")
def withdraw_consent(client_id):
    client = or_404(Client.for_page(client_id))
    form = WithdrawForm()
    if not form.validate_on_submit() or not Consent.has(client, form.purpose.data):
        abort(422)
    service.withdraw_consent(client, form.purpose.data, form.method.data, today_local(), me())
    flash(_("Consent withdrawn. What depended on it has stopped."), "success")
    return _back_to(client, "consentimiento")


@bp.post("/<int:client_id>/datos-sensibles")
@require("clients.edit")
def save_sensitive(client_id):
    client = or_404(Client.for_page(client_id))
    form = SensitiveForm()
    if form.validate_on_submit():
        try:
            service.save_sensitive(client, (form.sensitive_data.data or "").strip(), me())
        except service.TransitionError as exc:
            form.sensitive_data.errors.append(str(exc))
        else:
            flash(_("Sensitive data saved."), "success")
            return _back_to(client, "consentimiento")
    return _invalid(client, "consentimiento", sensitive_form=form)


@bp.post("/<int:client_id>/conflictos/repetir")
@require("clients.evaluate")
def rerun_check(client_id):
    client = or_404(Client.for_page(client_id))
    if not DecisionForm().validate_on_submit():
        abort(400)
    service.rerun_conflict_check(client, me())
    flash(_("The duplicate and conflict search was run again."), "success")
    return _back_to(client, "admision")


@bp.route("/importar", methods=["GET", "POST"])
@require("clients.create")
@limiter.limit("20 per hour", methods=["POST"])
def import_csv():
    form = _import_form()
    raw, sheet = _import_file(form) if form.validate_on_submit() else (None, None)
    if sheet is None:
        return render("clients/import.html", "clients/_import.html", form=form, items=None, status=status_for(form))
    items = client_io.validate(sheet)
    rejected = sum(1 for i in items if i.problems)
    if rejected < len(items) and (form.confirm.data == "1" and not rejected or form.confirm.data == "valid"):
        count = client_io.import_rows(items, me(), form.responsible.data or None, skip_rejected=form.confirm.data == "valid")
        flash(ngettext("%(num)d client imported as a prospect.", "%(num)d clients imported as prospects.", count), "success")
        if rejected:
            flash(ngettext("%(num)d rejected row was left out.", "%(num)d rejected rows were left out.", rejected), "warning")
        return redirect(url_for("clients.index", sort="-created"), 303)
    form.packed.data = client_io.pack(raw)
    return render("clients/import.html", "clients/_import.html", form=form, items=items, rejected=rejected,
                  groups=client_io.problem_groups(items), status=422 if rejected else 200)


@bp.post("/importar/rechazadas.csv")
@require("clients.create")
@limiter.limit("30 per hour")
def import_rejected():
    """The rejected rows of the file the result page holds, as given plus an "error" column: to fix and import."""
    form = _import_form()
    sheet = _import_file(form)[1] if form.validate_on_submit() else None
    if sheet is None:
        return render("clients/import.html", "clients/_import.html", form=form, items=None, status=422)
    headers, rows = client_io.rejected_rows(sheet, client_io.validate(sheet))
    with transaction():
        audit.record("client_export", object_type="client", actor=me(), detail=f"rejected import rows={len(rows)}")
    response = make_response(client_io.to_csv(rows, headers))
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = 'attachment; filename="filas-rechazadas.csv"'
    return response


def _import_form() -> ImportForm:
    """The import form; whom the clients go to is one who may be responsible for a client (checked against all of
    them), the importer by default: the picker offers nobody, the importer and the one sent, and anyone else is
    found by name under it, as on the client form."""
    form = ImportForm()
    offered = _responsibles({current_user.id, form.responsible.data})
    form.responsible.choices = staff_groups([(0, _("— unassigned —")), *offered])
    if not form.is_submitted() and any(value == current_user.id for value, _label in offered):
        form.responsible.data = current_user.id
    return form


def _import_file(form: ImportForm):
    """(raw bytes, sheet) of the uploaded file or of the one the result page sent back; (None, None) with the
    reason beside the file field."""
    if form.file.data:
        raw = form.file.data.read(client_io.MAX_BYTES + 1)
    elif form.packed.data:
        raw = client_io.unpack(form.packed.data)
    else:
        form.file.errors.append(_("Choose the CSV file to import."))
        return None, None
    sheet, problem = client_io.read_file(raw) if raw is not None else (None, _("The file could not be read back. Upload it again."))
    if problem:
        form.file.errors.append(problem)
        return None, None
    return raw, sheet


@bp.get("/importar/plantilla.csv")
@require("clients.create")
def import_template():
    body = ";".join(client_io.COLUMNS) + "\n" + \
        "Ana María Ruiz;persona;CC;52123456;ana.ruiz@correo.test;3001234567;Bogotá;CO;Derecho laboral;web;Despido\n"
    response = make_response("\ufeff" + body)
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = 'attachment; filename="plantilla-clientes.csv"'
    return response


@bp.get("/exportar.<any(csv, xlsx):fmt>")
@require("clients.export")
@fresh_required
@limiter.limit("30 per hour")
def export(fmt):
    form, filters = _filters()
    query = Client.listing(**filters, sort=form.sort.data or "name")
    full = "management" in current_user.role_names  # document numbers in clear only for management
    with transaction():
        event = audit.record("sensitive_read" if full else "client_export", object_type="client", actor=me(),
                             fields=["document_number"] if full else [],
                             detail=f"export {fmt} {request.query_string.decode()[:300]}")
        if full:  # each exported client then shows this export in its "Quién consultó" (issue 19)
            audit.note_subjects(event, query, Client.id)
    rows = client_io.export_rows(query, full)
    if fmt == "csv":
        response = make_response(client_io.to_csv(rows))
        response.headers["Content-Type"] = "text/csv; charset=utf-8"
    else:
        response = make_response(client_io.to_xlsx(rows))
        response.headers["Content-Type"] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response.headers["Content-Disposition"] = f'attachment; filename="clientes.{fmt}"'
    return response


@bp.get("/<int:client_id>/archivos/<int:file_id>")
@require("clients.reveal")
@fresh_required
def download_file(client_id, file_id):
    """Evidence files show identity documents and signatures: the reveal rules apply, and the read is audited."""
    client = or_404(Client.for_page(client_id))
    stored = or_404(service.client_file(client, file_id) if _may_reveal(client) else None)
    return service.read_file(client, stored, request.args.get("motivo", ""), me())

"""The complaints register ("Registro de Quejas y Solicitudes"): the list, the client page's complaints tab,
registering, the complaint page with its handling, the SLA and category configuration, and the trend analysis."""

from datetime import datetime, timedelta

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _

from blueprints.complaints.forms import (
    AnalysisForm,
    CategoryForm,
    ComplaintForm,
    InformForm,
    OwnerForm,
    PeriodForm,
    ReopenForm,
    SlaForm,
    StepForm,
)
from core.charts import month_chart
from core.db import utcnow
from core.forms import staff_groups
from core.guard import can, require
from core.htmx import render, wants_partial
from core.i18n import now_local, to_utc, today_local
from core.pagination import paginate_with
from core.web import get_or_404, me, or_404, status_for, toggle_active
from models.cases import Case
from models.clients import Client
from models.complaints import (
    KINDS,
    SEVERITIES,
    SLA_KINDS,
    STATES,
    Complaint,
    ComplaintCategory,
    ComplaintStatusChange,
    SlaRule,
)
from models.users import User
from services import clients as client_service
from services import complaints as service
from services.clients import labels as client_labels
from services.complaints import labels

from . import bp

PAGE_SIZE = 25


@bp.context_processor
def _labels():
    """For the blueprint's pages (complaints and crisis incidents); the complaint page shows the customer-type
    advice too."""
    return {"complaint_labels": labels, "client_labels": client_labels}


@bp.errorhandler(service.ComplaintError)
def _refused(exc):
    """A step the complaint's state does not allow: say why, back to the complaint."""
    flash(str(exc), "error")
    complaint_id = (request.view_args or {}).get("complaint_id")
    if complaint_id and wants_partial():
        return _detail(or_404(Complaint.for_page(complaint_id)), status=422)
    return redirect(url_for("complaints.show", complaint_id=complaint_id) if complaint_id
                    else url_for("complaints.index"), 303)


# ----- the register -----

MAX_ID = 2**63 - 1  # a database id; anything larger (or not a positive integer) is no id at all


def _id_arg(values, name: str) -> int | None:
    """A positive id from the query string or the form, or None for anything else (absent, garbage, too big)."""
    value = values.get(name, type=int)
    return value if value is not None and 0 < value <= MAX_ID else None


def _filters() -> dict:
    args = request.args
    return {"status": args.get("estado", "open") if args.get("estado", "open") in (*STATES, "open", "") else "open",
            "kind": args.get("tipo", "") if args.get("tipo", "") in KINDS else "",
            "owner": _id_arg(args, "responsable"),
            "category": _id_arg(args, "categoria"),
            "overdue": args.get("vencidas") == "1", "q": args.get("q", "")[:100]}


@bp.get("/quejas")
@require("complaints.log")
def index():
    filters, now = _filters(), utcnow()
    total, open_count = Complaint.register_counts(**filters, now=now)
    page = paginate_with(lambda offset, size: Complaint.register_page(offset, size, open_count, **filters, now=now),
                         PAGE_SIZE, total)
    params = {"estado": filters["status"], "tipo": filters["kind"], "responsable": filters["owner"] or "",
              "categoria": filters["category"] or "", "vencidas": "1" if filters["overdue"] else "", "q": filters["q"]}
    return render("complaints/index.html", "complaints/_list.html", page=page, filters=filters, params=params,
                  now=now, horizon=service.near_horizon(now), sla_state=service.sla_state,
                  owners=list(service.owner_choices({me().id, filters["owner"]})), categories=list(ComplaintCategory.catalog()))


@bp.get("/quejas/clientes/<int:client_id>")
@require("clients.view")
def client_tab(client_id):
    """The client page's "Complaints" tab: the client's complaints, claims and requests."""
    client = or_404(Client.for_page(client_id))
    return render("complaints/client_tab.html", "complaints/_client_tab.html", **client_service.header(client, me()),
                  complaints=list(Complaint.of_client(client)))


# ----- registering -----

@bp.route("/quejas/nueva", methods=["GET", "POST"])
@require("complaints.log")
def new():
    client_id = request.values.get("client", type=int) or request.args.get("cliente", type=int) or 0
    client = Client.get_or_none(Client.id == client_id, Client.reachable()) if 0 < client_id <= MAX_ID else None
    if client_id and client is None:  # no such client (an id out of range included)
        abort(404)
    now = now_local()
    form = ComplaintForm(formdata=request.form if request.method == "POST" else None,
                         data={"client": client.id if client else 0, "received_on": now.date(),
                               "received_time": now.time().replace(second=0, microsecond=0), "owner": me().id})
    _choices(form, client)
    if form.validate_on_submit():
        data = form.data
        complaint = service.open_complaint(
            kind=data["kind"], description=data["description"], owner=data["owner"], client=client,
            case=data["case"] or None, channel=data["channel"], severity=data["severity"], actor=me(),
            received_at=to_utc(datetime.combine(data["received_on"], data["received_time"])),
            category=data["category"] or None, walk_in_name=data["walk_in_name"] or "",
            walk_in_contact=data["walk_in_contact"] or "")
        flash(_("Complaint %(number)s registered; its owner has been told.", number=complaint.number), "success")
        return redirect(url_for("complaints.show", complaint_id=complaint.id), 303)
    q = request.args.get("buscar", "").strip()[:100]
    hits = list(Client.listing(q=q).limit(10)) if q and not client else []
    return render("complaints/new.html", form=form, client=client, q=q, hits=hits,
                  status=status_for(form))


def _choices(form, client):
    form.case.choices = [(0, _("No particular case"))] + (
        [(c.id, f"{c.code} · {c.title}") for c in Case.of_client(client)] if client else [])
    form.category.choices = [(0, "—")] + [(c.id, c.name) for c in ComplaintCategory.catalog(active_only=True)]
    suggested = {me().id, form.owner.data, client.responsible_id if client else None, *service.usual_owners()}
    form.owner.choices = staff_groups(service.owner_choices(suggested))


# ----- the complaint -----

def _survey_link(complaint):
    """The survey answer behind a low-score complaint, for those who may read results (a link for nobody
    else: it would only answer 403)."""
    if not complaint.survey_response or not can("surveys.results"):
        return None
    return url_for("surveys.response", response_id=complaint.survey_response)


def _detail(complaint, status=200, **forms):
    now = utcnow()
    local_now = now_local()
    owner_form = forms.get("owner_form") or OwnerForm(formdata=None, data={"owner": complaint.owner_id})
    owner_form.owner.choices = staff_groups(service.owner_choices({me().id, complaint.owner_id, owner_form.owner.data}))
    ctx = {"complaint": complaint, "history": list(ComplaintStatusChange.history(complaint)), "now": now,
           "sla": service.sla_state(complaint, now), "transitions": service.TRANSITIONS.get(complaint.status, ()),
           "close_blockers": service.close_blockers(complaint), "survey_link": _survey_link(complaint),
           "step_form": forms.get("step_form") or StepForm(formdata=None),
           "analysis_form": forms.get("analysis_form") or AnalysisForm(formdata=None, obj=complaint),
           "inform_form": forms.get("inform_form") or InformForm(formdata=None, data={
               "informed_on": local_now.date(), "informed_time": local_now.time().replace(second=0, microsecond=0),
               "informed_channel": complaint.informed_channel, "client_agreement": complaint.client_agreement}),
           "reopen_form": forms.get("reopen_form") or ReopenForm(formdata=None), "owner_form": owner_form}
    return render("complaints/show.html", "complaints/_detail.html", status=status, **ctx)


def _done(complaint, message):
    flash(message, "success")
    if wants_partial():
        return _detail(or_404(Complaint.for_page(complaint.id)))
    return redirect(url_for("complaints.show", complaint_id=complaint.id), 303)


@bp.get("/quejas/<int:complaint_id>")
@require("complaints.log")
def show(complaint_id):
    return _detail(or_404(Complaint.for_page(complaint_id)))


@bp.post("/quejas/<int:complaint_id>/estado")
@require("complaints.manage")
def step(complaint_id):
    complaint = or_404(Complaint.for_page(complaint_id))
    form = StepForm()
    to = request.form.get("to", "")
    if not form.validate_on_submit():
        return _detail(complaint, status=422, step_form=form)
    service.change_status(complaint, to, me(), (form.note.data or "").strip())
    return _done(complaint, _("Status: %(state)s.", state=labels.STATES[to]))


@bp.post("/quejas/<int:complaint_id>/analisis")
@require("complaints.manage")
def analysis(complaint_id):
    complaint = or_404(Complaint.for_page(complaint_id))
    form = AnalysisForm()
    if not form.validate_on_submit():
        return _detail(complaint, status=422, analysis_form=form)
    service.save_analysis(complaint, form.root_cause.data, form.actions_taken.data, me())
    return _done(complaint, _("Root cause and actions saved."))


@bp.post("/quejas/<int:complaint_id>/cliente-informado")
@require("complaints.manage")
def inform(complaint_id):
    complaint = or_404(Complaint.for_page(complaint_id))
    form = InformForm()
    if form.validate_on_submit():
        informed_at = to_utc(datetime.combine(form.informed_on.data, form.informed_time.data))
        too_early = service.informed_at_error(complaint, informed_at)
        if too_early:
            form.informed_on.errors.append(too_early)
        else:
            service.record_informed(complaint, informed_at, form.informed_channel.data,
                                    form.client_agreement.data or "", me())
            return _done(complaint, _("Recorded: the client was informed of the actions."))
    return _detail(complaint, status=422, inform_form=form)


@bp.post("/quejas/<int:complaint_id>/reabrir")
@require("complaints.manage")
def reopen(complaint_id):
    complaint = or_404(Complaint.for_page(complaint_id))
    form = ReopenForm()
    if not form.validate_on_submit():
        return _detail(complaint, status=422, reopen_form=form)
    service.reopen(complaint, me(), form.reason.data)
    return _done(complaint, _("Complaint reopened: back to analysis."))


@bp.post("/quejas/<int:complaint_id>/responsable")
@require("complaints.manage")
def owner(complaint_id):
    complaint = or_404(Complaint.for_page(complaint_id))
    form = OwnerForm()
    form.owner.choices = staff_groups(service.owner_choices({me().id, complaint.owner_id, form.owner.data}))
    if not form.validate_on_submit():
        return _detail(complaint, status=422, owner_form=form)
    service.change_owner(complaint, User.get_by_id(form.owner.data), me(), form.note.data or "")
    return _done(complaint, _("Owner changed; they have been told."))


# ----- configuration -----

@bp.route("/quejas/configuracion/sla", methods=["GET", "POST"])
@require("complaints.configure")
def sla():
    rules = SlaRule.matrix()
    data = {}
    for kind in SLA_KINDS:
        for severity in SEVERITIES:
            rule = rules.get((kind, severity))
            response, resolution = ((rule.response_days, rule.resolution_days) if rule
                                    else service.DEFAULT_SLA[severity])
            data[f"{kind}_{severity}_response"], data[f"{kind}_{severity}_resolution"] = response, resolution
    form = SlaForm(formdata=request.form if request.method == "POST" else None, data=data)
    if form.validate_on_submit():
        try:
            changed = service.save_sla({(k, s): (r.data, d.data) for k, s, r, d in form.pairs()}, me(), rules)
        except service.SlaConflict as exc:
            form[exc.field].errors = [*form[exc.field].errors, str(exc)]
        else:
            flash(_("SLA saved (%(n)d changed). New complaints take the new due dates.", n=changed), "success")
            return redirect(url_for("complaints.sla"), 303)
    return render("complaints/sla.html", form=form, defaults=service.DEFAULT_SLA, kinds=SLA_KINDS,
                  status=status_for(form))


@bp.route("/quejas/configuracion/categorias", methods=["GET", "POST"])
@require("complaints.configure")
def categories():
    form = CategoryForm(formdata=request.form if request.method == "POST" else None)
    if form.validate_on_submit():
        try:
            service.add_category(form.name.data, me())
        except service.ComplaintError as exc:
            form.name.errors.append(str(exc))
        else:
            flash(_("Category added."), "success")
            return redirect(url_for("complaints.categories"), 303)
    return render("complaints/categories.html", form=form, categories=list(ComplaintCategory.catalog()),
                  status=status_for(form))


@bp.post("/quejas/configuracion/categorias/<int:category_id>/estado")
@require("complaints.configure")
def toggle_category(category_id):
    category = get_or_404(ComplaintCategory, ComplaintCategory.id == category_id)
    if toggle_active(category, "complaint_category", detail="deactivate" if category.is_active else "activate"):
        flash(_("Category updated."), "success")
    return redirect(url_for("complaints.categories"), 303)


# ----- analysis -----

@bp.get("/quejas/analisis")
@require("complaints.analyze")
def trends():
    """The period from ?desde=&hasta= (local days), the last 12 months by default."""
    today = today_local()
    default_start = (today.replace(day=1) - timedelta(days=330)).replace(day=1)
    form = PeriodForm(formdata=request.args, data={"desde": default_start, "hasta": today})
    start, end = form.resolve(default_start, today)
    data = service.trends(start, end)
    return render("complaints/trends.html", data=data, start=start, end=end, form=form,
                  chart=month_chart(data["by_month"]), status=status_for(form))


# ----- helpers for templates -----

@bp.app_template_filter("hours_as_days")
def hours_as_days(hours):
    """Calendar hours as days with one decimal ("2,5")."""
    if hours is None:
        return "—"
    from flask_babel import format_decimal

    return format_decimal(round(hours / 24, 1), format="#,##0.0")


"""Improvement actions (``/calidad/acciones``): the list, opening one (by hand or from a complaint), the action
page with its analysis and plan, the status steps, closing with the effectiveness check and cancelling.

Quality and management manage every action (``actions.manage``); operations and service see the ones they own
(``actions.view``: the queries are scoped to the owner, anything else answers 404)."""

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _

from blueprints.quality.action_forms import CancelForm, CloseForm, ImprovementActionForm, PlanForm
from core.forms import ActionForm, staff_groups
from core.guard import can, require
from core.htmx import render, wants_partial
from core.i18n import today_local
from core.web import me, or_404, status_for
from models.complaints import Complaint
from models.quality import ACTION_SOURCES, ACTION_STATES, ImprovementAction
from services.quality import action_labels as labels
from services.quality import actions as service

from . import bp

MAX_ID = 2**63 - 1


def _manage() -> bool:
    return can("actions.manage")


def _load(action_id: int) -> ImprovementAction:
    return or_404(ImprovementAction.for_page(action_id, me(), _manage()))


def _offer(people, *suggested) -> dict:
    """A person picker's options: of ``people`` (id, name), those ``suggested``, then the search's empty group."""
    return staff_groups([(i, name) for i, name in people if i in suggested])


def _owners(form, action=None):
    """The owner picker offers the one writing, the action's owner and the one sent (found by the search); the
    server checks the one sent against everyone who may own an action, not against what the page listed."""
    form.owner.choices = staff_groups(service.owner_choices({me().id, getattr(action, "owner_id", None),
                                                             form.owner.data}))


@bp.get("/calidad/acciones")
@require("actions.view")
def actions():
    args = request.args
    status = args.get("estado", "open")
    status = status if status in (*ACTION_STATES, "open", "") else "open"
    owner = args.get("responsable", type=int)
    owner = owner if owner and 0 < owner <= MAX_ID else None
    source = args.get("origen", "")
    source = source if source in ACTION_SOURCES else ""
    today = today_local()
    rows = list(ImprovementAction.register(me(), _manage(), today, status=status, owner=owner, source=source))
    return render("quality/actions.html", "quality/_action_list.html", rows=rows, today=today,
                  filters={"status": status, "owner": owner, "source": source}, manage=_manage(),
                  owners=list(service.owner_choices({me().id, owner})) if _manage() else [], action_labels=labels)


PREFILL_SOURCES = ("survey", "indicator", "review")  # a complaint comes as ?queja=<id>, with its own proposal
MAX_REF = 200  # ImprovementAction.source_ref


def _prefill(args) -> dict:
    """``?origen=indicator&ref=…`` from the page that proposes the action (an indicator off target, a survey
    criterion under target): a source outside PREFILL_SOURCES, or a reference too long or with control characters,
    is ignored (the form opens empty there)."""
    data = {}
    if args.get("origen", "") in PREFILL_SOURCES:
        data["source"] = args["origen"]
    ref = " ".join(args.get("ref", "").split())
    if ref and len(ref) <= MAX_REF and ref.isprintable():
        data["source_ref"] = ref
    return data


@bp.route("/calidad/acciones/nueva", methods=["GET", "POST"])
@require("actions.manage")
def action_new():
    complaint_id = request.values.get("queja", type=int) or 0
    complaint = None
    if complaint_id:
        complaint = or_404(Complaint.get_or_none(Complaint.id == complaint_id) if complaint_id <= MAX_ID else None)
    data = {"owner": me().id}
    if complaint is not None:
        data.update(service.proposal_from_complaint(complaint))
    elif request.method == "GET":
        data.update(_prefill(request.args))
    form = ImprovementActionForm(formdata=request.form if request.method == "POST" else None, data=data)
    _owners(form)
    if form.validate_on_submit():
        try:
            action = service.open_action(
                title=form.title.data, description=form.description.data, owner=form.owner.data,
                due_on=form.due_on.data, user=me(), source="complaint" if complaint else form.source.data,
                complaint=complaint, source_ref=form.source_ref.data, cause_analysis=form.cause_analysis.data)
        except service.ActionError as exc:
            form[exc.field if exc.field in form else "title"].errors.append(str(exc))
        else:
            flash(_("Improvement action %(code)s opened.", code=action.code), "success")
            return redirect(url_for("quality.action_show", action_id=action.id), 303)
    return render("quality/action_new.html", form=form, complaint=complaint, action_labels=labels,
                  status=status_for(form))


def _detail(action, status=200, **forms):
    plan_form = forms.get("plan_form") or PlanForm(formdata=None, obj=action, data={"owner": action.owner_id})
    close_form = forms.get("close_form") or CloseForm(formdata=None, data={"verified_on": today_local(),
                                                                            "verified_by": me().id})
    # Both pickers offer the one writing, the action's owner and what each holds: one query for the two.
    people = list(service.owner_choices({me().id, action.owner_id, plan_form.owner.data, close_form.verified_by.data}))
    plan_form.owner.choices = _offer(people, me().id, action.owner_id, plan_form.owner.data)
    close_form.verified_by.choices = _offer([(0, "—"), *people], 0, me().id, action.owner_id, close_form.verified_by.data)
    ctx = {"action": action, "today": today_local(), "manage": _manage(), "action_labels": labels,
           "transitions": [t for t in service.TRANSITIONS.get(action.status, ()) if t != "closed"],
           "step_error": forms.get("step_error"), "plan_form": plan_form, "close_form": close_form,
           "cancel_form": forms.get("cancel_form") or CancelForm(formdata=None)}
    return render("quality/action_show.html", "quality/_action_detail.html", status=status, **ctx)


def _done(action, message):
    flash(message, "success")
    if wants_partial():
        return _detail(_load(action.id))
    return redirect(url_for("quality.action_show", action_id=action.id), 303)


@bp.get("/calidad/acciones/<int:action_id>")
@require("actions.view")
def action_show(action_id):
    return _detail(_load(action_id))


@bp.post("/calidad/acciones/<int:action_id>/plan")
@require("actions.manage")
def action_plan(action_id):
    action = _load(action_id)
    form = PlanForm()
    _owners(form, action)
    if form.validate_on_submit():
        try:
            service.save_plan(action, form.data, form.owner.data, form.due_on.data, me())
        except service.ActionError as exc:
            form.cause_analysis.errors = [str(exc)]
        else:
            return _done(action, _("Analysis and plan saved."))
    return _detail(action, status=422, plan_form=form)


@bp.post("/calidad/acciones/<int:action_id>/estado")
@require("actions.manage")
def action_step(action_id):
    action = _load(action_id)
    to = request.form.get("to", "")
    if not ActionForm().validate_on_submit():
        return _detail(action, status=422, step_error=_("The form expired; reload the page."))
    try:
        service.change_status(action, to, me())
    except service.ActionError as exc:
        return _detail(action, status=422, step_error=str(exc))
    return _done(action, _("Status: %(state)s.", state=labels.ACTION_STATES[to]))


@bp.post("/calidad/acciones/<int:action_id>/cerrar")
@require("actions.manage")
def action_close(action_id):
    action = _load(action_id)
    form = CloseForm()
    form.verified_by.choices = staff_groups([(0, "—"), *service.owner_choices({me().id, action.owner_id,
                                                                              form.verified_by.data})])
    if form.validate_on_submit():
        try:
            service.close(action, form.effectiveness_check.data, form.verified_on.data, form.verified_by.data,
                          me(), today_local())
        except service.ActionError as exc:
            errors = service.close_errors(form.effectiveness_check.data, form.verified_on.data,
                                          form.verified_by.data, today_local()) or {exc.field: str(exc)}
            for name, message in errors.items():
                (form[name] if name in form else form.effectiveness_check).errors = [message]
        else:
            return _done(action, _("Improvement action closed."))
    return _detail(action, status=422, close_form=form)


@bp.post("/calidad/acciones/<int:action_id>/anular")
@require("actions.manage")
def action_cancel(action_id):
    action = _load(action_id)
    form = CancelForm()
    if form.validate_on_submit():
        try:
            service.cancel(action, form.reason.data, me())
        except service.ActionError as exc:
            form.reason.errors = [str(exc)]
        else:
            return _done(action, _("Improvement action cancelled."))
    return _detail(action, status=422, cancel_form=form)

"""The crisis protocol ("Cliente en crisis", ``/crisis``): open an incident from a client's page or the work
queue, tick the eight steps, document, escalate to a supervisor, close. Confidential: ``crisis.manage``
only, every read of an incident page logged (``services.complaints.crisis.reveal``)."""

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _

from blueprints.complaints.crisis_forms import (
    CloseForm,
    EscalateForm,
    InterventionForm,
    OpenForm,
    RecordForm,
    StepForm,
)
from core.guard import require
from core.htmx import render, wants_partial
from core.pagination import paginate
from core.web import me, or_404
from models.cases import Case
from models.clients import Client
from models.complaints import CrisisIncident, CrisisStep
from models.tasks import Task
from models.users import User
from services.complaints import crisis as service
from services.complaints import crisis_protocol as protocol
from services.interactions import case_choices

from . import bp


@bp.context_processor
def _crisis_words():
    """The protocol's steps and phrases on the incident page (the client page's flag gets them from
    services.clients.header)."""
    return {"crisis_protocol": protocol}


# ----- list and opening -----

@bp.get("/crisis")
@require("crisis.manage")
def crisis_list():
    state = request.args.get("estado", "")
    page = paginate(CrisisIncident.listing(state), 25)
    return render("complaints/crisis_list.html", "complaints/_crisis_list.html", page=page, state=state)


@bp.get("/crisis/nuevo")
@require("crisis.manage")
def crisis_new():
    """From the work queue: find the client (``q``), then the form for one (``cliente``)."""
    client_id = request.args.get("cliente", type=int)
    if client_id:
        client = or_404(Client.for_page(client_id))
        return render("complaints/crisis_new.html", client=client, form=OpenForm.fresh(case_choices(client)))
    q = request.args.get("q", "").strip()[:100]
    found = list(Client.listing(q=q).limit(10)) if q else []
    return render("complaints/crisis_new.html", "complaints/_crisis_found.html", client=None, q=q, found=found)


@bp.post("/crisis/clientes/<int:client_id>")
@require("crisis.manage")
def crisis_open(client_id):
    client = or_404(Client.for_page(client_id))
    form = OpenForm().prepare(case_choices(client))
    if form.validate_on_submit():
        case = Case.get_or_none(Case.id == form.case.data, Case.client == client.id) if form.case.data else None
        try:
            incident = service.open_incident(client, me(), case=case, channel=form.channel.data,
                                             occurred_at=form.occurred_at)
        except service.CrisisError as exc:
            form.case.errors = [str(exc)]
        else:
            flash(_("Crisis protocol opened. Follow the steps; the follow-up task is in your queue."), "success")
            return redirect(url_for("complaints.crisis_show", incident_id=incident.id), 303)
    return render("complaints/crisis_new.html", status=422, client=client, form=form)


# ----- the incident -----

def _page(incident, status=200, **forms):
    """The whole incident page; each render reveals the confidential fields and logs the read."""
    user = me()
    escalate_form = forms.get("escalate_form") or EscalateForm(formdata=None)
    escalate_form.supervisor.choices = [(0, "—"), *service.supervisor_choices(exclude_id=user.id)]
    record_form = forms.get("record_form")
    secrets = service.reveal(incident, user)
    if record_form is None:
        record_form = RecordForm(formdata=None, behaviour=secrets["behaviour"], solution=secrets["solution"],
                                 actions=incident.action_list, security_called=incident.security_called)
    people = {u.id: u for u in User.select().where(User.id.in_(
        [i for i in (incident.opened_by_id, incident.supervisor_id) if i]))}
    steps = CrisisStep.of_incident(incident)
    task = Task.get_or_none(Task.id == incident.follow_up_task) if incident.follow_up_task else None
    return render("complaints/crisis_show.html", status=status, incident=incident, client=incident.client,
                  steps=steps, secrets=secrets, people=people, task=task,
                  open_items=service.open_items(incident, steps, task) if incident.status == "open" else [],
                  case=Case.get_or_none(Case.id == incident.case_id) if incident.case_id else None,
                  record_form=record_form, escalate_form=escalate_form,
                  intervention_form=forms.get("intervention_form") or InterventionForm(formdata=None),
                  close_form=forms.get("close_form") or CloseForm(formdata=None), step_form=StepForm(formdata=None))


def _back(incident, anchor=None):
    return redirect(url_for("complaints.crisis_show", incident_id=incident.id, _anchor=anchor), 303)


@bp.get("/crisis/<int:incident_id>")
@require("crisis.manage")
def crisis_show(incident_id):
    return _page(or_404(CrisisIncident.for_page(incident_id)))


@bp.post("/crisis/<int:incident_id>/pasos")
@require("crisis.manage")
def crisis_tick(incident_id):
    """Tick one step with the time; under htmx the step alone comes back (no confidential text in it)."""
    incident = or_404(CrisisIncident.for_page(incident_id))
    form = StepForm()
    if not form.validate_on_submit():
        flash(_("Unknown step."), "error")
        return _back(incident) if not wants_partial() else ("", 422)
    try:
        done = service.tick_step(incident, form.step.data, me())
    except service.CrisisError as exc:
        flash(str(exc), "error")
        return _back(incident) if not wants_partial() else ("", 409)
    if wants_partial():
        return render("complaints/_crisis_step.html", incident=incident, step=protocol.STEP[done.step], done=done,
                      who=me(), step_form=StepForm(formdata=None))
    return _back(incident, f"paso-{done.step}")


@bp.post("/crisis/<int:incident_id>/registro")
@require("crisis.manage")
def crisis_record(incident_id):
    incident = or_404(CrisisIncident.for_page(incident_id))
    form = RecordForm()
    if form.validate_on_submit():
        data = service.Record(form.behaviour.data, form.actions.data or [], form.solution.data or "",
                              form.security_called.data)
        try:
            service.save_record(incident, data, me())
        except service.CrisisError as exc:
            form.solution.errors = [str(exc)]
        else:
            flash(_("The incident is documented."), "success")
            return _back(incident, "registro")
    return _page(incident, 422, record_form=form)


@bp.post("/crisis/<int:incident_id>/supervisor")
@require("crisis.manage")
def crisis_escalate(incident_id):
    incident = or_404(CrisisIncident.for_page(incident_id))
    form = EscalateForm()
    form.supervisor.choices = [(0, "—"), *service.supervisor_choices(exclude_id=me().id)]
    if form.validate_on_submit():
        try:
            supervisor = User.get_by_id(form.supervisor.data)
            service.escalate(incident, supervisor, me())
        except service.CrisisError as exc:
            form.supervisor.errors = [str(exc)]
        else:
            flash(_("%(name)s has been notified and has the incident in their queue.", name=supervisor.display_name),
                  "success")
            return _back(incident, "escalado")
    return _page(incident, 422, escalate_form=form)


@bp.post("/crisis/<int:incident_id>/intervencion")
@require("crisis.manage")
def crisis_intervene(incident_id):
    incident = or_404(CrisisIncident.for_page(incident_id))
    form = InterventionForm()
    if form.validate_on_submit():
        try:
            service.record_intervention(incident, form.note.data, me())
        except service.CrisisError as exc:
            form.note.errors = [str(exc)]
        else:
            flash(_("Your intervention is recorded."), "success")
            return _back(incident, "escalado")
    return _page(incident, 422, intervention_form=form)


@bp.post("/crisis/<int:incident_id>/cerrar")
@require("crisis.manage")
def crisis_close(incident_id):
    incident = or_404(CrisisIncident.for_page(incident_id))
    form = CloseForm()
    if form.validate_on_submit():
        try:
            complaint = service.close(incident, form.outcome.data, me(), as_complaint=form.as_complaint.data,
                                      reason=form.reason.data or "")
        except service.ClosingNeedsReason as exc:
            form.reason.errors = [str(exc)]
        except service.CrisisError as exc:
            form.outcome.errors = [str(exc)]
        else:
            if complaint is not None:
                flash(_("Incident closed and registered as complaint %(number)s.", number=complaint.number), "success")
            else:
                flash(_("Incident closed."), "success")
            return _back(incident)
    return _page(incident, 422, close_form=form)

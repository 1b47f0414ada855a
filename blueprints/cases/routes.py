"""Cases: list, opening, summary and planning, team and parties, evidence, interventions and agenda, closing."""

import re
from datetime import datetime, timedelta

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _

from blueprints.cases.forms import (
    AgendaFilter,
    CaseForm,
    CloseForm,
    DeliveredForm,
    DeliveryForm,
    EvidenceForm,
    InterventionForm,
    InterventionReportForm,
    PartyForm,
    PlanningForm,
    ResolutionForm,
    StatusForm,
    TeamForm,
)
from core.db import utcnow
from core.forms import staff_groups
from core.guard import ROLES, require
from core.htmx import render
from core.i18n import to_local, to_utc, today_local
from core.pagination import paginate
from core.web import get_or_404, me, or_404, status_for
from models.cases import (
    CASE_ROLES,
    Case,
    CaseMember,
    CaseStatusChange,
    EvidenceItem,
    FinalDelivery,
    Intervention,
    find_staff,
    staff_choices,
    team_choices,
)
from models.catalog import PracticeArea
from models.clients import Client, Party
from models.commercial import Contract
from models.users import User
from services import cases as service
from services.cases import check_team, header, labels
from services.complaints import OWNER_ROLES as complaint_owner_roles
from services.quality.actions import OWNER_ROLES as action_owner_roles
from services.quality.indicators import TARGET_OWNER_ROLES as target_owner_roles

from . import bp

PLANNING_FIELDS = ("description", "legal_analysis", "strategy", "budget_amount", "budget_notes", "budget_told_on",
                   "budget_told_how")
TEXT_FIELDS = ("description", "legal_analysis", "strategy", "budget_notes", "budget_told_how")
STEPS = {"en-curso": "in_progress", "resuelto": "resolved", "cerrar": "closed", "reabrir": "in_progress"}


@bp.context_processor
def _labels():
    return {"case_labels": labels}


@bp.errorhandler(service.CaseError)
def _refused(exc):
    """A write the case's state does not allow (e.g. on a closed case): say why, back to the case."""
    flash(str(exc), "error")
    case_id = (request.view_args or {}).get("case_id") or g.get("case_id")
    return redirect(url_for("cases.show", case_id=case_id) if case_id else url_for("cases.index"), 303)


def _get(model, object_id):
    obj = get_or_404(model, model.id == object_id)
    return obj


def _offered(form, case=None, client=None, *fields) -> list[tuple[int, str]]:
    """Who the person pickers of ``form`` offer before any search: the case's team (or the client's open cases' team
    and its responsible), the one writing, and whoever the ``fields`` already hold (the record's, or the ones sent,
    found by the search): 2,000 names on every one of these pages were most of their time."""
    chosen = []
    for name in fields:
        data = form[name].data
        chosen.extend(data if isinstance(data, list) else [data])
    return team_choices(case=case, client=client, also=(me().id, *chosen))


def _tab(case, page, partial, **ctx):
    return render(page, partial, **header(case, me()), **ctx)


# ----- list and opening -----

@bp.get("/personal")
@require("home.view")
def staff_options():
    """The people who work cases whose name holds the words typed: the options of a person picker's "found" group
    (the ``staff_picker`` macro), the first one chosen; or, for a list of checkboxes (``casillas=1``, the
    ``staff_checks`` macro), the people found as unticked boxes after those found earlier and ticked, which the
    search sends back and keeps, less those the list already shows (``ocultar``). The status line says how many.
    ``quienes=quejas`` looks among who may own a complaint instead of who works cases, ``quienes=acciones`` among
    who may own an improvement action, ``quienes=metas`` who may answer for a quality target; ``quienes=personal``
    among all the staff (a training session's attendees)."""
    text = request.args.get("persona", "")[:80]
    field_id = request.args.get("campo", "")
    field_id = field_id if re.fullmatch(r"[a-z_]{1,40}", field_id) else ""
    roles = {"quejas": complaint_owner_roles, "acciones": action_owner_roles, "metas": target_owner_roles,
             "personal": tuple(ROLES)}.get(request.args.get("quienes"), CASE_ROLES)
    found = find_staff(text, roles=roles) if len(text.strip()) >= 2 else []
    if request.args.get("casillas") != "1" or not field_id:
        return render("cases/_staff_options.html", found=found, text=text.strip(), field_id=field_id,
                      cases_only=roles == CASE_ROLES)
    shown = {int(i) for i in request.args.get("ocultar", "").split(",")[:200] if i.isdigit() and len(i) < 10}
    ticked = [i for i in dict.fromkeys(int(i) for i in request.args.getlist(field_id)[:200] if i.isdigit() and len(i) < 10)
              if i not in shown]
    kept = (team_choices(also=ticked) if roles == CASE_ROLES else list(staff_choices(roles).where(User.id.in_(ticked))
                                                                        .tuples())) if ticked else []
    kept_ids = {user_id for user_id, _name in kept}
    fresh = [(user_id, name) for user_id, name in found if user_id not in shown and user_id not in kept_ids]
    return render("cases/_staff_checks.html", kept=kept, found=fresh, text=text.strip(), field_id=field_id,
                  cases_only=roles == CASE_ROLES)


@bp.get("/")
@require("cases.view")
def index():
    state = request.args.get("estado", "active")
    whose = request.args.get("responsable", "")
    filters = {"status": state if state in (*labels.STATES, "active") else "", "mine_of": me().id if whose == "yo" else None}
    page = paginate(Case.listing(**filters), 25, total=lambda: Case.count_listing(**filters))
    return render("cases/index.html", "cases/_list.html", page=page, state=state, whose=whose)


@bp.route("/nuevo/<int:client_id>", methods=["GET", "POST"])
@require("cases.manage")
def new(client_id):
    client = _get(Client, client_id)
    declared = {p.id: p for p in Party.declared_unassigned(client)}  # intake parties, offered pre-filled
    form = CaseForm(formdata=request.form if request.method == "POST" else None,
                    data={"practice_area": client.practice_area_id or 0, "responsible": me().id,
                          "parties": [{"party": p.id, "include": True, "kind": p.kind, "name": p.name,
                                       "relation": p.relation} for p in declared.values()]})
    _case_choices(form, client)
    if form.validate_on_submit():
        staff = {u.id: u for u in User.select().where(User.id.in_([form.responsible.data, *form.team.data]))}
        try:
            case = service.open_case(client, {
                "title": form.title.data.strip(), "practice_area": form.practice_area.data or None,
                "contract": form.contract.data or None, "responsible": staff[form.responsible.data],
                "team": [staff[i] for i in form.team.data if i in staff], "description": (form.description.data or "").strip(),
                "parties": _carried_parties(form, declared)}, me(), today_local())
        except service.CaseError as exc:
            flash(str(exc), "error")
            return redirect(url_for("commercial.client_tab", client_id=client.id), 303)
        flash(_("Case %(code)s opened.", code=case.code), "success")
        return redirect(url_for("cases.show", case_id=case.id), 303)
    return render("cases/new.html", form=form, client=client, declared=declared, status=status_for(form))


def _carried_parties(form, declared) -> list[dict]:
    """The intake parties kept on the form, as edited; a row naming no offered party is ignored."""
    rows = [row.form for row in form.parties if row.form.include.data]
    return [{"party": declared[int(row.party.data)], "kind": row.kind.data, "name": row.name.data.strip(),
             "relation": (row.relation.data or "").strip()} for row in rows
            if (row.party.data or "").isdigit() and int(row.party.data) in declared]


def _case_choices(form, client):
    form.practice_area.choices = [(0, "—")] + [(a.id, a.name) for a in PracticeArea.active()]
    form.contract.choices = [(0, _("No contract"))] + [(c.id, c.code) for c in Contract.of_client(client)
                                                       if c.status == "active"]
    offered = _offered(form, None, client, "responsible", "team")
    form.responsible.choices = staff_groups(offered)
    form.team.choices = offered


# ----- summary and planning -----

@bp.get("/<int:case_id>")
@require("cases.view")
def show(case_id):
    case = or_404(Case.for_page(case_id))
    return _tab(case, "cases/show.html", "cases/_summary.html", **_summary_context(case))


def _summary_context(case, **forms):
    return {"team": list(CaseMember.of_case(case)), "parties": list(Party.of_case(case)),
            "evidence": list(EvidenceItem.of_case(case)), "history": list(CaseStatusChange.history(case)),
            "party_form": forms.get("party_form") or PartyForm(formdata=None),
            "evidence_form": forms.get("evidence_form") or EvidenceForm(formdata=None), "status_form": StatusForm(formdata=None),
            "has_confidential": bool(case.legal_analysis or case.strategy)}


@bp.get("/<int:case_id>/estrategia")
@require("cases.view")
def confidential(case_id):
    """The legal analysis and strategy, for the team only; each read is one sensitive_read row (L1)."""
    case = or_404(Case.for_page(case_id))
    if not check_team(case, me(), "planning"):
        abort(404)
    return _tab(case, "cases/confidential.html", "cases/_confidential.html", revealed=service.read_confidential(case, me()))


@bp.route("/<int:case_id>/planificacion", methods=["GET", "POST"])
@require("cases.manage")
def planning(case_id):
    case = or_404(Case.for_page(case_id))
    if not check_team(case, me(), "planning"):
        abort(404)
    if request.method == "GET":
        form = PlanningForm(obj=case, formdata=None)
        revealed = service.read_confidential(case, me())  # the form shows them: a read like any other
        form.legal_analysis.data, form.strategy.data = revealed["legal_analysis"], revealed["strategy"]
    else:  # never from the row: its confidential columns hold ciphertext
        form = PlanningForm()
    if form.validate_on_submit():
        sent = {f for f in PLANNING_FIELDS if f in request.form}  # a field left out keeps its value
        service.save_planning(case, {f: (form[f].data or "").strip() if f in TEXT_FIELDS else form[f].data
                                     for f in sent}, me())
        flash(_("Planning saved."), "success")
        return redirect(url_for("cases.show", case_id=case.id), 303)
    return _tab(case, "cases/planning.html", "cases/planning.html", form=form, status=status_for(form))


@bp.route("/<int:case_id>/equipo", methods=["GET", "POST"])
@require("cases.manage")
def team(case_id):
    case = or_404(Case.for_page(case_id))
    if not check_team(case, me(), "team"):  # joining the team opens the confidential parts: only the team decides it
        abort(404)
    members = [m.user_id for m in CaseMember.select(CaseMember.user).where(CaseMember.case == case)]
    form = TeamForm(formdata=request.form if request.method == "POST" else None,
                    data={"responsible": case.responsible_id or 0, "team": members})
    offered = _offered(form, case, None, "responsible", "team")
    form.responsible.choices, form.team.choices = staff_groups(offered), offered
    if form.validate_on_submit():
        users = {u.id: u for u in User.select().where(User.id.in_([form.responsible.data, *form.team.data]))}
        service.set_team(case, users[form.responsible.data], [users[i] for i in form.team.data if i in users], me())
        flash(_("Team saved."), "success")
        return redirect(url_for("cases.show", case_id=case.id), 303)
    return _tab(case, "cases/team.html", "cases/team.html", form=form, status=status_for(form))


@bp.post("/<int:case_id>/partes")
@require("cases.manage")
def add_party(case_id):
    case = or_404(Case.for_page(case_id))
    form = PartyForm()
    valid = form.validate_on_submit()
    if valid and Party.named_on_case(case, form.name.data):
        form.name.errors.append(_("The case already lists this party."))
        valid = False
    if not valid:
        return _tab(case, "cases/show.html", "cases/_summary.html", status=422, **_summary_context(case, party_form=form))
    service.add_party(case, form.kind.data, form.name.data.strip(), (form.relation.data or "").strip(), me())
    flash(_("Party added; the conflict check will take it into account."), "success")
    return redirect(url_for("cases.show", case_id=case.id) + "#partes", 303)


@bp.post("/<int:case_id>/pruebas")
@require("cases.manage")
def add_evidence(case_id):
    case = or_404(Case.for_page(case_id))
    form = EvidenceForm()
    if not form.validate_on_submit():
        return _tab(case, "cases/show.html", "cases/_summary.html", status=422, **_summary_context(case, evidence_form=form))
    service.add_evidence(case, form.kind.data, form.description.data.strip(), me())
    flash(_("Evidence added to the list."), "success")
    return redirect(url_for("cases.show", case_id=case.id) + "#pruebas", 303)


@bp.post("/pruebas/<int:evidence_id>/recogida")
@require("cases.manage")
def mark_evidence(evidence_id):
    item = _get(EvidenceItem, evidence_id)
    g.case_id = item.case_id
    if StatusForm().validate_on_submit():
        service.mark_evidence(item, request.form.get("recogida") == "1", today_local(), me())
    return redirect(url_for("cases.show", case_id=item.case_id) + "#pruebas", 303)


@bp.post("/<int:case_id>/estado/<any('en-curso', resuelto, cerrar, reabrir):step>")
@require("cases.manage")
def change_status(case_id, step):
    case = or_404(Case.for_page(case_id))
    if step == "cerrar":
        return _close(case)
    form = StatusForm()
    if form.validate_on_submit():
        try:
            service.change_status(case, STEPS[step], (form.reason.data or "").strip(), me(), today_local())
        except service.CaseError as exc:
            flash(str(exc), "error")
        else:
            flash(_("Case %(code)s: %(status)s.", code=case.code, status=labels.STATES[case.status]), "success")
    back = "cases.closing" if step in ("cerrar", "resuelto") else "cases.show"
    return redirect(url_for(back, case_id=case.id), 303)


def _close(case):
    """Closing: with items still open, the reason is asked for beside its field (422)."""
    form = CloseForm()
    if form.validate_on_submit():
        try:
            service.change_status(case, "closed", form.reason.data or "", me(), today_local())
        except service.ClosingNeedsReason as exc:
            form.reason.errors.append(str(exc))
        except service.CaseError as exc:
            flash(str(exc), "error")
            return redirect(url_for("cases.closing", case_id=case.id), 303)
        else:
            flash(_("Case %(code)s: %(status)s.", code=case.code, status=labels.STATES[case.status]), "success")
            return redirect(url_for("cases.closing", case_id=case.id), 303)
    return _tab(case, "cases/closing.html", "cases/_closing.html", status=422, **_closing_context(case, close_form=form))


# ----- interventions and agenda -----

@bp.get("/<int:case_id>/intervenciones")
@require("cases.view")
def interventions(case_id):
    case = or_404(Case.for_page(case_id))
    return _interventions_tab(case, _intervention_form(case, None))


def _intervention_form(case, formdata):
    form = InterventionForm(formdata=formdata, data={"assigned": case.responsible_id or 0, "duration_minutes": 60})
    form.assigned.choices = staff_groups(_offered(form, case, None, "assigned"))
    return form


def _interventions_tab(case, form, status=200):
    return _tab(case, "cases/interventions.html", "cases/_interventions.html", form=form, status=status,
                interventions=list(Intervention.of_case(case)))


@bp.post("/<int:case_id>/intervenciones")
@require("cases.manage")
def plan_intervention(case_id):
    case = or_404(Case.for_page(case_id))
    form = _intervention_form(case, request.form)
    if not form.validate_on_submit():
        return _interventions_tab(case, form, status=422)
    try:
        done = service.plan_intervention(case, {
            "starts_at": to_utc(datetime.combine(form.day.data, form.time.data)),
            "duration_minutes": form.duration_minutes.data, "assigned": form.assigned.data,
            "place": (form.place.data or "").strip(), "purpose": form.purpose.data.strip(),
            "work_done": (form.work_done.data or "").strip()}, me()).status == "done"
    except service.CaseError as exc:
        flash(str(exc), "error")
    else:
        flash(_("Intervention recorded as done.") if done else _("Intervention planned."), "success")
    return redirect(url_for("cases.interventions", case_id=case.id), 303)


@bp.route("/intervenciones/<int:intervention_id>", methods=["GET", "POST"])
@require("cases.manage")
def report_intervention(intervention_id):
    intervention = _get(Intervention, intervention_id)
    case = or_404(Case.for_page(intervention.case_id))
    g.case_id = case.id
    if intervention.status == "cancelled":
        abort(404)
    start = to_local(intervention.starts_at)  # the form may correct it: staff record when it really happened
    form = InterventionReportForm(obj=intervention if intervention.status == "done" else None,
                                  data={"day": start.date(), "time": start.time()})
    if form.validate_on_submit():
        service.record_intervention(intervention, {f: (form[f].data or "").strip() for f in (
            "work_done", "treatment_type", "resources_used", "recommendations")}, me(),
            starts_at=to_utc(datetime.combine(form.day.data, form.time.data)))
        flash(_("Intervention recorded."), "success")
        return redirect(url_for("cases.interventions", case_id=case.id), 303)
    return _tab(case, "cases/intervention.html", "cases/intervention.html", intervention=intervention, form=form,
                not_yet=intervention.starts_at > utcnow(), status=status_for(form))


@bp.post("/intervenciones/<int:intervention_id>/cancelar")
@require("cases.manage")
def cancel_intervention(intervention_id):
    intervention = _get(Intervention, intervention_id)
    g.case_id = intervention.case_id
    if StatusForm().validate_on_submit():
        service.cancel_intervention(intervention, me())
        flash(_("Intervention cancelled."), "success")
    return redirect(url_for("cases.interventions", case_id=intervention.case_id), 303)


@bp.get("/agenda")
@require("cases.view")
def agenda():
    """One person's week of interventions (PRO-008 §5.3: schedule visits and assign staff)."""
    form = AgendaFilter(request.args, data={"persona": me().id})
    asked = form.persona.data if isinstance(form.persona.data, int) else None
    offered = team_choices(also=(me().id, asked))  # the one looking and the one shown; others by name
    form.persona.choices = staff_groups(offered)
    person = asked if asked in {user_id for user_id, _name in offered} else me().id
    form.persona.data = person
    start = form.semana.data if form.semana.validate(form) and form.semana.data else today_local()
    monday = start - timedelta(days=start.weekday())
    rows = list(Intervention.agenda(person, to_utc(datetime.combine(monday, datetime.min.time())),
                                    to_utc(datetime.combine(monday + timedelta(days=7), datetime.min.time()))))
    days = [(monday + timedelta(days=i), [r for r in rows if to_local(r.starts_at).date() == monday + timedelta(days=i)])
            for i in range(7)]
    return render("cases/agenda.html", "cases/_week.html", form=form, person=person, days=days, monday=monday,
                  today=today_local(), prev_week=monday - timedelta(days=7), next_week=monday + timedelta(days=7))


# ----- resolution and closing -----

@bp.get("/<int:case_id>/cierre")
@require("cases.view")
def closing(case_id):
    case = or_404(Case.for_page(case_id))
    return _tab(case, "cases/closing.html", "cases/_closing.html", **_closing_context(case))


def _closing_context(case, **forms):
    return {"resolution_form": forms.get("resolution_form") or ResolutionForm(formdata=None, obj=case),
            "delivery_form": forms.get("delivery_form") or DeliveryForm(formdata=None),
            "delivered_form": DeliveredForm(formdata=None, delivered_on=today_local()),
            "deliveries": list(FinalDelivery.of_case(case)), "check": service.closing_check(case),
            "status_form": StatusForm(formdata=None), "close_form": forms.get("close_form") or CloseForm(formdata=None)}


@bp.post("/<int:case_id>/resolucion")
@require("cases.manage")
def resolution(case_id):
    case = or_404(Case.for_page(case_id))
    form = ResolutionForm()
    if case.status == "closed" or not form.validate_on_submit():
        return _tab(case, "cases/closing.html", "cases/_closing.html", status=422,
                    **_closing_context(case, resolution_form=form))
    service.save_resolution(case, {"resolution_summary": form.resolution_summary.data.strip(),
                                   "explained_on": form.explained_on.data, "explained_how": form.explained_how.data or "",
                                   "client_understood": form.client_understood.data}, me())
    flash(_("Resolution saved."), "success")
    return redirect(url_for("cases.closing", case_id=case.id), 303)


@bp.post("/<int:case_id>/entregas")
@require("cases.manage")
def add_delivery(case_id):
    case = or_404(Case.for_page(case_id))
    form = DeliveryForm()
    if not form.validate_on_submit():
        return _tab(case, "cases/closing.html", "cases/_closing.html", status=422, **_closing_context(case, delivery_form=form))
    service.add_delivery(case, {"kind": form.kind.data, "description": form.description.data.strip(),
                                "delivered_on": form.delivered_on.data, "delivered_how": form.delivered_how.data or ""}, me())
    flash(_("Final document added."), "success")
    return redirect(url_for("cases.closing", case_id=case.id) + "#entregas", 303)


@bp.post("/entregas/<int:delivery_id>/entregada")
@require("cases.manage")
def mark_delivered(delivery_id):
    delivery = _get(FinalDelivery, delivery_id)
    g.case_id = delivery.case_id
    form = DeliveredForm()
    if form.validate_on_submit():
        service.mark_delivered(delivery, form.delivered_on.data, form.delivered_how.data, me())
        flash(_("Delivery recorded."), "success")
    else:
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "error")
    return redirect(url_for("cases.closing", case_id=delivery.case_id) + "#entregas", 303)

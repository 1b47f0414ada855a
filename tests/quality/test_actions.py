"""Improvement actions (ISO 9001 §10.2): opening one by hand and from a complaint (prefilled with its root cause
and linked to it), the analysis and the three kinds of action, the status flow, closing refused without the
effectiveness check (a message beside each missing field, 422) and allowed with it, cancelling with a reason,
every change audited, the list with its filters (overdue first), the owner's work queue, and access by role."""

import re
from datetime import timedelta

import pytest
from playhouse.test_utils import count_queries

from models.audit import AuditEvent
from models.quality import ImprovementAction
from services.home import work
from services.quality import actions as service

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def complaint(app, make_user):
    from services import complaints

    owner = make_user(roles=("service",), name="Sofía Atención")
    with app.test_request_context():
        c = complaints.open_complaint(kind="complaint", owner=owner, walk_in_name="Ana",
                                      description="Nadie devolvió las llamadas del cliente durante dos semanas.")
        complaints.change_status(c, "analysis", owner)
        complaints.save_analysis(c, "La línea de atención no tenía responsable los viernes.",
                                 "Se asignó un turno.", owner)
    return c


def _open(app, owner, firm_today, **kw):
    with app.test_request_context():
        kw.setdefault("title", "Respuesta telefónica")
        kw.setdefault("description", "Llamadas sin devolver.")
        return service.open_action(owner=owner, due_on=kw.pop("due_on", firm_today + timedelta(days=10)),
                                   user=owner, **kw)


def _to_verifying(app, action, user):
    with app.test_request_context():
        service.save_plan(action, {"cause_analysis": "Sin responsable los viernes.",
                                   "corrective_action": "Turno fijo de viernes."}, action.owner_id, action.due_on, user)
        service.change_status(action, "in_progress", user)
        service.change_status(action, "verifying", user)


def test_open_from_a_complaint_prefills_and_links(app, http, login_as, complaint, firm_today):
    me = login_as("quality")
    page = http.get(f"/calidad/acciones/nueva?queja={complaint.id}").get_data(as_text=True)
    assert complaint.number in page and "La línea de atención no tenía responsable los viernes." in page
    response = http.post("/calidad/acciones/nueva", data={
        "queja": str(complaint.id), "title": f"Queja {complaint.number}", "description": complaint.description,
        "cause_analysis": complaint.root_cause, "owner": str(me.id), "due_on": str(firm_today + timedelta(days=30))})
    assert response.status_code == 303
    action = ImprovementAction.get()
    assert (action.source, action.complaint_id, action.owner_id, action.status) == (
        "complaint", complaint.id, me.id, "open")
    assert action.cause_analysis == complaint.root_cause
    event = AuditEvent.get(AuditEvent.action == "improvement_open")
    assert event.object_id == str(action.id) and event.actor_id == me.id
    # The complaint page offers the button to those who manage actions.
    assert f"/calidad/acciones/nueva?queja={complaint.id}" in http.get(f"/quejas/{complaint.id}").get_data(as_text=True)


def test_new_bad_input_answers_422_beside_the_fields(app, http, login_as):
    login_as("quality")
    response = http.post("/calidad/acciones/nueva", data={"title": "", "description": "", "owner": "999999999",
                                                          "due_on": "31/02/2026", "source": "nada"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert page.count('class="error"') >= 4 and not ImprovementAction.select().exists()
    assert http.get("/calidad/acciones/nueva?queja=99999999999999999999").status_code == 404
    assert http.get("/calidad/acciones/nueva?queja=424242").status_code == 404


def test_cannot_close_without_the_effectiveness_check(app, http, login_as, firm_today):
    me = login_as("quality")
    action = _open(app, me, firm_today)
    # Verification asks for the analysis and an action first.
    response = http.post(f"/calidad/acciones/{action.id}/estado", data={"to": "in_progress"})
    assert response.status_code == 303
    response = http.post(f"/calidad/acciones/{action.id}/estado", data={"to": "verifying"})
    assert response.status_code == 422 and "análisis de causa" in response.get_data(as_text=True).lower()
    response = http.post(f"/calidad/acciones/{action.id}/plan", data={
        "cause_analysis": "Sin responsable los viernes.", "correction": "Se devolvieron las llamadas.",
        "corrective_action": "Turno fijo de viernes.", "preventive_action": "Revisar los turnos cada mes.",
        "owner": str(me.id), "due_on": str(firm_today + timedelta(days=5))})
    assert response.status_code == 303
    assert http.post(f"/calidad/acciones/{action.id}/estado", data={"to": "verifying"}).status_code == 303
    # Closing without the check: refused, a message beside each missing field, still awaiting verification.
    response = http.post(f"/calidad/acciones/{action.id}/cerrar", data={
        "effectiveness_check": "  ", "verified_on": "", "verified_by": "0"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="effectiveness_check-error"' in page and 'id="verified_on-error"' in page
    assert 'id="verified_by-error"' in page
    assert ImprovementAction.get_by_id(action.id).status == "verifying"
    future = http.post(f"/calidad/acciones/{action.id}/cerrar", data={
        "effectiveness_check": "Llamadas devueltas en el día: 98 %.", "verified_on": str(firm_today + timedelta(days=1)),
        "verified_by": str(me.id)})
    assert future.status_code == 422 and ImprovementAction.get_by_id(action.id).status == "verifying"
    # With it: closed, audited.
    response = http.post(f"/calidad/acciones/{action.id}/cerrar", data={
        "effectiveness_check": "Llamadas devueltas en el día: 98 % en noviembre.", "verified_on": str(firm_today),
        "verified_by": str(me.id)})
    assert response.status_code == 303
    action = ImprovementAction.get_by_id(action.id)
    assert (action.status, action.verified_on, action.verified_by_id) == ("closed", firm_today, me.id)
    assert action.closed_at is not None
    actions = [e.action for e in AuditEvent.select().where(AuditEvent.object_type == "improvement_action")
               .order_by(AuditEvent.id)]
    assert actions == ["improvement_open", "improvement_status", "improvement_plan", "improvement_status",
                       "improvement_close"]
    # A closed action no longer changes.
    assert http.post(f"/calidad/acciones/{action.id}/anular", data={"reason": "x"}).status_code == 422


def test_service_refuses_to_close_without_check(app, make_user, firm_today):
    user = make_user(roles=("quality",))
    action = _open(app, user, firm_today)
    with app.test_request_context():
        with pytest.raises(service.ActionError):
            service.close(action, "funcionó", firm_today, user.id, user, firm_today)  # not awaiting verification
    _to_verifying(app, action, user)
    with app.test_request_context():
        with pytest.raises(service.ActionError) as refused:
            service.close(action, "", firm_today, user.id, user, firm_today)
        assert refused.value.field == "effectiveness_check"
        with pytest.raises(service.ActionError) as refused:
            service.close(action, "98 %", None, user.id, user, firm_today)
        assert refused.value.field == "verified_on"
        with pytest.raises(service.ActionError) as refused:
            service.close(action, "98 %", firm_today, None, user, firm_today)
        assert refused.value.field == "verified_by"
        service.close(action, "98 %", firm_today, user.id, user, firm_today)
    assert ImprovementAction.get_by_id(action.id).status == "closed"


def test_cancel_needs_a_reason(app, http, login_as, firm_today):
    me = login_as("management")
    action = _open(app, me, firm_today)
    response = http.post(f"/calidad/acciones/{action.id}/anular", data={"reason": ""})
    assert response.status_code == 422 and 'id="reason-error"' in response.get_data(as_text=True)
    assert http.post(f"/calidad/acciones/{action.id}/anular", data={"reason": "Duplicada"}).status_code == 303
    action = ImprovementAction.get_by_id(action.id)
    assert (action.status, action.cancel_reason) == ("cancelled", "Duplicada")
    assert http.post(f"/calidad/acciones/{action.id}/estado", data={"to": "bogus"}).status_code == 422


def test_list_filters_and_overdue_first(app, http, login_as, make_user, firm_today):
    me = login_as("quality")
    other = make_user(roles=("operations",), name="Óscar Operativo")
    later = _open(app, me, firm_today, title="Más tarde", due_on=firm_today + timedelta(days=20))
    late = _open(app, other, firm_today, title="Vencida", due_on=firm_today - timedelta(days=3))
    survey = _open(app, me, firm_today, title="Encuesta", source="survey", source_ref="Puntualidad",
                   due_on=firm_today + timedelta(days=2))
    page = http.get("/calidad/acciones").get_data(as_text=True)
    page = page[page.index('id="improvement-actions"'):]
    assert page.index("Vencida") < page.index("Encuesta") < page.index("Más tarde")
    page = http.get(f"/calidad/acciones?responsable={other.id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in page and "Vencida" in page and "Más tarde" not in page
    page = http.get("/calidad/acciones?origen=survey").get_data(as_text=True)
    page = page[page.index('id="improvement-actions"'):]
    assert "Encuesta" in page and "Vencida" not in page
    for junk in ("?estado=x", "?responsable=abc", "?responsable=99999999999999999999999", "?origen=nada"):
        assert http.get("/calidad/acciones" + junk).status_code == 200
    assert later and late and survey


def test_owners_see_their_own_only_and_cannot_manage(app, http, login_as, make_user, firm_today):
    boss = make_user(roles=("quality",))
    me = login_as("operations")
    mine = _open(app, me, firm_today, title="La mía")
    theirs = _open(app, boss, firm_today, title="La de otro")
    page = http.get("/calidad/acciones").get_data(as_text=True)
    assert "La mía" in page and "La de otro" not in page
    assert http.get(f"/calidad/acciones/{mine.id}").status_code == 200
    assert http.get(f"/calidad/acciones/{theirs.id}").status_code == 404
    assert http.post(f"/calidad/acciones/{mine.id}/anular", data={"reason": "no"}).status_code == 403
    assert http.get("/calidad/acciones/nueva").status_code == 403


def test_commercial_and_admin_are_refused(app, http, login_as):
    login_as("commercial")
    assert http.get("/calidad/acciones").status_code == 403


def test_owner_work_queue_lists_open_actions_with_constant_queries(app, make_user, firm_today):
    owner = make_user(roles=("service",))
    _open(app, owner, firm_today, title="Primera", due_on=firm_today - timedelta(days=1))
    with app.test_request_context():
        with count_queries() as one:
            sections = work.queue_for(owner, firm_today)
    section = next(s for s in sections if s.key == "actions")
    assert (section.count, section.overdue, section.rows[0].title) == (1, 1, "Primera")
    for i in range(4):
        _open(app, owner, firm_today, title=f"Otra {i}")
    with app.test_request_context():
        with count_queries() as many:
            work.queue_for(owner, firm_today)
    assert many.count == one.count


def test_audit_log_names_the_action_and_links_it(app, http, login_as, firm_today):
    me = login_as("quality")
    action = _open(app, me, firm_today, title="Turnos de viernes")
    page = http.get("/admin/auditoria").get_data(as_text=True)
    assert f"{action.code} · Turnos de viernes" in page and f"/calidad/acciones/{action.id}" in page


def test_audit_log_reads_the_status_change_in_words(app, http, login_as, firm_today):
    me = login_as("quality")
    action = _open(app, me, firm_today)
    assert http.post(f"/calidad/acciones/{action.id}/estado", data={"to": "in_progress"}).status_code == 303
    page = http.get("/admin/auditoria").get_data(as_text=True)
    assert "Abierta → En curso" in page and "open→in_progress" not in page


def test_owner_pickers_offer_a_few_and_find_the_rest_whatever_the_staff(app, http, login_as, make_user, firm_today):
    """The list's owner filter, a new action's owner, the plan's owner and who verified listed everyone who may own an
    action (most of a firm of 2,000) on each page: they offer the one writing, the action's owner and the one
    chosen; anyone else who may own one is found by name, and the server checks the one sent against them all."""
    me = login_as("quality")
    owner = make_user(roles=("operations",), name="Óscar Operativo")
    found = make_user(roles=("quality",), name="Íñigo Calidad Vélez")  # quality works no case
    outsider = make_user(roles=("commercial",), name="Carla Comercial")
    gone = make_user(roles=("service",), name="Inés Inactiva", active=False)
    action = _open(app, owner, firm_today, title="Turnos")

    def options(url, select_id, absent="Íñigo Calidad Vélez"):
        body = http.get(url).get_data(as_text=True)
        assert absent not in body and "quienes=acciones" in body
        select = re.search(rf'<select[^>]*id="{select_id}".*?</select>', body, re.S).group(0)
        return {int(v) for v in re.findall(r'value="(\d+)"', select)} - {0}

    assert options("/calidad/acciones?estado=", "responsable") == {me.id}
    assert options(f"/calidad/acciones?estado=&responsable={owner.id}", "responsable") == {me.id, owner.id}
    assert options("/calidad/acciones/nueva", "owner") == {me.id}
    assert options(f"/calidad/acciones/{action.id}", "owner") == {me.id, owner.id}
    search = http.get("/casos/personal?persona=inigo&campo=owner&quienes=acciones").get_data(as_text=True)
    assert f'value="{found.id}" selected' in search
    assert str(found.id) not in http.get("/casos/personal?persona=inigo&campo=owner").get_data(as_text=True)
    assert "Carla" not in http.get("/casos/personal?persona=carla&campo=owner&quienes=acciones").get_data(as_text=True)

    new = {"title": "Llamadas", "description": "Sin devolver.", "due_on": str(firm_today + timedelta(days=9))}
    for refused in (outsider, gone):  # may not own one, or no longer works here: beside the field, in Spanish
        response = http.post("/calidad/acciones/nueva", data={**new, "owner": str(refused.id)})
        body = response.get_data(as_text=True)
        assert response.status_code == 422 and 'id="owner-error"' in body and "Opción inválida" in body
    assert http.post("/calidad/acciones/nueva", data={**new, "owner": str(found.id)}).status_code == 303
    assert ImprovementAction.get(ImprovementAction.title == "Llamadas").owner_id == found.id

    plan = {"cause_analysis": "Sin turno.", "corrective_action": "Turno fijo.", "due_on": str(firm_today)}
    response = http.post(f"/calidad/acciones/{action.id}/plan", data={**plan, "owner": str(outsider.id)})
    assert response.status_code == 422 and 'id="owner-error"' in response.get_data(as_text=True)
    assert http.post(f"/calidad/acciones/{action.id}/plan", data={**plan, "owner": str(found.id)}).status_code == 303
    assert ImprovementAction.get_by_id(action.id).owner_id == found.id
    _to_verifying(app, ImprovementAction.get_by_id(action.id), me)
    verifier = make_user(roles=("service",), name="Vera Verificadora")
    assert options(f"/calidad/acciones/{action.id}", "verified_by", "Vera") == {me.id, found.id}
    close = {"effectiveness_check": "Llamadas devueltas en el día.", "verified_on": str(firm_today)}
    for refused in (outsider, gone):
        response = http.post(f"/calidad/acciones/{action.id}/cerrar", data={**close, "verified_by": str(refused.id)})
        assert response.status_code == 422 and 'id="verified_by-error"' in response.get_data(as_text=True)
    assert ImprovementAction.get_by_id(action.id).status == "verifying"
    assert http.post(f"/calidad/acciones/{action.id}/cerrar",
                     data={**close, "verified_by": str(verifier.id)}).status_code == 303
    assert ImprovementAction.get_by_id(action.id).verified_by_id == verifier.id

    urls = ("/calidad/acciones?estado=", f"/calidad/acciones?responsable={owner.id}", "/calidad/acciones/nueva",
            f"/calidad/acciones/{action.id}")
    with count_queries() as few:
        for url in urls:
            http.get(url)
    for n in range(5):
        make_user(roles=("operations", "quality")[n % 2:n % 2 + 1], name=f"Más Personal {n}")
    with count_queries() as more:
        for url in urls:
            http.get(url)
    assert more.count == few.count

"""Defects an independent review found in case work, each pinned by a test (SECURITY.md A3, A4, A5)."""

from datetime import datetime, timedelta

import pytest

from core.i18n import today_local
from models.audit import AuditEvent
from models.cases import Case, CaseMember, EvidenceItem, FinalDelivery, Intervention
from models.documents import Deadline
from models.interactions import Interaction
from models.tasks import Task
from tests.factories import make_case, make_client, make_user

SECRET = "ANALISIS-SECRETO-4411"

pytestmark = pytest.mark.usefixtures("clock")  # dates matter here: the firm's today at an awkward hour


def _case(app, **kw):
    with app.test_request_context():
        return make_case(**kw)


def test_a3_outsider_cannot_add_themselves_to_the_team(app, login_as):
    case = _case(app)
    outsider = app.test_client()
    me = login_as("operations", client=outsider)
    assert outsider.get(f"/casos/{case.id}/equipo").status_code == 404
    assert outsider.post(f"/casos/{case.id}/equipo", data={"responsible": me.id, "team": [me.id]}).status_code == 404
    assert not CaseMember.select().where(CaseMember.user == me.id).exists()
    assert not AuditEvent.select().where(AuditEvent.action == "case_team").exists()


def test_planning_without_the_confidential_fields_keeps_them(app, http, login_as):
    me = login_as("operations")
    case = _case(app, responsible=me)
    http.post(f"/casos/{case.id}/planificacion", data={"legal_analysis": SECRET, "strategy": "Conciliar."})
    http.post(f"/casos/{case.id}/planificacion", data={"description": "Solo cambia la descripción."})
    saved = Case.get_by_id(case.id)
    assert saved.reveal("legal_analysis") == SECRET and saved.reveal("strategy") == "Conciliar."
    assert saved.description == "Solo cambia la descripción."


def test_a_closed_case_refuses_every_write(app, http, login_as, firm_today):
    me = login_as("operations")
    case = _case(app, responsible=me)
    EvidenceItem.create(case=case, description="Acta")
    Case.update(status="closed").where(Case.id == case.id).execute()
    posts = {f"/casos/{case.id}/pruebas": {"kind": "document", "description": "Nueva prueba"},
             f"/casos/{case.id}/entregas": {"kind": "ruling", "description": "Sentencia"},
             f"/casos/{case.id}/planificacion": {"description": "cambio"},
             f"/casos/{case.id}/partes": {"kind": "related", "name": "Otra Parte"},
             f"/casos/{case.id}/equipo": {"responsible": me.id},
             f"/casos/{case.id}/resolucion": {"resolution_summary": "Otra resolución"},
             f"/casos/{case.id}/intervenciones": {"purpose": "Visita", "day": (firm_today + timedelta(days=2)).isoformat(),
                                                  "time": "10:00", "duration_minutes": 30, "assigned": me.id}}
    for url, data in posts.items():
        assert http.post(url, data=data).status_code in (303, 422), url
    assert EvidenceItem.select().count() == 1 and not FinalDelivery.select().exists()
    assert not Intervention.select().exists() and Case.get_by_id(case.id).description != "cambio"


def test_planned_interventions_block_closing(app, http, login_as):
    from services import cases as service

    me = login_as("operations")
    case = _case(app, responsible=me)
    Intervention.create(case=case, starts_at=datetime.utcnow() + timedelta(days=1), assigned=me, purpose="Visita final")
    with app.test_request_context():
        assert any("Visita final" in b for b in service.closing_blockers(case))


def test_double_submits_change_nothing_twice(app, http, login_as, firm_today):
    me = login_as("operations")
    case = _case(app, responsible=me)
    item = EvidenceItem.create(case=case, description="Testimonio")
    for _ in range(2):  # a double click on "collected" leaves it collected
        http.post(f"/casos/pruebas/{item.id}/recogida", data={"recogida": "1"})
    assert EvidenceItem.get_by_id(item.id).collected_on == firm_today
    planned = Intervention.create(case=case, starts_at=datetime.utcnow() + timedelta(days=1), assigned=me, purpose="Visita")
    http.post(f"/casos/intervenciones/{planned.id}/cancelar")
    http.post(f"/casos/intervenciones/{planned.id}/cancelar")
    assert AuditEvent.select().where(AuditEvent.action == "intervention_cancel").count() == 1
    assert http.post(f"/casos/intervenciones/{planned.id}", data={"work_done": "Se hizo"}).status_code == 404


def test_a3_confidential_entry_of_a_case_is_for_that_case_team_only(app, login_as):
    from services import interactions

    with app.test_request_context():
        client = make_client()
        first = make_case(client=client)
        other_member = make_user(roles=("service",), email="otro.caso@duarte.test", name="Otro Caso")
        make_case(client=client, title="Otro asunto", team=[other_member])
        interactions.log(client, {"occurred_at": datetime.utcnow(), "channel": "phone", "direction": "in",
                                  "kind": "concern", "summary": SECRET, "confidential": True}, None, case=first)
    entry = Interaction.get()
    browser = app.test_client()
    login_as(client=browser, user=other_member)
    response = browser.get(f"/interacciones/{entry.id}")
    assert response.status_code == 404 and SECRET.encode() not in response.data


def test_the_deadline_responsible_may_mark_it_even_off_the_team(app, login_as, firm_today):
    case = _case(app)
    browser = app.test_client()
    helper = login_as("operations", client=browser)
    deadline = Deadline.create(case=case, description="Radicar", due_at=datetime.utcnow() - timedelta(hours=1),
                               responsible=helper, alert_from=firm_today)
    browser.post(f"/documentos/plazos/{deadline.id}/estado", data={"status": "done"})
    assert Deadline.get_by_id(deadline.id).status == "done"


def test_a5_feed_stops_when_the_roles_go(app, http, login_as):
    from services.documents import deadlines

    me = login_as("operations")
    with app.test_request_context():
        token = deadlines.create_feed(me)
    assert http.get(f"/documentos/calendario/{token}.ics").status_code == 200
    me.set_roles(["admin"])
    assert http.get(f"/documentos/calendario/{token}.ics").status_code == 404


def test_post_case_task_title_in_the_firm_language(app, http, login_as, firm_today):
    me = login_as("operations")
    me.set_locale("en")
    case = _case(app, responsible=me)
    Case.update(status="resolved", explained_on=firm_today, client_understood=True, explained_how="email",
                resolution_summary="Acuerdo").where(Case.id == case.id).execute()
    http.post(f"/casos/{case.id}/estado/cerrar")
    assert Task.get().title.startswith("Seguimiento")


def test_intervention_earlier_today_needs_what_was_done(app, http, login_as):
    me = login_as("operations")
    case = _case(app, responsible=me)
    with app.test_request_context():
        firm_today = today_local()
    response = http.post(f"/casos/{case.id}/intervenciones", data={
        "purpose": "Visita", "day": firm_today.isoformat(), "time": "00:00", "duration_minutes": 30, "assigned": me.id})
    assert response.status_code == 422 and not Intervention.select().exists()  # issue 11: recorded, not refused


def test_confidential_planning_has_a_full_page_without_htmx(app, http, login_as):
    me = login_as("operations")
    case = _case(app, responsible=me)
    http.post(f"/casos/{case.id}/planificacion", data={"legal_analysis": SECRET})
    page = http.get(f"/casos/{case.id}/estrategia").get_data(as_text=True)
    assert "<html" in page and SECRET in page

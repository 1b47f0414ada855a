"""Cases: opening, team and confidential planning, parties, evidence, interventions and agenda, closing
(issue 5; PRO-008 §5.3; the legal-advice guide's planning and closing sections)."""

import re
from datetime import datetime, timedelta

import pytest
from playhouse.test_utils import count_queries

from core.db import db
from core.i18n import today_local
from models import conflict_search
from models.audit import AuditEvent
from models.cases import Case, CaseMember, EvidenceItem, FinalDelivery, Intervention
from models.clients import Client, Party
from models.documents import Deadline, DocumentItem
from models.tasks import Task
from tests.factories import make_case, make_client

CANARY = "ESTRATEGIA-CANARIO-7731"

pytestmark = pytest.mark.usefixtures("clock")  # dates matter here: the firm's today at an awkward hour


def _active_client(app, **kw):
    with app.test_request_context():
        client = make_client(**kw)
    Client.update(status="active").where(Client.id == client.id).execute()
    return Client.get_by_id(client.id)


def _case(app, **kw):
    with app.test_request_context():
        return make_case(**kw)


def test_open_case_for_active_client_only(app, http, login_as, make_user):
    me = login_as("operations")
    colleague = make_user(roles=("operations",), email="colega@duarte.test", name="Pedro Colega")
    with app.test_request_context():
        prospect = make_client(name="Prospecto Sin Contrato", document_number="79111222")
    page = http.get(f"/casos/nuevo/{prospect.id}")
    assert page.status_code == 200
    refused = http.post(f"/casos/nuevo/{prospect.id}", data={"title": "Demanda", "responsible": me.id,
                                                             "practice_area": 0, "contract": 0})
    assert refused.status_code == 303 and Case.select().count() == 0
    client = _active_client(app, name="Cliente Activo", document_number="79111333")
    empty = http.post(f"/casos/nuevo/{client.id}", data={"title": "", "responsible": me.id, "practice_area": 0, "contract": 0})
    assert empty.status_code == 422 and Case.select().count() == 0
    ok = http.post(f"/casos/nuevo/{client.id}", data={"title": "Demanda laboral", "responsible": me.id, "practice_area": 0,
                                                      "contract": 0, "team": [colleague.id], "description": "Despido."})
    case = Case.get()
    assert ok.status_code == 303 and ok.headers["Location"].endswith(f"/casos/{case.id}")
    assert case.status == "open" and case.responsible_id == me.id and case.team_ids() == {me.id, colleague.id}
    assert AuditEvent.select().where(AuditEvent.action == "case_open", AuditEvent.object_id == str(case.id)).count() == 1
    assert "Demanda laboral" in http.get(f"/comercial/clientes/{client.id}").get_data(as_text=True)


def test_pages_and_partials(app, http, login_as):
    me = login_as("operations")
    case = _case(app, responsible=me)
    for url in (f"/casos/{case.id}", f"/casos/{case.id}/intervenciones", f"/casos/{case.id}/cierre", "/casos/",
                "/casos/agenda"):
        full = http.get(url)
        assert full.status_code == 200 and "<html" in full.get_data(as_text=True), url
        partial = http.get(url, headers={"HX-Request": "true"})
        assert partial.status_code == 200 and "<html" not in partial.get_data(as_text=True), url
    assert http.get("/casos/999999").status_code == 404
    listed = http.get("/casos/").get_data(as_text=True)  # each row links its case and its client
    assert f'href="/casos/{case.id}"' in listed and f'href="/clientes/{case.client_id}"' in listed


def test_a4_l1_strategy_encrypted_team_reads_once_outsiders_get_404(app, http, login_as, make_user):
    me = login_as("operations")
    case = _case(app, responsible=me)
    saved = http.post(f"/casos/{case.id}/planificacion", data={"legal_analysis": "Art. 64 CST " + CANARY,
                                                               "strategy": "Conciliar primero.", "budget_amount": "2500000"})
    assert saved.status_code == 303
    raw = " ".join(str(v) for v in db.execute_sql("SELECT * FROM legal_case").fetchone())
    assert CANARY not in raw  # encrypted at rest
    before = AuditEvent.select().where(AuditEvent.action == "sensitive_read").count()
    shown = http.get(f"/casos/{case.id}/estrategia", headers={"HX-Request": "true"})
    assert shown.status_code == 200 and CANARY in shown.get_data(as_text=True)
    assert AuditEvent.select().where(AuditEvent.action == "sensitive_read").count() == before + 1
    assert CANARY not in http.get(f"/casos/{case.id}").get_data(as_text=True)  # the summary never shows it

    outsider = app.test_client()
    login_as("operations", client=outsider)
    fails = AuditEvent.select().where(AuditEvent.action == "authz_fail").count()
    assert outsider.get(f"/casos/{case.id}/estrategia").status_code == 404
    assert outsider.get(f"/casos/{case.id}/planificacion").status_code == 404
    assert outsider.post(f"/casos/{case.id}/planificacion", data={"strategy": "hack"}).status_code == 404
    assert AuditEvent.select().where(AuditEvent.action == "authz_fail").count() == fails + 3
    page = outsider.get(f"/casos/{case.id}")
    assert page.status_code == 200 and CANARY not in page.get_data(as_text=True)  # the rest is not confidential

    boss = app.test_client()
    login_as("management", client=boss)
    assert CANARY in boss.get(f"/casos/{case.id}/estrategia").get_data(as_text=True)


def test_case_team_joins_the_client_team(app, login_as, make_user):
    member = make_user(roles=("service",), email="equipo@duarte.test", name="Ana Equipo")
    case = _case(app, team=[member])
    stranger = make_user(roles=("service",), email="otro@duarte.test", name="Otro")
    client = Client.get_by_id(case.client_id)
    assert Case.on_client_team(client, member) and case.on_team(member)
    assert not Case.on_client_team(client, stranger) and not case.on_team(stranger)


def test_team_change_audited(app, http, login_as, make_user):
    me = login_as("operations")
    case = _case(app, responsible=me)
    other = make_user(roles=("service",), email="nuevo@duarte.test", name="Nuevo Miembro")
    http.post(f"/casos/{case.id}/equipo", data={"responsible": me.id, "team": [other.id]})
    assert set(CaseMember.select(CaseMember.user).where(CaseMember.case == case).tuples()) == {(other.id,)}
    assert AuditEvent.select().where(AuditEvent.action == "case_team").count() == 1
    bad = http.post(f"/casos/{case.id}/equipo", data={"responsible": 999999})
    assert bad.status_code == 422


def test_parties_feed_the_conflict_check(app, http, login_as):
    me = login_as("operations")
    case = _case(app, responsible=me)
    assert http.post(f"/casos/{case.id}/partes", data={"kind": "counterparty", "name": ""}).status_code == 422
    http.post(f"/casos/{case.id}/partes", data={"kind": "counterparty", "name": "Transportes Rápidos del Sur SAS",
                                                "relation": "Empleador demandado"})
    party = Party.get(Party.case == case)
    assert party.client_id == case.client_id
    with app.test_request_context():
        hits = conflict_search.conflicts("Transportes Rapidos del Sur", ("", ""), [], None)
    assert any("Transportes" in h.name for h in hits)


def test_evidence_checklist(app, http, login_as, firm_today):
    me = login_as("operations")
    case = _case(app, responsible=me)
    assert http.post(f"/casos/{case.id}/pruebas", data={"kind": "testimony", "description": ""}).status_code == 422
    http.post(f"/casos/{case.id}/pruebas", data={"kind": "testimony", "description": "Declaración del compañero de turno"})
    item = EvidenceItem.get()
    http.post(f"/casos/pruebas/{item.id}/recogida", data={"recogida": "1"})
    assert EvidenceItem.get_by_id(item.id).collected_on == firm_today
    assert "Declaración del compañero" in http.get(f"/casos/{case.id}").get_data(as_text=True)


def test_interventions_plan_record_cancel_and_agenda(app, http, login_as, firm_today):
    me = login_as("operations")
    case = _case(app, responsible=me)
    past = http.post(f"/casos/{case.id}/intervenciones", data={
        "purpose": "Visita", "day": "2020-01-01", "time": "09:00", "duration_minutes": 60, "assigned": me.id})
    assert past.status_code == 422 and Intervention.select().count() == 0
    day = firm_today + timedelta(days=1)
    http.post(f"/casos/{case.id}/intervenciones", data={"purpose": "Visita a la empresa", "day": day.isoformat(),
                                                        "time": "10:30", "duration_minutes": 90, "assigned": me.id,
                                                        "place": "Calle 80 # 10-20"})
    intervention = Intervention.get()
    assert intervention.status == "planned" and intervention.assigned_id == me.id
    week = http.get(f"/casos/agenda?persona={me.id}&semana={day.isoformat()}").get_data(as_text=True)
    assert "Visita a la empresa" in week and "10:30" in week
    assert case.code in week and case.client.name in week and f"/casos/{case.id}/intervenciones" in week
    assert http.post(f"/casos/intervenciones/{intervention.id}", data={"work_done": ""}).status_code == 422
    with app.test_request_context():
        firm_today = today_local()
    http.post(f"/casos/intervenciones/{intervention.id}", data={  # it took place earlier than planned
        "day": firm_today.isoformat(), "time": "00:00",
        "work_done": "Reunión con recursos humanos.", "treatment_type": "Asesoría presencial",
        "resources_used": "Expediente", "recommendations": "Guardar los desprendibles."})
    done = Intervention.get_by_id(intervention.id)
    assert done.status == "done" and done.recommendations == "Guardar los desprendibles."
    http.post(f"/casos/{case.id}/intervenciones", data={"purpose": "Segunda visita", "day": day.isoformat(),
                                                        "time": "15:00", "duration_minutes": 30, "assigned": me.id})
    second = Intervention.get(Intervention.purpose == "Segunda visita")
    http.post(f"/casos/intervenciones/{second.id}/cancelar")
    assert Intervention.get_by_id(second.id).status == "cancelled"
    assert "Segunda visita" not in http.get(f"/casos/agenda?persona={me.id}&semana={day.isoformat()}").get_data(as_text=True)


def test_closing_refused_with_open_items_then_closes(app, http, login_as, firm_today):
    me = login_as("operations")
    case = _case(app, responsible=me)
    Deadline.create(case=case, description="Contestar la demanda", due_at=datetime.utcnow() + timedelta(days=10),
                    responsible=me, alert_from=firm_today)
    DocumentItem.create(case=case, name="Poder firmado", required=True)
    http.post(f"/casos/{case.id}/estado/en-curso")
    assert http.post(f"/casos/{case.id}/estado/resuelto").status_code == 303
    assert Case.get_by_id(case.id).status == "in_progress"  # no resolution written yet
    http.post(f"/casos/{case.id}/resolucion", data={"resolution_summary": "Conciliación aprobada por el juez.",
                                                   "explained_on": firm_today.isoformat(), "explained_how": "in_person",
                                                   "client_understood": "y"})
    http.post(f"/casos/{case.id}/entregas", data={"kind": "agreement", "description": "Copia del acta de conciliación"})
    http.post(f"/casos/{case.id}/estado/resuelto")
    assert Case.get_by_id(case.id).status == "resolved"

    refused = http.post(f"/casos/{case.id}/estado/cerrar", follow_redirects=True)
    body = refused.get_data(as_text=True)
    assert Case.get_by_id(case.id).status == "resolved"
    for open_item in ("Contestar la demanda", "Poder firmado", "Copia del acta de conciliación"):
        assert open_item in body
    assert Task.select().count() == 0

    Deadline.update(status="done").execute()
    DocumentItem.update(status="reviewed").execute()
    delivery = FinalDelivery.get()
    assert http.post(f"/casos/entregas/{delivery.id}/entregada", data={"delivered_on": "2999-01-01",
                                                                      "delivered_how": "email"}).status_code == 303
    assert FinalDelivery.get_by_id(delivery.id).delivered_on is None  # a future delivery date is refused
    http.post(f"/casos/entregas/{delivery.id}/entregada", data={"delivered_on": firm_today.isoformat(), "delivered_how": "email"})
    http.post(f"/casos/{case.id}/estado/cerrar")
    closed = Case.get_by_id(case.id)
    assert closed.status == "closed" and closed.closed_by_id == me.id
    assert closed.survey_due_on == firm_today + timedelta(days=5)
    task = Task.get()
    assert task.kind == "post_case" and task.owner_id == me.id and task.case_id == case.id
    assert AuditEvent.select().where(AuditEvent.action == "case_status").count() == 3
    assert http.post(f"/casos/{case.id}/estado/reabrir").status_code == 303
    assert Case.get_by_id(case.id).status == "closed"  # closed is final


def test_case_page_queries_constant(app, http, login_as, make_user):
    me = login_as("operations")
    case = _case(app, responsible=me)
    with count_queries() as few:
        http.get(f"/casos/{case.id}")
    with app.test_request_context():
        from services import cases as service

        for i in range(8):
            service.add_evidence(case, "document", f"Prueba {i}", me)
            service.add_party(case, "related", f"Parte Relacionada {i}", "testigo", me)
            member = make_user(roles=("service",), email=f"m{i}@duarte.test", name=f"Miembro {i}")
            CaseMember.create(case=case, user=member)
    with count_queries() as many:
        http.get(f"/casos/{case.id}")
    assert few.count == many.count


def test_the_agenda_offers_the_one_looking_and_the_one_shown_whatever_the_staff(app, http, login_as, make_user):
    """Every member of staff on each agenda was most of its time at full size: the picker offers the one looking and
    the one shown, and the search under it finds the rest; an id that is not someone who works cases shows one's
    own week."""
    me = login_as("operations")
    colleague = make_user(roles=("operations",), name="Íñigo Santamaría Vélez")
    quality = make_user(roles=("quality",), name="Calidad Solamente")

    def offered(url):
        body = http.get(url).get_data(as_text=True)
        select = re.search(r'<select[^>]*id="persona".*?</select>', body, re.S).group(0)
        return {int(v) for v in re.findall(r'value="(\d+)"', select)}, re.search(
            r'<option selected value="(\d+)"', body).group(1)

    assert offered("/casos/agenda") == ({me.id}, str(me.id))
    assert offered(f"/casos/agenda?persona={colleague.id}") == ({me.id, colleague.id}, str(colleague.id))
    for nobody in (quality.id, 10**30, -1, "x"):
        assert offered(f"/casos/agenda?persona={nobody}") == ({me.id}, str(me.id))
    with count_queries() as few:
        http.get(f"/casos/agenda?persona={colleague.id}")
    for n in range(5):
        make_user(roles=("service",), name=f"Más Personal {n}")
    with count_queries() as more:
        http.get(f"/casos/agenda?persona={colleague.id}")
    assert more.count == few.count


def test_case_pickers_offer_the_team_and_find_the_rest_whatever_the_staff(app, http, login_as, make_user, firm_today):
    """The new case, team and intervention pickers listed every member of staff on each request (2,000 at full
    size): they offer the case's team, the client's responsible and the one writing; anyone else who works cases is
    found by name, and one found and sent is taken; someone who does not work cases is refused beside the field."""
    me = login_as("operations")
    member = make_user(roles=("service",), name="Ana Equipo Previo")
    case = _case(app, responsible=me, team=[member])
    colleague = make_user(roles=("operations",), name="Íñigo Santamaría Vélez")
    quality = make_user(roles=("quality",), name="Calidad Solamente")
    client = _active_client(app)

    def offered(url, field):
        body = http.get(url).get_data(as_text=True)
        select = re.search(rf'<select[^>]*name="{field}".*?</select>', body, re.S)
        if select:
            return {int(v) for v in re.findall(r'value="(\d+)"', select.group(0))} - {0}
        return {int(v) for v in re.findall(rf'<input[^>]*name="{field}"[^>]*value="(\d+)"', body)}

    assert offered(f"/casos/{case.id}/equipo", "responsible") == {me.id, member.id}
    assert offered(f"/casos/{case.id}/equipo", "team") == {me.id, member.id}
    assert offered(f"/casos/{case.id}/intervenciones", "assigned") == {me.id, member.id}
    assert offered(f"/casos/nuevo/{client.id}", "responsible") == {me.id}

    urls = (f"/casos/{case.id}/equipo", f"/casos/{case.id}/intervenciones", f"/casos/nuevo/{client.id}")
    with count_queries() as few:
        for url in urls:
            http.get(url)
    for n in range(5):
        make_user(roles=("service",), name=f"Más Personal {n}")
    with count_queries() as more:
        for url in urls:
            http.get(url)
    assert more.count == few.count

    found = http.get(f"/casos/personal?persona=inigo+sant&campo=team&casillas=1&ocultar={me.id},{member.id}"
                     f"&team={quality.id}").get_data(as_text=True)
    assert f'value="{colleague.id}"' in found and "checked" not in found.split(str(colleague.id))[0][-80:]
    assert f'value="{quality.id}"' not in found  # someone who does not work cases is not kept
    again = http.get(f"/casos/personal?persona=equipo&campo=team&casillas=1&ocultar={me.id},{member.id}"
                     f"&team={colleague.id}").get_data(as_text=True)
    assert re.search(rf'value="{colleague.id}" checked', again)  # ticked earlier: kept, ticked
    assert f'value="{member.id}"' not in again  # already in the list
    # nobody found: the status line says among whom it looked
    assert "Nadie que trabaje en los casos se llama «Zacarías»" in http.get(
        "/casos/personal?persona=Zacarías&campo=team").get_data(as_text=True)
    assert "Nadie que se pueda elegir aquí se llama «Zacarías»" in http.get(
        "/casos/personal?persona=Zacarías&campo=owner&quienes=metas").get_data(as_text=True)
    assert "Nadie más que se pueda elegir aquí se llama «Zacarías»" in http.get(
        "/casos/personal?persona=Zacarías&campo=attendees&casillas=1&quienes=personal").get_data(as_text=True)

    refused = http.post(f"/casos/{case.id}/equipo", data={"responsible": me.id, "team": [member.id, quality.id]})
    assert refused.status_code == 422 and 'id="team-error"' in refused.get_data(as_text=True)
    assert not CaseMember.select().where(CaseMember.case == case, CaseMember.user == quality.id).exists()
    saved = http.post(f"/casos/{case.id}/equipo", data={"responsible": me.id, "team": [member.id, colleague.id]})
    assert saved.status_code == 303
    assert {m for (m,) in CaseMember.select(CaseMember.user).where(CaseMember.case == case).tuples()} == {
        member.id, colleague.id}
    planned = http.post(f"/casos/{case.id}/intervenciones", data={
        "purpose": "Visita al cliente", "day": (firm_today + timedelta(days=2)).isoformat(), "time": "10:00",
        "duration_minutes": 60, "assigned": colleague.id})
    assert planned.status_code == 303
    assert Intervention.get(Intervention.case == case).assigned_id == colleague.id

"""The crisis protocol ("Cliente en crisis"): opening from the client page, ticking the eight steps with
their times, escalation to a supervisor (email through the local SMTP server and the supervisor's work
queue), the supervisor's intervention, the follow-up task, the client page's flag while open, encryption
at rest, one ``sensitive_read`` per read, role access (A2) and bad input."""

import re
from datetime import datetime, timedelta

import pytest
import time_machine
from playhouse.test_utils import count_queries

from core.db import db, is_sqlite
from core.i18n import today_local
from models.audit import AuditEvent
from models.complaints import Complaint, CrisisIncident, CrisisStep
from models.tasks import Task
from services.complaints import crisis_protocol as protocol
from services.documents import calendar
from tests.factories import make_case, make_client

NOW = datetime(2026, 3, 10, 15, 0)  # a Tuesday, 10:00 in Bogotá


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def client_row(app, make_user):
    with app.test_request_context():
        return make_client(name="Rodrigo Peña Salas")


def _open(http, client_id, **data):
    return http.post(f"/crisis/clientes/{client_id}", data=data)


def _incident_id(response) -> int:
    assert response.status_code == 303, response.get_data(as_text=True)[:400]
    return int(re.search(r"/crisis/(\d+)$", response.headers["Location"]).group(1))


def _audit(action, object_type="crisis_incident"):
    return list(AuditEvent.select().where(AuditEvent.action == action, AuditEvent.object_type == object_type))


# ----- opening -----

def test_open_from_the_client_page_creates_the_incident_and_its_follow_up(app, http, login_as, client_row, frozen):
    me = login_as("service")
    page = http.get(f"/clientes/{client_row.id}").get_data(as_text=True)
    assert f'action="/crisis/clientes/{client_row.id}"' in page  # the "Cliente en crisis" button
    incident_id = _incident_id(_open(http, client_row.id))
    incident = CrisisIncident.get_by_id(incident_id)
    assert incident.client_id == client_row.id and incident.opened_by_id == me.id and incident.status == "open"
    assert abs(incident.occurred_at - datetime(2026, 3, 10, 15, 0)) < timedelta(minutes=1)
    task = Task.get_by_id(incident.follow_up_task)
    assert (task.kind, task.title, task.owner_id, task.client_id) == ("crisis", "Seguimiento posterior", me.id, client_row.id)
    assert task.note == ("Nos gustaría asegurarnos de que el problema fue resuelto a su satisfacción. "
                         "¿Hay algo más en lo que podamos ayudarle?")
    with app.test_request_context():
        assert task.due_on == calendar.add_business_days(today_local(), 2) == datetime(2026, 3, 12).date()
    assert len(_audit("crisis_open")) == 1


def test_open_with_case_channel_and_time(app, http, login_as, client_row, frozen):
    login_as("service")
    with app.test_request_context():
        case = make_case(client=client_row)
    response = _open(http, client_row.id, case=case.id, channel="phone", occurred_on="2026-03-10", occurred_time="09:15")
    incident = CrisisIncident.get_by_id(_incident_id(response))
    assert (incident.case_id, incident.channel) == (case.id, "phone")
    assert incident.occurred_at == datetime(2026, 3, 10, 14, 15)  # 09:15 in Bogotá, stored in UTC
    assert Task.get_by_id(incident.follow_up_task).case_id == case.id


def test_open_refuses_bad_input(app, http, login_as, client_row, frozen):
    login_as("service")
    with app.test_request_context():
        other = make_client(name="Otra Persona", document_number="79111222", email="otra@correo.test")
        foreign_case = make_case(client=other)
    assert _open(http, client_row.id, case=foreign_case.id).status_code == 422  # not one of this client's cases
    assert _open(http, client_row.id, occurred_on="2026-03-11", occurred_time="10:00").status_code == 422  # future
    assert _open(http, client_row.id, channel="pigeon").status_code == 422
    assert _open(http, client_row.id, occurred_on="no-date", occurred_time="10:00").status_code == 422
    assert _open(http, 999999).status_code == 404
    response = http.post(f"/crisis/clientes/{client_row.id}", data={}, csrf=False)
    assert response.status_code == 400
    assert CrisisIncident.select().count() == 0 and Task.select().count() == 0


def test_open_from_the_work_queue_by_finding_the_client(http, login_as, client_row):
    login_as("service")
    queue = http.get("/mi-trabajo").get_data(as_text=True)
    assert 'action="/crisis/nuevo"' in queue
    found = http.get("/crisis/nuevo?q=Rodrigo").get_data(as_text=True)
    assert "Rodrigo Peña Salas" in found and f'action="/crisis/clientes/{client_row.id}"' in found
    partial = http.get("/crisis/nuevo?q=Rodrigo", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in partial and 'id="crisis-found"' in partial
    form = http.get(f"/crisis/nuevo?cliente={client_row.id}").get_data(as_text=True)
    assert 'name="occurred_on"' in form and 'name="case"' in form
    assert http.get("/crisis/nuevo?cliente=999999").status_code == 404


# ----- the steps -----

def test_the_page_shows_the_eight_steps_in_the_firms_words(http, login_as, client_row):
    login_as("service")
    incident_id = _incident_id(_open(http, client_row.id))
    page = http.get(f"/crisis/{incident_id}").get_data(as_text=True)
    for step in protocol.STEPS:
        assert step.title in page and step.action in page and step.purpose in page
        if step.phrase:
            assert step.phrase in page
    assert page.count('name="step"') == 8
    assert "Lamento mucho el malentendido. Déjeme ayudarle a solucionarlo." in page
    assert "Le sugiero que tomemos unos minutos para calmarnos" in page  # the pause
    assert "reembolso, cambio de producto, compensación" in page


def test_steps_are_ticked_with_their_time_once(app, http, login_as, client_row, frozen):
    me = login_as("service")
    incident_id = _incident_id(_open(http, client_row.id))
    response = http.post(f"/crisis/{incident_id}/pasos", data={"step": 1})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/crisis/{incident_id}#paso-1")
    frozen.shift(timedelta(minutes=3))
    partial = http.post(f"/crisis/{incident_id}/pasos", data={"step": 2}, headers={"HX-Request": "true"})
    body = partial.get_data(as_text=True)
    assert partial.status_code == 200 and "<html" not in body and 'id="paso-2"' in body and 'data-testid="step-2-done"' in body
    frozen.shift(timedelta(minutes=3))
    http.post(f"/crisis/{incident_id}/pasos", data={"step": 1})  # again: keeps the first time
    steps = CrisisStep.of_incident(incident_id)
    assert sorted(steps) == [1, 2]
    assert steps[2].done_at - steps[1].done_at >= timedelta(minutes=3)
    assert steps[1].done_at < datetime(2026, 3, 10, 15, 1) and steps[1].done_by_id == me.id
    assert len(_audit("crisis_step")) == 2
    page = http.get(f"/crisis/{incident_id}").get_data(as_text=True)
    assert 'data-testid="step-1-done"' in page and 'data-testid="step-3-done"' not in page


@pytest.mark.parametrize("step", ["0", "9", "x", "", "-1", "99999999999999999999"])
def test_tick_refuses_an_unknown_step(http, login_as, client_row, step):
    login_as("service")
    incident_id = _incident_id(_open(http, client_row.id))
    assert http.post(f"/crisis/{incident_id}/pasos", data={"step": step}, headers={"HX-Request": "true"}).status_code == 422
    assert http.post(f"/crisis/{incident_id}/pasos", data={"step": step}).status_code == 303
    assert CrisisStep.select().count() == 0
    assert http.post("/crisis/999999/pasos", data={"step": 1}).status_code == 404


# ----- documenting -----

def test_record_is_encrypted_at_rest_and_shown_to_crisis_roles(http, login_as, client_row):
    login_as("service")
    incident_id = _incident_id(_open(http, client_row.id))
    secret = "Gritó y golpeó el mostrador de recepción"
    response = http.post(f"/crisis/{incident_id}/registro", data={
        "behaviour": secret, "actions": ["solution", "apology"], "solution": "Reembolso de la consulta",
        "security_called": "y"})
    assert response.status_code == 303
    row = db.execute_sql("SELECT behaviour, solution, actions, security_called FROM crisis_incident WHERE id = %s"
                         .replace("%s", "?" if is_sqlite() else "%s"), (incident_id,)).fetchone()
    assert secret not in row[0] and "golpeó" not in row[0] and "Reembolso" not in row[1]
    assert row[2] == "solution,apology" and row[3]
    assert 7 in CrisisStep.of_incident(incident_id)  # "Documentar la situación" done by documenting
    page = http.get(f"/crisis/{incident_id}").get_data(as_text=True)
    assert secret in page and "Reembolso de la consulta" in page


def test_record_refuses_bad_input(http, login_as, client_row):
    login_as("service")
    incident_id = _incident_id(_open(http, client_row.id))
    url = f"/crisis/{incident_id}/registro"
    assert http.post(url, data={"behaviour": ""}).status_code == 422
    assert http.post(url, data={"behaviour": "Insultos", "actions": ["solution"], "solution": ""}).status_code == 422
    assert http.post(url, data={"behaviour": "Insultos", "actions": ["bribe"]}).status_code == 422
    assert http.post(url, data={"behaviour": "x" * 4001}).status_code == 422
    assert CrisisIncident.get_by_id(incident_id).behaviour == ""


# ----- escalation -----

def test_escalation_notifies_the_supervisor_at_once_by_email_and_in_their_queue(app, http, login_as, make_user,
                                                                               client_row, mailbox):
    login_as("service")
    supervisor = make_user(roles=("quality",), name="Beatriz Supervisora", email="beatriz@firma.test")
    incident_id = _incident_id(_open(http, client_row.id))
    http.post(f"/crisis/{incident_id}/registro", data={"behaviour": "Amenazó con denunciar al abogado"})
    response = http.post(f"/crisis/{incident_id}/supervisor", data={"supervisor": supervisor.id})
    assert response.status_code == 303
    messages = mailbox.to("beatriz@firma.test")
    assert len(messages) == 1
    text, html = mailbox.text(messages[0]), mailbox.html(messages[0])
    assert f"https://traza.example.test/crisis/{incident_id}" in text and f"https://traza.example.test/crisis/{incident_id}" in html
    for body in (text, html, messages[0]["Subject"]):
        assert "Amenazó" not in body and "Rodrigo" not in body  # nothing confidential, not even the name
    incident = CrisisIncident.get_by_id(incident_id)
    assert incident.supervisor_id == supervisor.id and incident.escalated_at is not None
    assert 6 in CrisisStep.of_incident(incident_id)  # "Derivar a un supervisor"

    browser = app.test_client()
    login_as(user=supervisor, client=browser)
    queue = browser.get("/mi-trabajo").get_data(as_text=True)
    assert 'id="work-crisis"' in queue and f'href="/crisis/{incident_id}"' in queue
    assert queue.index('id="work-crisis"') < queue.index('data-testid="work-summary"') + 10**6
    start = browser.get("/").get_data(as_text=True)
    assert 'href="/mi-trabajo?ver=crisis"' in start

    response = browser.post(f"/crisis/{incident_id}/intervencion", data={"note": "Hablé con el cliente en mi oficina"})
    assert response.status_code == 303
    incident = CrisisIncident.get_by_id(incident_id)
    assert incident.supervisor_at is not None and "Hablé" not in incident.supervisor_note
    note = incident.reveal("supervisor_note")
    assert note.startswith("— Beatriz Supervisora, ") and note.endswith(":\nHablé con el cliente en mi oficina")
    assert 'id="work-crisis"' not in browser.get("/mi-trabajo").get_data(as_text=True)
    assert "Hablé con el cliente en mi oficina" in http.get(f"/crisis/{incident_id}").get_data(as_text=True)


def test_escalation_and_intervention_refuse_bad_input(app, http, login_as, make_user, client_row, mailbox):
    me = login_as("service")
    outsider = make_user(roles=("commercial",))
    inactive = make_user(roles=("management",), active=False)
    supervisor = make_user(roles=("management",))
    bystander = make_user(roles=("service",))
    incident_id = _incident_id(_open(http, client_row.id))
    url = f"/crisis/{incident_id}/supervisor"
    for value in (me.id, outsider.id, inactive.id, 999999, "", "x"):
        assert http.post(url, data={"supervisor": value}).status_code == 422, value
    assert http.post(f"/crisis/{incident_id}/intervencion", data={"note": "Antes de escalar"}).status_code == 422
    assert len(mailbox.messages) == 0
    assert http.post(url, data={"supervisor": supervisor.id}).status_code == 303
    other = app.test_client()
    login_as(user=bystander, client=other)
    assert other.post(f"/crisis/{incident_id}/intervencion", data={"note": "No soy el supervisor"}).status_code == 422
    boss = app.test_client()
    login_as(user=supervisor, client=boss)
    assert boss.post(f"/crisis/{incident_id}/intervencion", data={"note": "  "}).status_code == 422
    assert CrisisIncident.get_by_id(incident_id).supervisor_at is None


# ----- closing and the client's flag -----

def test_closing_with_a_complaint_lowers_the_flag(app, http, login_as, make_user, client_row, frozen):
    login_as("service")
    incident_id = _incident_id(_open(http, client_row.id))
    url = f"/crisis/{incident_id}/cerrar"
    assert http.post(url, data={"outcome": ""}).status_code == 422
    assert http.post(url, data={"outcome": "Se ofreció reembolso; el cliente se calmó", "as_complaint": "y",
                                "reason": "Se calmó en cuanto se le ofreció el reembolso."}).status_code == 303
    incident = CrisisIncident.get_by_id(incident_id)
    assert incident.status == "closed" and incident.closed_at is not None
    assert "reembolso" not in incident.outcome
    complaint = Complaint.get_by_id(incident.complaint_id)
    assert (complaint.source, complaint.client_id, complaint.kind) == ("crisis", client_row.id, "complaint")
    assert "reembolso" not in complaint.description  # the details stay in the incident
    assert http.post(url, data={"outcome": "Otra vez"}).status_code == 422  # already closed
    assert http.post(f"/crisis/{incident_id}/pasos", data={"step": 3}).status_code == 303
    assert 3 not in CrisisStep.of_incident(incident_id)

    # a closed incident raises no flag (issue 11), and the page never shows the details
    browser = app.test_client()
    login_as("commercial", client=browser)
    page = browser.get(f"/clientes/{client_row.id}").get_data(as_text=True)
    assert 'data-testid="crisis-flag"' not in page
    assert "reembolso" not in page and f"/crisis/{incident_id}" not in page


def test_flag_stays_while_open(app, http, login_as, client_row, frozen):
    login_as("service")
    assert 'data-testid="crisis-flag"' not in http.get(f"/clientes/{client_row.id}").get_data(as_text=True)
    incident_id = _incident_id(_open(http, client_row.id))
    page = http.get(f"/clientes/{client_row.id}").get_data(as_text=True)
    assert 'data-testid="crisis-flag"' in page and protocol.ADVICE[1] in page  # the advice, for anyone serving them
    frozen.move_to(NOW + timedelta(days=90))
    login_as("service")
    page = http.get(f"/clientes/{client_row.id}").get_data(as_text=True)
    assert 'data-testid="crisis-flag"' in page and f'href="/crisis/{incident_id}"' in page


# ----- confidentiality -----

def test_l1_every_read_of_an_incident_is_logged(http, login_as, client_row):
    me = login_as("management")
    incident_id = _incident_id(_open(http, client_row.id))
    assert _audit("sensitive_read") == []
    http.get(f"/crisis/{incident_id}")
    http.get(f"/crisis/{incident_id}")
    reads = _audit("sensitive_read")
    assert len(reads) == 2 and {r.object_id for r in reads} == {str(incident_id)} and {r.actor_id for r in reads} == {me.id}
    assert "behaviour" in reads[0].fields


@pytest.mark.parametrize("role", ["commercial", "operations", "admin"])
def test_a2_other_roles_get_403(app, http, login_as, make_user, client_row, role):
    opener = app.test_client()
    login_as("service", client=opener)
    incident_id = _incident_id(_open(opener, client_row.id))
    login_as(role)
    assert http.get(f"/crisis/{incident_id}").status_code == 403
    assert http.get("/crisis").status_code == 403
    assert http.get("/crisis/nuevo").status_code == 403
    assert _open(http, client_row.id).status_code == 403
    for action, data in (("pasos", {"step": 1}), ("registro", {"behaviour": "x"}), ("cerrar", {"outcome": "x"}),
                         ("intervencion", {"note": "x"}), ("supervisor", {"supervisor": 1})):
        assert http.post(f"/crisis/{incident_id}/{action}", data=data).status_code == 403
    assert _audit("sensitive_read") == []
    if role != "admin":
        page = http.get(f"/clientes/{client_row.id}").get_data(as_text=True)
        assert f'action="/crisis/clientes/{client_row.id}"' not in page and 'data-testid="crisis-flag"' in page


@pytest.mark.parametrize("role", ["service", "quality", "management"])
def test_a2_crisis_roles_reach_the_list(http, login_as, client_row, role):
    login_as(role)
    incident_id = _incident_id(_open(http, client_row.id))
    page = http.get("/crisis").get_data(as_text=True)
    assert f'href="/crisis/{incident_id}"' in page and "Rodrigo Peña Salas" in page
    assert f'href="/crisis/{incident_id}"' not in http.get("/crisis?estado=closed").get_data(as_text=True)
    partial = http.get("/crisis?estado=open", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in partial and 'id="crisis-list"' in partial


def test_pages_cost_the_same_queries_whatever_the_size(app, http, login_as, make_user, client_row):
    login_as("service")
    supervisor = make_user(roles=("management",))
    first = _incident_id(_open(http, client_row.id))
    with count_queries() as one_step:
        http.get(f"/crisis/{first}")
    for n in range(1, 9):
        http.post(f"/crisis/{first}/pasos", data={"step": n})
    http.post(f"/crisis/{first}/supervisor", data={"supervisor": supervisor.id})
    with count_queries() as all_steps:
        http.get(f"/crisis/{first}")
    assert one_step.count == all_steps.count
    with count_queries() as small:
        http.get("/crisis")
    for _ in range(5):
        _open(http, client_row.id)
    with count_queries() as big:
        http.get("/crisis")
    assert small.count == big.count


def test_the_supervisors_queue_uses_an_index(app, login_as):
    if not is_sqlite():
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's")
    me = login_as("quality")
    sql, params = CrisisIncident.awaiting_supervisor(me.id).limit(25).sql()
    plan = " ".join(row[-1] for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params))
    assert "INDEX crisisincident_supervisor_id" in plan

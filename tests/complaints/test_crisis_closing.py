"""Closing a crisis incident with steps still open (issue 11): an incident closed with steps 3, 4, 5 and 8
"Sin hacer" while "Esperando a que el supervisor registre su intervención". Closing now lists what is open and
refuses, or takes a written reason, kept encrypted with that list, audited and shown on the closed incident.
The follow-up (step 8) counts as done once its task is done."""

import re
from datetime import datetime

import pytest
import time_machine

from core.crypto import keys
from models.audit import AuditEvent
from models.complaints import CrisisIncident
from models.tasks import Task
from services.home import work
from tests.factories import make_client

NOW = datetime.fromisoformat("2026-03-10T10:00:00-05:00")  # a Tuesday, 10:00 in Bogotá
REASON = "El cliente colgó y no volvió a llamar; se cierra para no dejarlo abierto indefinidamente."


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def client_row(app):
    with app.test_request_context():
        return make_client(name="Rodrigo Peña Salas")


def _open(http, client_id) -> int:
    response = http.post(f"/crisis/clientes/{client_id}")
    assert response.status_code == 303, response.get_data(as_text=True)[:400]
    return int(re.search(r"/crisis/(\d+)$", response.headers["Location"]).group(1))


def _tick(http, incident_id, *steps):
    for step in steps:
        assert http.post(f"/crisis/{incident_id}/pasos", data={"step": step}).status_code == 303


def _close(http, incident_id, **data):
    return http.post(f"/crisis/{incident_id}/cerrar", data={"outcome": "El cliente se calmó.", **data})


def test_steps_undone_and_a_supervisor_awaited_refuse_closing_without_a_reason(http, login_as, make_user,
                                                                              client_row, frozen):
    login_as("service")
    supervisor = make_user(roles=("quality",), name="Beatriz Supervisora")
    incident_id = _open(http, client_row.id)
    _tick(http, incident_id, 1, 2)
    assert http.post(f"/crisis/{incident_id}/supervisor", data={"supervisor": supervisor.id}).status_code == 303
    page = http.get(f"/crisis/{incident_id}").get_data(as_text=True)
    assert 'data-testid="open-items"' in page and 'name="reason"' in page
    for line in ("Paso 3 sin hacer: No tomar la situación de manera personal.", "Paso 4 sin hacer",
                 "Paso 5 sin hacer", "Paso 8 sin hacer: Seguimiento posterior.",
                 "Esperando a que el supervisor registre su intervención."):
        assert line in page, line
    assert "Paso 6 sin hacer" not in page  # escalating did step 6

    for reason in ({}, {"reason": ""}, {"reason": "ya"}):
        refused = _close(http, incident_id, **reason)
        body = refused.get_data(as_text=True)
        assert refused.status_code == 422 and 'id="reason-error"' in body and "Quedan pasos abiertos" in body
    assert CrisisIncident.get_by_id(incident_id).status == "open"


def test_a_reason_closes_it_encrypted_audited_and_shown(http, login_as, make_user, client_row, frozen):
    me = login_as("service")
    me.set_locale("en")  # the list is stored in the firm's language
    supervisor = make_user(roles=("quality",), name="Beatriz Supervisora")
    incident_id = _open(http, client_row.id)
    _tick(http, incident_id, 1, 2, 7)
    http.post(f"/crisis/{incident_id}/supervisor", data={"supervisor": supervisor.id})
    assert _close(http, incident_id, reason=REASON).status_code == 303
    incident = CrisisIncident.get_by_id(incident_id)
    assert incident.status == "closed" and REASON not in incident.closing_reason  # encrypted at rest
    assert incident.reveal("closing_reason") == REASON
    assert incident.closed_open_items.splitlines() == [
        "Paso 3 sin hacer: No tomar la situación de manera personal.",
        "Paso 4 sin hacer: Ofrecer una respuesta asertiva.",
        "Paso 5 sin hacer: Establecer límites si el cliente está fuera de control.",
        "Paso 8 sin hacer: Seguimiento posterior.",
        "Esperando a que el supervisor registre su intervención."]
    event = AuditEvent.get(AuditEvent.action == "crisis_close")
    assert "closing_reason" in event.fields and "open_items=5" in event.detail
    me.set_locale("es")
    page = http.get(f"/crisis/{incident_id}").get_data(as_text=True)
    assert 'data-testid="closed-with-open-items"' in page and REASON in page and "Paso 4 sin hacer" in page


def test_every_step_done_closes_without_a_reason(http, login_as, client_row, frozen):
    login_as("service")
    incident_id = _open(http, client_row.id)
    _tick(http, incident_id, 1, 2, 3, 4, 5, 6, 7, 8)
    page = http.get(f"/crisis/{incident_id}").get_data(as_text=True)
    assert 'data-testid="open-items"' not in page and 'name="reason"' not in page
    assert _close(http, incident_id).status_code == 303
    incident = CrisisIncident.get_by_id(incident_id)
    assert incident.status == "closed" and incident.closing_reason == "" and incident.closed_open_items == ""


def test_the_follow_up_task_done_counts_as_step_8(app, http, login_as, client_row, frozen):
    me = login_as("service")
    incident_id = _open(http, client_row.id)
    _tick(http, incident_id, 1, 2, 3, 4, 5, 6, 7)
    assert "Paso 8 sin hacer" in http.get(f"/crisis/{incident_id}").get_data(as_text=True)
    with app.test_request_context():
        assert work.mark_task_done(Task.get_by_id(CrisisIncident.get_by_id(incident_id).follow_up_task), me)
    assert _close(http, incident_id).status_code == 303
    assert CrisisIncident.get_by_id(incident_id).closed_open_items == ""


def test_the_reason_is_sealed_to_its_row(http, login_as, client_row, frozen):
    """Copied onto another incident, the sealed reason does not open (AAD = table, column and row)."""
    login_as("service")
    first, second = _open(http, client_row.id), _open(http, client_row.id)
    assert _close(http, first, reason=REASON).status_code == 303
    sealed = CrisisIncident.get_by_id(first).closing_reason
    with pytest.raises(Exception):  # noqa: B017 - any refusal to decrypt will do
        keys.field.decrypt(sealed, f"crisis_incident|closing_reason|{second}")


def test_a_closed_incident_no_longer_says_it_waits_for_the_supervisor(http, login_as, make_user, client_row, frozen):
    login_as("service")
    supervisor = make_user(roles=("quality",), name="Beatriz Supervisora")
    incident_id = _open(http, client_row.id)
    http.post(f"/crisis/{incident_id}/supervisor", data={"supervisor": supervisor.id})
    waiting = '<p class="small muted">Esperando a que el supervisor registre su intervención.</p>'
    assert waiting in http.get(f"/crisis/{incident_id}").get_data(as_text=True)
    assert _close(http, incident_id, reason=REASON).status_code == 303
    page = http.get(f"/crisis/{incident_id}").get_data(as_text=True)
    assert waiting not in page
    assert "Esperando a que el supervisor registre su intervención." in page  # in the record of what was open

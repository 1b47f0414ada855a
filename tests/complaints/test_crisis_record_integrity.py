"""A crisis incident's record is never lost: a second escalation keeps the first supervisor's note and adds
the second one's, a second intervention is added, not written over, and a closed incident refuses every write,
even from a copy read before the close."""

import re

import pytest

from models.complaints import CrisisIncident, CrisisStep
from services.complaints import crisis
from tests.complaints.crisis_helpers import opened_incident


def _signed_in(app, login_as, user):
    browser = app.test_client()
    login_as(user=user, client=browser)
    return browser


def test_re_escalation_keeps_the_first_supervisors_note_and_adds_the_second(app, http, login_as, make_user,
                                                                            client_row, mailbox):
    login_as("service")
    first = make_user(roles=("quality",), name="Beatriz Primera")
    second = make_user(roles=("management",), name="Carlos Segundo")
    incident_id = opened_incident(http.post(f"/crisis/clientes/{client_row.id}"))
    assert http.post(f"/crisis/{incident_id}/supervisor", data={"supervisor": first.id}).status_code == 303
    a = _signed_in(app, login_as, first)
    assert a.post(f"/crisis/{incident_id}/intervencion", data={"note": "Calmé al cliente en mi oficina."}).status_code == 303
    assert http.post(f"/crisis/{incident_id}/supervisor", data={"supervisor": second.id}).status_code == 303
    incident = CrisisIncident.get_by_id(incident_id)
    assert incident.supervisor_id == second.id and incident.supervisor_at is None  # waiting for the second one
    assert "Calmé al cliente en mi oficina." in incident.reveal("supervisor_note")  # not erased
    page = http.get(f"/crisis/{incident_id}").get_data(as_text=True)
    assert "Calmé al cliente en mi oficina." in page  # still shown while the second supervisor is awaited
    b = _signed_in(app, login_as, second)
    assert b.post(f"/crisis/{incident_id}/intervencion", data={"note": "Ofrecí una reunión con el socio."}).status_code == 303
    note = CrisisIncident.get_by_id(incident_id).reveal("supervisor_note")
    assert re.fullmatch(r"— Beatriz Primera, [^\n]+:\nCalmé al cliente en mi oficina\.\n\n"
                        r"— Carlos Segundo, [^\n]+:\nOfrecí una reunión con el socio\.", note), note
    page = http.get(f"/crisis/{incident_id}").get_data(as_text=True)
    assert "Calmé al cliente en mi oficina." in page and "Ofrecí una reunión con el socio." in page


def test_a_second_intervention_is_added_not_written_over(app, http, login_as, make_user, client_row, mailbox):
    login_as("service")
    boss = make_user(roles=("management",), name="Diana Gerente")
    incident_id = opened_incident(http.post(f"/crisis/clientes/{client_row.id}"))
    http.post(f"/crisis/{incident_id}/supervisor", data={"supervisor": boss.id})
    b = _signed_in(app, login_as, boss)
    assert b.post(f"/crisis/{incident_id}/intervencion", data={"note": "Primera intervención."}).status_code == 303
    assert b.post(f"/crisis/{incident_id}/intervencion", data={"note": "Llamé de nuevo."}).status_code == 303
    note = CrisisIncident.get_by_id(incident_id).reveal("supervisor_note")
    assert "Primera intervención." in note and "Llamé de nuevo." in note


def test_a_closed_incident_refuses_every_write_even_from_a_stale_copy(app, http, login_as, make_user, client_row,
                                                                      mailbox):
    me = login_as("management")
    boss = make_user(roles=("quality",), name="Elena Calidad")
    other = make_user(roles=("service",), name="Fabio Servicio")
    incident_id = opened_incident(http.post(f"/crisis/clientes/{client_row.id}"))
    http.post(f"/crisis/{incident_id}/registro", data={"behaviour": "Gritó en recepción."})
    http.post(f"/crisis/{incident_id}/supervisor", data={"supervisor": boss.id})
    stale = CrisisIncident.get_by_id(incident_id)  # read before the close, as a concurrent request would
    assert http.post(f"/crisis/{incident_id}/cerrar", data={
        "outcome": "Se calmó y se fue.", "reason": "Se fue antes de completar el protocolo."}).status_code == 303
    with app.test_request_context():
        attempts = [
            lambda: crisis.save_record(stale, crisis.Record("Otra versión", [], "", True), me),
            lambda: crisis.escalate(stale, other, me),
            lambda: crisis.record_intervention(stale, "Después del cierre", me),
            lambda: crisis.tick_step(stale, 8, me),
        ]
        for attempt in attempts:
            with pytest.raises(crisis.CrisisError, match="closed|cerrado"):
                attempt()
    after = CrisisIncident.get_by_id(incident_id)
    assert after.reveal("behaviour") == "Gritó en recepción." and not after.security_called
    assert after.supervisor_id == boss.id and after.reveal("supervisor_note") == "" and after.supervisor_at is None
    assert 8 not in CrisisStep.of_incident(incident_id)
    # Through the pages too: the management user may record an intervention, but not on a closed incident.
    response = http.post(f"/crisis/{incident_id}/intervencion", data={"note": "Después del cierre"})
    assert response.status_code == 422
    assert CrisisIncident.get_by_id(incident_id).supervisor_at is None
    assert len(mailbox.to(other.email)) == 0

"""Telling the client the outcome of a complaint: changing the actions after the client was told asks to tell
them again before closing, and a moment of informing before the resolution (or before the complaint arrived)
is refused."""

from datetime import timedelta

import pytest

from core.db import utcnow
from models.complaints import Complaint
from services import complaints as service


def _resolved(app, open_one, me, client):
    complaint = open_one(me, client=client, received_at=utcnow() - timedelta(hours=5))
    with app.test_request_context():
        service.change_status(complaint, "analysis", me)
        service.save_analysis(complaint, "Falta de seguimiento.", "Se llamó al cliente.", me)
        service.change_status(complaint, "resolved", me)
    return Complaint.get_by_id(complaint.id)


def test_changing_the_actions_after_informing_the_client_asks_to_inform_again(app, http, login_as, open_one,
                                                                               client_row, frozen):
    me = login_as("service")
    complaint = _resolved(app, open_one, me, client_row)
    with app.test_request_context():
        service.record_informed(complaint, utcnow(), "phone", "agreed", me)
        service.save_analysis(complaint, "Falta de seguimiento.", "Se llamó al cliente.", me)  # unchanged: kept
    complaint = Complaint.get_by_id(complaint.id)
    assert complaint.informed_at is not None and complaint.informed_channel == "phone"
    response = http.post(f"/quejas/{complaint.id}/analisis", data={
        "root_cause": "Falta de seguimiento.", "actions_taken": "Se llamó al cliente y se devolvió el pago."})
    assert response.status_code == 303
    complaint = Complaint.get_by_id(complaint.id)
    assert (complaint.informed_at, complaint.informed_channel, complaint.client_agreement) == (None, "", "")
    http.post(f"/quejas/{complaint.id}/estado", data={"to": "closed"})
    assert Complaint.get_by_id(complaint.id).status == "resolved"  # cannot close until told of the new actions


def test_informed_before_the_resolution_is_refused(app, http, login_as, open_one, client_row, frozen):
    me = login_as("service")
    complaint = _resolved(app, open_one, me, client_row)  # resolved now, 10:00
    response = http.post(f"/quejas/{complaint.id}/cliente-informado", data={
        "informed_on": "2026-11-20", "informed_time": "09:00", "informed_channel": "phone", "client_agreement": "agreed"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="informed_on-error"' in html
    with app.test_request_context():
        with pytest.raises(service.ComplaintError):
            service.record_informed(complaint, utcnow() - timedelta(hours=1), "phone", "agreed", me)
        with pytest.raises(service.ComplaintError):  # nor before it arrived, whatever the state
            service.record_informed(complaint, complaint.received_at - timedelta(hours=1), "phone", "agreed", me)
    assert Complaint.get_by_id(complaint.id).informed_at is None
    assert http.post(f"/quejas/{complaint.id}/cliente-informado", data={
        "informed_on": "2026-11-20", "informed_time": "10:00", "informed_channel": "phone",
        "client_agreement": "agreed"}).status_code == 303

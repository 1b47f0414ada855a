"""Complaints in the work queue: one past its response due date counts as overdue before its resolution is
due, and the rows come by the due date that applies now (response while received, resolution after)."""

from datetime import datetime

import pytest
import time_machine

from core.db import utcnow
from services import complaints as service
from services.home import work
from tests.complaints.conftest import local

NOW = datetime.fromisoformat("2026-11-20T10:00:00-05:00")  # Friday, 10:00 in Bogotá


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=True):
        yield


def test_work_queue_counts_a_received_complaint_past_its_response_due_as_overdue(app, http, login_as, open_one, frozen):
    me = login_as("service")
    late_answer = open_one(me, received_at=local(2026, 11, 16, 9))  # response due Tue 17, resolution Mon 23
    assert late_answer.response_due_at < utcnow() < late_answer.due_at
    with app.test_request_context():
        (section,) = work.queue_for(me, NOW.date(), only="complaints")
    assert (section.count, section.overdue) == (1, 1)
    html = http.get("/mi-trabajo?ver=complaints").get_data(as_text=True)
    item = html[html.index(late_answer.number) - 400:html.index(late_answer.number) + 800]
    assert "is-overdue" in item and "Respuesta vencida" in item


def test_work_queue_lists_the_soonest_current_due_first(app, login_as, open_one, frozen):
    me = login_as("service")
    in_analysis = open_one(me, received_at=local(2026, 11, 19, 9), severity="low")  # resolution due 3 Dec
    with app.test_request_context():
        service.change_status(in_analysis, "analysis", me)
    received = open_one(me, received_at=local(2026, 11, 20, 9), severity="low")  # response due Tue 24, resolution 4 Dec
    assert received.response_due_at < in_analysis.due_at < received.due_at
    with app.test_request_context():
        (section,) = work.queue_for(me, NOW.date(), only="complaints")
    assert [r.id for r in section.rows] == [received.id, in_analysis.id]

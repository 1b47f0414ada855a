"""The follow-up after the case ("Seguimiento post-caso"): closing a case schedules contacts at the configured
months for its responsible, listed in Mi trabajo; each outcome is recorded (a note when the client was reached,
a new need leading to the client's quotations, no answer), audited, and the task leaves the queue."""

from datetime import timedelta

import pytest

from models.audit import AuditEvent
from models.tasks import Task
from services import loyalty
from services.home import work
from tests.factories import make_case

pytestmark = pytest.mark.usefixtures("clock")


def _closed(app, me, firm_today):
    with app.test_request_context():
        case = make_case(responsible=me, today=firm_today)
        loyalty.schedule_follow_ups(case, me, firm_today)
    return case


def test_contacts_scheduled_at_the_configured_months(app, make_user, firm_today):
    me = make_user(roles=("operations",))
    case = _closed(app, me, firm_today)
    tasks = list(Task.select().where(Task.case == case.id, Task.kind == "post_case").order_by(Task.due_on))
    assert [t.due_on for t in tasks] == [loyalty._months_after(firm_today, 3), loyalty._months_after(firm_today, 12)]
    assert all(t.owner_id == me.id and t.client_id == case.client_id for t in tasks)
    assert tasks[0].title.startswith("Contacto post-servicio (3 meses)")
    app.config["POST_CASE_FOLLOW_UP_MONTHS"] = (6,)
    try:
        other = _closed(app, me, firm_today)
    finally:
        app.config["POST_CASE_FOLLOW_UP_MONTHS"] = (3, 12)
    assert [t.due_on for t in Task.select().where(Task.case == other.id)] == [loyalty._months_after(firm_today, 6)]


def test_outcomes_recorded_from_my_work(app, http, login_as, firm_today):
    me = login_as("operations")
    case = _closed(app, me, firm_today - timedelta(days=95))  # closed 95 days ago: the 3-month contact is due
    first, later = Task.select().where(Task.case == case.id).order_by(Task.due_on)
    assert first.due_on <= firm_today < later.due_on
    page = http.get("/mi-trabajo").get_data(as_text=True)
    assert f"/fidelizacion/seguimientos/{first.id}" in page and "Nueva necesidad" in page
    bad = http.post(f"/fidelizacion/seguimientos/{first.id}", data={"outcome": "contacted", "note": ""})
    assert bad.status_code == 422 and "Anota lo que dijo el cliente." in bad.get_data(as_text=True)
    assert Task.get_by_id(first.id).done_at is None
    wrong = http.post(f"/fidelizacion/seguimientos/{first.id}", data={"outcome": "maybe", "note": "x"})
    assert wrong.status_code == 422 and Task.get_by_id(first.id).done_at is None
    need = http.post(f"/fidelizacion/seguimientos/{first.id}",
                     data={"outcome": "new_need", "note": "Quiere revisar los contratos de sus nuevos empleados."})
    assert need.status_code == 303 and need.headers["Location"] == f"/comercial/clientes/{case.client_id}"
    done = Task.get_by_id(first.id)
    assert (done.outcome, done.done_by_id) == ("new_need", me.id) and done.done_at is not None
    assert AuditEvent.select().where(AuditEvent.action == "follow_up_outcome").count() == 1
    assert http.post(f"/fidelizacion/seguimientos/{first.id}", data={"outcome": "no_answer"}).status_code == 303
    assert Task.get_by_id(first.id).outcome == "new_need"  # recorded once
    quiet = http.post(f"/fidelizacion/seguimientos/{later.id}", data={"outcome": "no_answer", "note": ""})
    assert quiet.status_code == 303 and Task.get_by_id(later.id).outcome == "no_answer"
    with app.test_request_context():
        assert [s.count for s in work.queue_for(me, firm_today) if s.key == "tasks"] == [0]


def test_someone_elses_follow_up_is_not_found(app, http, login_as, make_user, firm_today):
    login_as("operations")
    other = make_user(roles=("operations",))
    case = _closed(app, other, firm_today)
    task = Task.select().where(Task.case == case.id).first()
    assert http.post(f"/fidelizacion/seguimientos/{task.id}", data={"outcome": "no_answer"}).status_code == 404
    assert Task.get_by_id(task.id).done_at is None

"""Interventions recorded when they happened (issue 11): a visit that already took place is recorded as done
("Realizada") with its real date instead of being refused ("Esa hora ya pasó hoy"), and one that has not
started yet cannot be marked done unless its date and time are corrected, with the message beside the field.
The clock is the firm's (Bogotá), frozen: 23:01 on a Tuesday, so "today" is the firm's and not the machine's."""

from datetime import datetime, timedelta

import pytest
import time_machine

from core.i18n import today_local
from models.audit import AuditEvent
from models.cases import Intervention
from tests.factories import make_case

NOW = datetime.fromisoformat("2026-03-10T23:01:00-05:00")  # Tuesday 23:01 in Bogotá = Wednesday 04:01 UTC


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def case(app, login_as, frozen):
    me = login_as("operations")
    with app.test_request_context():
        return make_case(responsible=me)


def _plan(http, case, **data):
    form = {"purpose": "Visita a la empresa", "day": "2026-03-10", "time": "09:00", "duration_minutes": "60",
            "assigned": str(case.responsible_id), "place": "", "work_done": ""}
    form.update(data)
    return http.post(f"/casos/{case.id}/intervenciones", data=form)


def test_a_visit_that_already_took_place_is_recorded_as_done_on_its_date(http, case):
    response = _plan(http, case, day="2026-03-09", time="15:00", duration_minutes="90",
                     work_done="Reunión con recursos humanos; se revisaron los desprendibles.")
    assert response.status_code == 303
    visit = Intervention.get()
    assert visit.status == "done" and visit.work_done.startswith("Reunión con recursos humanos")
    assert visit.starts_at == datetime(2026, 3, 9, 20, 0)  # 15:00 in Bogotá, its real date
    assert visit.done_at == datetime(2026, 3, 9, 21, 30)  # when it ended, not when it was typed in
    assert AuditEvent.select().where(AuditEvent.action == "intervention_done",
                                     AuditEvent.object_id == str(visit.id)).exists()
    page = http.get(f"/casos/{case.id}/intervenciones").get_data(as_text=True)
    assert "Realizada" in page and "Reunión con recursos humanos" in page


def test_earlier_today_without_what_was_done_asks_for_it_beside_the_field(http, case):
    response = _plan(http, case, day="2026-03-10", time="22:30")
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and not Intervention.select().exists()
    assert 'id="work_done-error"' in body and "Ya se realizó: describe lo que se hizo para registrarla." in body
    assert "Esa hora ya pasó hoy" not in body and "Planifícala para hoy" not in body
    assert _plan(http, case, day="2026-03-10", time="22:30", work_done="Llamada de seguimiento.").status_code == 303
    assert Intervention.get().status == "done"


def test_a_visit_still_to_come_is_planned_and_what_was_done_is_refused(http, case):
    early = _plan(http, case, day="2026-03-10", time="23:45", work_done="Aún no ha pasado.")
    assert early.status_code == 422 and 'id="work_done-error"' in early.get_data(as_text=True)
    assert _plan(http, case, day="2026-03-10", time="23:45").status_code == 303
    assert Intervention.get().status == "planned"


def test_planned_for_23_45_cannot_be_marked_done_at_23_01_unless_its_time_is_corrected(http, case):
    assert _plan(http, case, day="2026-03-10", time="23:45", duration_minutes="30").status_code == 303
    visit = Intervention.get()
    form = http.get(f"/casos/intervenciones/{visit.id}").get_data(as_text=True)
    assert 'name="day" required type="date" value="2026-03-10"' in form and 'type="time" value="23:45"' in form
    assert "Aún no ha empezado" in form  # said before anyone types

    as_planned = http.post(f"/casos/intervenciones/{visit.id}", data={"work_done": "Visita hecha."})
    body = as_planned.get_data(as_text=True)
    assert as_planned.status_code == 422 and 'id="time-error"' in body
    assert "Esa hora aún no ha llegado" in body
    assert Intervention.get_by_id(visit.id).status == "planned"

    tomorrow = http.post(f"/casos/intervenciones/{visit.id}", data={"day": "2026-03-11", "time": "08:00",
                                                                   "work_done": "Visita hecha."})
    assert tomorrow.status_code == 422 and 'id="day-error"' in tomorrow.get_data(as_text=True)

    corrected = http.post(f"/casos/intervenciones/{visit.id}", data={"day": "2026-03-10", "time": "22:40",
                                                                    "work_done": "Visita hecha antes de lo previsto."})
    assert corrected.status_code == 303
    done = Intervention.get_by_id(visit.id)
    assert done.status == "done" and done.starts_at == datetime(2026, 3, 11, 3, 40)  # 22:40 in Bogotá
    assert done.done_at == datetime(2026, 3, 11, 4, 1)  # now: its 30 minutes would end after now
    event = AuditEvent.select().where(AuditEvent.action == "intervention_done").get()
    assert "starts_at" in event.fields


def test_a_planned_visit_whose_time_has_come_is_recorded_as_planned(http, case, frozen):
    assert _plan(http, case, day="2026-03-10", time="23:05", duration_minutes="30").status_code == 303
    visit = Intervention.get()
    frozen.move_to(NOW + timedelta(minutes=10))  # 23:11: it started six minutes ago
    assert http.post(f"/casos/intervenciones/{visit.id}", data={"work_done": "Visita hecha."}).status_code == 303
    done = Intervention.get_by_id(visit.id)
    assert (done.status, done.starts_at) == ("done", visit.starts_at)
    assert done.done_at == datetime(2026, 3, 11, 4, 11)  # now, before its planned end (23:35)


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "2026-02-30", "ayer"])
def test_impossible_dates_are_said_beside_the_field(http, case, day):
    response = _plan(http, case, day=day, work_done="Visita.")
    assert response.status_code == 422 and 'id="day-error"' in response.get_data(as_text=True)
    assert not Intervention.select().exists()


def _case(app, **kw):
    with app.test_request_context():
        return make_case(**kw)


@pytest.mark.usefixtures("clock")  # the firm's today at an awkward hour, not the frozen 23:01
def test_intervention_earlier_today_needs_what_was_done(app, http, login_as):
    me = login_as("operations")
    case = _case(app, responsible=me)
    with app.test_request_context():
        firm_today = today_local()
    response = http.post(f"/casos/{case.id}/intervenciones", data={
        "purpose": "Visita", "day": firm_today.isoformat(), "time": "00:00", "duration_minutes": 30, "assigned": me.id})
    assert response.status_code == 422 and not Intervention.select().exists()  # done earlier today: what was done is needed

"""Legal deadlines, business days and the holiday calendar, and the per-person ICS feed (issue 5; the
legal-advice guide's "Gestión de plazos legales")."""

import re
from datetime import date, datetime, timedelta

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar
from playhouse.test_utils import count_queries

from core import ics
from core.crypto import token_hash
from core.db import transaction
from models.audit import AuditEvent
from models.cases import Case, Intervention
from models.documents import CalendarFeed, Deadline, Holiday
from services.documents import calendar
from tests.conftest import AWKWARD_HOUR
from tests.factories import make_case

# Friday 20 November 2026, 10:00 in Bogotá: 8 December (Tuesday) is La Inmaculada Concepción.
NOW = datetime.fromisoformat("2026-11-20T10:00:00-05:00")


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def co_2026(app):
    with app.app_context(), transaction():
        calendar.load_holidays("CO", 2026)
        calendar.load_holidays("CO", 2027)


def _case(app, responsible, **kw):
    with app.test_request_context():
        return make_case(responsible=responsible, **kw)


def _form(who, **overrides):
    data = {"description": "Contestar la demanda", "kind": "procedural", "due_on": "2026-12-10", "due_time": "17:00",
            "alert_days": "7,1", "responsible": str(who.id)}
    data.update(overrides)
    return data


def _audits(action):
    return list(AuditEvent.select().where(AuditEvent.action == action))


# ----- business days -----

def test_business_days_colombia_2026(app, co_2026):
    with app.app_context():
        assert calendar.holiday_name(date(2026, 12, 8), "CO") == "La Inmaculada Concepción"
        assert not calendar.is_business_day(date(2026, 12, 8), "CO")  # Tuesday, holiday
        assert not calendar.is_business_day(date(2026, 12, 12), "CO")  # Saturday
        assert not calendar.is_business_day(date(2026, 12, 13), "CO")  # Sunday
        assert calendar.is_business_day(date(2026, 12, 9), "CO")
        assert calendar.next_business_day(date(2026, 12, 8), "CO") == date(2026, 12, 9)
        assert calendar.next_business_day(date(2026, 12, 11), "CO") == date(2026, 12, 14)  # Friday → Monday
        # Friday 4 Dec + 3 business days: Mon 7, (Tue 8 holiday), Wed 9, Thu 10.
        assert calendar.add_business_days(date(2026, 12, 4), 3, "CO") == date(2026, 12, 10)
        # Across Christmas and the New Year: Thu 24 Dec + 2 → (Fri 25 holiday, weekend) Mon 28, Tue 29.
        assert calendar.add_business_days(date(2026, 12, 24), 2, "CO") == date(2026, 12, 29)
        assert calendar.add_business_days(date(2026, 12, 31), 1, "CO") == date(2027, 1, 4)  # 1 Jan holiday, weekend
        assert calendar.add_business_days(date(2026, 12, 10), -3, "CO") == date(2026, 12, 4)
        assert calendar.add_business_days(date(2026, 12, 8), 0, "CO") == date(2026, 12, 9)  # rolled forward
        assert calendar.add_business_days(date(2026, 12, 9), 0, "CO") == date(2026, 12, 9)
        assert calendar.business_days_between(date(2026, 12, 4), date(2026, 12, 10), "CO") == 3
        assert calendar.holiday_name(date(2026, 12, 8), "ES") is None  # Spain's calendar is not loaded


def test_business_day_arithmetic_reads_holidays_once_per_range(app, co_2026):
    with app.app_context():
        with count_queries() as counted:
            calendar.add_business_days(date(2026, 1, 2), 60, "CO")
        assert counted.count == 1
        with count_queries() as counted:
            calendar.business_days_between(date(2026, 1, 1), date(2026, 12, 31), "CO")
        assert counted.count == 1


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31)), n=st.integers(min_value=1, max_value=60))
def test_add_business_days_properties(app, co_2026, start, n):
    with app.app_context():
        due = calendar.add_business_days(start, n, "CO")
        assert due > start
        assert calendar.is_business_day(due, "CO")
        assert calendar.business_days_between(start, due, "CO") == n  # exactly n business days counted
        assert calendar.add_business_days(due, -n, "CO") <= start  # and back again (start may be a day off)
        assert calendar.add_business_days(start, n + 1, "CO") == calendar.next_business_day(due, "CO")


def test_load_holidays_is_idempotent_and_keeps_hand_made_names(app):
    with app.app_context():
        with transaction():
            Holiday.create(day=date(2026, 12, 8), region="CO", name="Inmaculada (a mano)")
            first = calendar.load_holidays("CO", 2026)
        with transaction():
            again = calendar.load_holidays("CO", 2026)
        assert first == 18 and again == 0
        assert Holiday.of_year("CO", 2026).count() == 19
        assert Holiday.get(Holiday.day == date(2026, 12, 8)).name == "Inmaculada (a mano)"
        with transaction():
            assert calendar.load_holidays("ES", 2026) == 8  # Spain's national holidays, a calendar of its own
        assert Holiday.of_year("CO", 2026).count() == 19
        assert "Navidad" in set(Holiday.days("CO", date(2026, 12, 25), date(2026, 12, 25)).values())


# ----- the holidays page (admin) -----

def test_holidays_page_load_add_delete_audited(app, http, login_as):
    login_as("admin")
    assert http.get("/documentos/festivos?anio=2026&region=CO").status_code == 200
    response = http.post("/documentos/festivos/cargar", data={"region": "CO", "year": "2026"})
    assert response.status_code == 303 and Holiday.of_year("CO", 2026).count() == 19
    page = http.get(response.headers["Location"]).get_data(as_text=True)
    assert "La Inmaculada Concepción" in page and "19" in page
    http.post("/documentos/festivos/cargar", data={"region": "CO", "year": "2026"})
    assert Holiday.of_year("CO", 2026).count() == 19
    assert [e.detail for e in _audits("holidays_load")] == ["added=19", "added=0"]

    bad = http.post("/documentos/festivos", data={"region": "CO", "day": "2026-12-08", "name": "Otra"})
    assert bad.status_code == 422 and "La Inmaculada Concepción" in bad.get_data(as_text=True)
    assert http.post("/documentos/festivos", data={"region": "CO", "day": "", "name": ""}).status_code == 422
    assert http.post("/documentos/festivos", data={"region": "XX", "day": "2026-12-24", "name": "Nochebuena"}).status_code == 422
    ok = http.post("/documentos/festivos", data={"region": "CO", "day": "2026-12-24", "name": "Cierre de juzgados"})
    assert ok.status_code == 303
    added = Holiday.get(Holiday.day == date(2026, 12, 24))
    assert added.name == "Cierre de juzgados" and len(_audits("holiday_add")) == 1
    assert http.post(f"/documentos/festivos/{added.id}/eliminar").status_code == 303
    assert Holiday.get_or_none(Holiday.id == added.id) is None and len(_audits("holiday_delete")) == 1
    assert http.post("/documentos/festivos/cargar", data={"region": "CO", "year": "1900"}).status_code == 422


def test_holidays_are_admin_only(app, http, login_as):
    login_as("operations")
    assert http.get("/documentos/festivos").status_code == 403
    assert http.post("/documentos/festivos/cargar", data={"region": "CO", "year": "2026"}).status_code == 403
    assert Holiday.select().count() == 0


# ----- deadlines on a case -----

def test_deadline_on_a_holiday_offers_the_next_business_day(app, http, login_as, co_2026, frozen):
    me = login_as("operations")
    case = _case(app, me)
    url = f"/documentos/casos/{case.id}/plazos"
    refused = http.post(url, data=_form(me, due_on="2026-12-08"))
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422 and Deadline.select().count() == 0
    assert "La Inmaculada Concepción" in body  # the holiday named beside the field
    assert 'name="use_day" value="2026-12-09"' in body  # the next business day offered
    accepted = http.post(url, data=_form(me, due_on="2026-12-08", use_day="2026-12-09"))
    assert accepted.status_code == 303, accepted.get_data(as_text=True)[-6000:]
    deadline = Deadline.get()
    assert deadline.due_at == datetime(2026, 12, 9, 22, 0)  # 17:00 in Bogotá, stored UTC
    assert deadline.alert_from == date(2026, 12, 2) and deadline.offsets == [7, 1]
    assert deadline.responsible_id == me.id and deadline.status == "open"
    (event,) = _audits("deadline_add")
    assert event.object_id == str(deadline.id) and "description" not in event.detail


def test_deadline_on_a_weekend_past_or_with_bad_alerts_is_refused(app, http, login_as, co_2026, frozen):
    me = login_as("operations")
    case = _case(app, me)
    url = f"/documentos/casos/{case.id}/plazos"
    weekend = http.post(url, data=_form(me, due_on="2026-12-12"))
    assert weekend.status_code == 422 and 'name="use_day" value="2026-12-14"' in weekend.get_data(as_text=True)
    assert http.post(url, data=_form(me, due_on="2026-11-19")).status_code == 422  # yesterday
    assert http.post(url, data=_form(me, due_on="2026-11-20", due_time="09:00")).status_code == 422  # an hour ago
    for alerts in ("7;1", "siete", "100", "-1", "7,,1"):
        response = http.post(url, data=_form(me, alert_days=alerts))
        assert response.status_code == 422, alerts
    assert http.post(url, data=_form(me, due_on="", description="")).status_code == 422
    assert Deadline.select().count() == 0
    assert http.post(url, data=_form(me, alert_days="")).status_code == 303  # empty: alert on the day itself
    assert Deadline.get().offsets == [0]


def test_count_business_days_shows_the_date_then_stores_it(app, http, login_as, co_2026, frozen):
    me = login_as("operations")
    case = _case(app, me)
    url = f"/documentos/casos/{case.id}/plazos"
    shown = http.post(url, data=_form(me, due_on="", description="", count_days="3", count_from="2026-12-04", compute="1"))
    body = shown.get_data(as_text=True)
    assert shown.status_code == 200 and Deadline.select().count() == 0
    assert 'value="2026-12-10"' in body  # Friday + 3 business days, skipping the 8th
    assert http.post(url, data=_form(me, due_on="", count_days="3")).status_code == 422  # from which date?
    # A count out of range, or one that runs past the calendar, is refused beside its field (the form fuzz).
    for days, start, field in (("-1031477", "2026-12-04", "count_days"), ("400", "2026-12-04", "count_days"),
                               ("365", "9999-12-20", "count_from")):
        refused = http.post(url, data=_form(me, due_on="", count_days=days, count_from=start, compute="1"))
        assert refused.status_code == 422 and f'id="{field}-error"' in refused.get_data(as_text=True), days
    assert http.post(url, data=_form(me, due_on="", count_days="3", count_from="2026-12-04")).status_code == 303
    assert Deadline.get().due_at.date() == date(2026, 12, 10)


def test_status_done_missed_reopen_audited(app, http, login_as, co_2026, frozen):
    me = login_as("operations")
    case = _case(app, me)
    http.post(f"/documentos/casos/{case.id}/plazos", data=_form(me))
    deadline = Deadline.get()
    url = f"/documentos/plazos/{deadline.id}/estado"
    assert http.post(url, data={"status": "missed"}).status_code == 303
    assert Deadline.get_by_id(deadline.id).status == "open"  # not due yet: it cannot be missed
    http.post(url, data={"status": "done"})
    done = Deadline.get_by_id(deadline.id)
    assert done.status == "done" and done.done_by_id == me.id and done.done_at is not None
    http.post(url, data={"status": "open"})
    assert Deadline.get_by_id(deadline.id).status == "open" and Deadline.get_by_id(deadline.id).done_at is None
    Deadline.update(due_at=datetime(2026, 11, 19, 22, 0)).where(Deadline.id == deadline.id).execute()
    http.post(url, data={"status": "missed"})
    assert Deadline.get_by_id(deadline.id).status == "missed"
    assert [e.detail for e in _audits("deadline_status")] == ["open→done", "done→open", "open→missed"]
    assert http.post(url, data={"status": "bogus"}).status_code == 303 and len(_audits("deadline_status")) == 3
    tab = http.get(f"/documentos/casos/{case.id}/plazos").get_data(as_text=True)
    row = tab.split(f'id="deadline-{deadline.id}"')[1].split("</tr>")[0]
    assert row.count(f'action="{url}"') == row.count(f'hx-post="{url}"') == 1  # a missed one can be reopened
    assert 'name="csrf_token"' in row and 'value="open"' in row


def test_closed_case_takes_no_new_deadlines(app, http, login_as, co_2026, frozen):
    me = login_as("operations")
    case = _case(app, me)
    Case.update(status="closed").where(Case.id == case.id).execute()
    response = http.post(f"/documentos/casos/{case.id}/plazos", data=_form(me))
    assert response.status_code == 422 and Deadline.select().count() == 0
    page = http.get(f"/documentos/casos/{case.id}/plazos").get_data(as_text=True)
    assert 'name="description"' not in page  # no form offered


def test_a3_staff_off_the_team_cannot_add_deadlines(app, http, login_as, make_user, co_2026, frozen):
    me = login_as("operations")
    other = make_user(roles=("operations",))
    case = _case(app, other)
    assert http.get(f"/documentos/casos/{case.id}/plazos").status_code == 200  # deadlines are not confidential
    assert http.post(f"/documentos/casos/{case.id}/plazos", data=_form(me)).status_code == 404
    with app.app_context():
        deadline = Deadline.create(case=case, description="Recurso", due_at=datetime(2026, 12, 10, 22), responsible=other,
                                   alert_from=date(2026, 12, 3))
    assert http.post(f"/documentos/plazos/{deadline.id}/estado", data={"status": "done"}).status_code == 404
    assert Deadline.select().count() == 1 and Deadline.get().status == "open"
    assert len(_audits("authz_fail")) == 2


def test_deadlines_page_partial_and_forbidden_roles(app, http, login_as, co_2026, frozen):
    me = login_as("operations")
    case = _case(app, me)
    http.post(f"/documentos/casos/{case.id}/plazos", data=_form(me))
    page = http.get(f"/documentos/casos/{case.id}/plazos")
    assert page.status_code == 200 and "<html" in page.get_data(as_text=True)
    assert "Contestar la demanda" in page.get_data(as_text=True)
    partial = http.get(f"/documentos/casos/{case.id}/plazos", headers={"HX-Request": "true"})
    text = partial.get_data(as_text=True)
    assert partial.status_code == 200 and "<html" not in text and 'id="deadlines"' in text
    bad = http.post(f"/documentos/casos/{case.id}/plazos", data=_form(me, due_on="2026-12-08"), headers={"HX-Request": "true"})
    assert bad.status_code == 422 and "<html" not in bad.get_data(as_text=True)
    ok = http.post(f"/documentos/casos/{case.id}/plazos", data=_form(me, description="Alegatos"), headers={"HX-Request": "true"})
    assert ok.status_code == 200 and "Alegatos" in ok.get_data(as_text=True) and "HX-Trigger" in ok.headers
    assert 'value="7,1"' in ok.get_data(as_text=True) and 'id="description" maxlength="300" name="description" required type="text" value=""' in ok.get_data(as_text=True)
    assert http.get("/documentos/casos/999999/plazos").status_code == 404

    other = app.test_client()
    login_as("quality", client=other)
    assert other.get(f"/documentos/casos/{case.id}/plazos").status_code == 200
    assert other.post(f"/documentos/casos/{case.id}/plazos", data=_form(me, description="No")).status_code == 403
    admin = app.test_client()
    login_as("admin", client=admin)
    assert admin.get(f"/documentos/casos/{case.id}/plazos").status_code == 403
    assert Deadline.select().count() == 2


def test_days_left_counts_business_days(app, http, login_as, co_2026, frozen):
    me = login_as("operations")
    case = _case(app, me)
    http.post(f"/documentos/casos/{case.id}/plazos", data=_form(me, due_on="2026-12-10"))
    with app.test_request_context():
        # From Friday 20 November: 23-27 (5), 30 Nov-4 Dec (5), 7, 9, 10 Dec (3; the 8th is a holiday).
        assert calendar.business_days_between(date(2026, 11, 20), date(2026, 12, 10), "CO") == 13
    page = http.get(f"/documentos/casos/{case.id}/plazos").get_data(as_text=True)
    assert "13 business days left" in page or "13 días hábiles" in page


# ----- the calendar feed -----

def _feed_token(http):
    page = http.post("/documentos/calendario").get_data(as_text=True)
    import re

    return re.search(r"/documentos/calendario/([A-Za-z0-9_-]{43})\.ics", page).group(1)


def test_feed_lists_open_deadlines_and_planned_interventions(app, http, login_as, co_2026, frozen):
    me = login_as("operations")
    case = _case(app, me)
    http.post(f"/documentos/casos/{case.id}/plazos", data=_form(me))
    http.post(f"/documentos/casos/{case.id}/plazos", data=_form(me, description="Ya cumplido"))
    done = Deadline.get(Deadline.description == "Ya cumplido")
    Deadline.update(status="done").where(Deadline.id == done.id).execute()
    with app.app_context():
        visit = Intervention.create(case=case, starts_at=datetime(2026, 11, 25, 15, 0), assigned=me, purpose="Visita a la empresa")
        Intervention.create(case=case, starts_at=datetime(2026, 11, 26, 15, 0), assigned=me, status="done")
    token = _feed_token(http)
    anonymous = app.test_client()
    response = anonymous.get(f"/documentos/calendario/{token}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Robots-Tag"].startswith("noindex")
    assert response.headers["Referrer-Policy"] == "no-referrer"
    parsed = Calendar.from_ical(response.data)
    events = {str(e["UID"]): e for e in parsed.walk("VEVENT")}
    deadline = Deadline.get(Deadline.description == "Contestar la demanda")
    with app.app_context():
        deadline_uid, visit_uid = ics.uid(f"deadline-{deadline.id}"), ics.uid(f"intervention-{visit.id}")
    assert set(events) == {deadline_uid, visit_uid}
    event = events[deadline_uid]
    start = event.decoded("DTSTART")
    assert start.utcoffset() == timedelta(0) and start.replace(tzinfo=None) == datetime(2026, 12, 10, 22, 0)
    # The person's language (Spanish by default), whatever the calendar app sends.
    assert str(event["SUMMARY"]) in (f"Plazo: Contestar la demanda — {case.code}",
                                     f"Deadline: Contestar la demanda — {case.code}")  # before the lead's translation
    assert sorted(a.decoded("TRIGGER") for a in event.walk("VALARM")) == [timedelta(days=-7), timedelta(days=-1)]
    assert events[visit_uid].decoded("DTSTART").replace(tzinfo=None) == datetime(2026, 11, 25, 15, 0)
    text = response.get_data(as_text=True)
    assert "52123456" not in text  # no document number or other confidential data


def test_feed_token_is_stored_hashed_and_revocable(app, http, login_as, frozen):
    me = login_as("service")
    token = _feed_token(http)
    feed = CalendarFeed.get(CalendarFeed.user == me.id)
    assert feed.token_hash == token_hash(token) and token not in str(feed.__data__.values())
    assert not any(token in (e.detail + e.fields + e.object_id) for e in AuditEvent.select())
    anonymous = app.test_client()
    assert anonymous.get(f"/documentos/calendario/{token}.ics").status_code == 200
    newer = _feed_token(http)  # a new link revokes the old one
    assert anonymous.get(f"/documentos/calendario/{token}.ics").status_code == 404
    assert anonymous.get(f"/documentos/calendario/{newer}.ics").status_code == 200
    assert http.post("/documentos/calendario/revocar").status_code == 303
    assert anonymous.get(f"/documentos/calendario/{newer}.ics").status_code == 404
    assert anonymous.get("/documentos/calendario/" + "x" * 43 + ".ics").status_code == 404
    assert CalendarFeed.select().count() == 0
    assert len(_audits("calendar_feed_create")) == 2 and len(_audits("calendar_feed_revoke")) == 1


def test_feed_of_a_deactivated_user_is_gone(app, http, login_as):
    me = login_as("service")
    token = _feed_token(http)
    from models.users import User

    User.update(is_active=False).where(User.id == me.id).execute()
    assert app.test_client().get(f"/documentos/calendario/{token}.ics").status_code == 404


def test_feed_last_used_at_moves_at_most_hourly(app, http, login_as):
    login_as("service")
    token = _feed_token(http)
    anonymous = app.test_client()
    with time_machine.travel(AWKWARD_HOUR, tick=False) as traveller:  # any fixed instant: only its hours matter
        anonymous.get(f"/documentos/calendario/{token}.ics")
        first = CalendarFeed.get().last_used_at
        traveller.shift(timedelta(minutes=30))
        anonymous.get(f"/documentos/calendario/{token}.ics")
        assert CalendarFeed.get().last_used_at == first
        traveller.shift(timedelta(minutes=31))
        anonymous.get(f"/documentos/calendario/{token}.ics")
        assert CalendarFeed.get().last_used_at > first


def test_feed_create_partial_and_page(app, http, login_as):
    login_as("quality")
    page = http.post("/documentos/calendario")
    assert page.status_code == 200 and "<html" in page.get_data(as_text=True)
    partial = http.post("/documentos/calendario", headers={"HX-Request": "true"})
    text = partial.get_data(as_text=True)
    assert partial.status_code == 200 and "<html" not in text and 'id="work-calendar"' in text and ".ics" in text
    revoked = http.post("/documentos/calendario/revocar", headers={"HX-Request": "true"})
    assert revoked.status_code == 200 and ".ics" not in revoked.get_data(as_text=True)
    admin = app.test_client()
    login_as("admin", client=admin)
    assert admin.post("/documentos/calendario").status_code == 403


def test_r1_feed_is_rate_limited(make_app):
    app = make_app(RATELIMIT_ENABLED=True)
    client = app.test_client()
    codes = [client.get("/documentos/calendario/" + "y" * 43 + ".ics").status_code for _ in range(61)]
    assert codes[:60] == [404] * 60 and codes[60] == 429


def test_spanish_firm_uses_the_spanish_calendar(make_app):
    app = make_app(FIRM_REGION="ES")
    with app.app_context():
        with transaction():
            calendar.load_holidays("ES", 2026)
        assert calendar.firm_region() == "ES"
        assert calendar.holiday_name(date(2026, 10, 12)) == "Fiesta Nacional de España"
        assert calendar.is_business_day(date(2026, 11, 16))  # a Colombian holiday, not a Spanish one
        assert calendar.next_business_day(date(2026, 12, 8)) == date(2026, 12, 9)


def test_responsible_picker_offers_the_team_and_takes_anyone_who_works_cases(app, http, login_as, make_user,
                                                                             co_2026, frozen):
    me = login_as("operations")
    teammate = make_user(roles=("operations",), name="Tomás Equipo")
    outsider = make_user(roles=("service",), name="Íñigo Lejano")
    admin = make_user(roles=("admin",), name="Íñigo Administra")
    case = _case(app, me, team=[teammate])
    url = f"/documentos/casos/{case.id}/plazos"
    body = http.get(url).get_data(as_text=True)
    select = re.search(r'<select[^>]*id="responsible".*?</select>', body, re.S).group(0)
    assert {int(v) for v in re.findall(r'value="(\d+)"', select)} == {me.id, teammate.id}
    assert '<optgroup label="Encontradas con la búsqueda"></optgroup>' in select
    assert 'hx-target="#responsible optgroup:last-of-type"' in body
    found = http.get("/casos/personal", query_string={"persona": "IÑIGO", "campo": "responsible"})
    assert f'value="{outsider.id}"' in found.get_data(as_text=True)
    assert "Administra" not in found.get_data(as_text=True)
    for someone in (admin, type("Typed", (), {"id": 10**30})(), type("Typed", (), {"id": -1})()):
        refused = http.post(url, data=_form(someone))
        assert refused.status_code == 422 and 'id="responsible-error"' in refused.get_data(as_text=True)
    assert Deadline.select().count() == 0
    assert http.post(url, data=_form(outsider)).status_code == 303
    assert Deadline.get().responsible_id == outsider.id


def test_alert_words_are_said_in_each_readers_language_whichever_said_them_first(app):
    from services.documents.labels import alert_text

    for first, second in (("es", "en"), ("en", "es")):
        said = {}
        for language in (first, second):
            with app.test_request_context(headers={"Accept-Language": language}):
                said[language] = [alert_text([7, 1, 0]), alert_text([1]), alert_text([0]), alert_text([])]
        assert said["es"] == ["7 y 1 días antes, el mismo día", "1 día antes", "el mismo día", ""]
        assert said["en"] == ["7 and 1 days before, on the day", "1 day before", "on the day", ""]

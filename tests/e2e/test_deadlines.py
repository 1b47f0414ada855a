"""Deadlines in Chromium: add one on a case's Plazos tab, find it in "Mi trabajo", subscribe to the
calendar feed and read it back with icalendar (issue 5)."""

import re
import urllib.request
from datetime import timedelta

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from core.db import transaction
from core.i18n import today_local
from models.documents import Deadline
from models.tasks import Task
from services.documents import calendar
from tests.e2e.conftest import shoot
from tests.e2e.test_journeys import _no_csp_violations, _sign_in
from tests.factories import make_case, make_user

pytestmark = pytest.mark.e2e


def _top(pg):
    pg.keyboard.press("Home")  # full-page shots of a scrolled page would show the sticky top bar mid-page
    pg.locator("h1").first.scroll_into_view_if_needed()


def test_deadline_to_work_queue_to_calendar_feed(app, page):
    pg = page
    with app.test_request_context():
        today = today_local()
        with transaction():
            for year in (today.year, today.year + 1):
                calendar.load_holidays("CO", year)
        me = make_user(roles=("operations",), name="Laura Gómez", email="laura@duarte.test")
        case = make_case(responsible=me, title="Demanda por despido sin justa causa")
        due = calendar.add_business_days(today, 3, "CO")
        Task.create(title="Llamar al cliente para confirmar la audiencia", due_on=today - timedelta(days=2), owner=me,
                    client=case.client_id, case=case)

    pg.goto(f"{pg.base}/documentos/casos/{case.id}/plazos")
    _sign_in(pg, me)
    pg.wait_for_url(f"**/documentos/casos/{case.id}/plazos")
    expect(pg.locator(".case-tabs a[aria-current=page]")).to_have_attribute("href", f"/documentos/casos/{case.id}/plazos")

    # A holiday or weekend first: refused beside the field, with the next business day offered.
    with app.app_context():
        day_off = next(today + timedelta(days=i) for i in range(1, 15)
                       if not calendar.is_business_day(today + timedelta(days=i), "CO"))
        offered = calendar.next_business_day(day_off, "CO")
    pg.locator("#description").fill("Contestar la demanda")
    pg.locator("#due_on").fill(day_off.isoformat())
    pg.locator("#deadline-form .actions button").click()
    expect(pg.locator("#due_on-error")).to_be_visible()
    expect(pg.locator("[data-testid=use-next-business-day]")).to_have_attribute("value", offered.isoformat())
    assert Deadline.select().count() == 0

    # Count 3 business days from today instead: the date is computed and shown, then stored.
    pg.locator("#due_on").fill("")
    pg.locator("#count_days").fill("3")
    pg.locator("#count_from").fill(today.isoformat())
    pg.locator("button[name=compute]").click()
    expect(pg.locator("#due_on")).to_have_value(due.isoformat())
    assert Deadline.select().count() == 0
    pg.locator("#deadline-form .actions button").click()
    expect(pg.locator("#deadlines table")).to_contain_text("Contestar la demanda")
    deadline = Deadline.get()
    assert deadline.responsible_id == me.id and deadline.alert_days == "7,1"
    _top(pg)
    shoot(pg, "deadlines-tab")
    shoot(pg, "deadlines-tab", 360)
    pg.set_viewport_size({"width": 1280, "height": 860})

    pg.locator("nav.mainnav a[href='/mi-trabajo']").click()
    pg.wait_for_url("**/mi-trabajo")
    item = pg.locator("#work-deadlines .work-item").first
    expect(item).to_contain_text("Contestar la demanda")
    expect(pg.locator("#work-tasks .work-item.is-overdue")).to_contain_text("confirmar la audiencia")
    # Overdue first: the follow-up section (overdue) comes before the deadline (not yet due).
    assert pg.locator(".work-section").first.get_attribute("id") == "work-tasks"
    expect(item.locator("a")).to_have_attribute("href", re.compile(f"/documentos/casos/{case.id}/plazos#deadline-{deadline.id}$"))

    pg.locator("#work-calendar form[action$='/documentos/calendario'] button").click()
    feed_url = pg.locator("[data-testid=feed-url]").input_value()
    assert feed_url.startswith(pg.base + "/documentos/calendario/") and feed_url.endswith(".ics")
    shoot(pg, "work-queue")
    shoot(pg, "work-queue", 360)
    _no_csp_violations(pg)

    with urllib.request.urlopen(feed_url, timeout=10) as response:  # noqa: S310 (our live server)
        assert response.headers["Content-Type"].startswith("text/calendar")
        parsed = Calendar.from_ical(response.read())
    (event,) = parsed.walk("VEVENT")
    assert re.fullmatch(rf"deadline-{deadline.id}\.[0-9a-f]{{12}}@[\w.-]+", str(event["UID"]))
    assert event.decoded("DTSTART").replace(tzinfo=None) == deadline.due_at
    assert case.code in str(event["SUMMARY"]) and "Contestar la demanda" in str(event["SUMMARY"])
    assert len(event.walk("VALARM")) == 2

    pg.goto(f"{pg.base}/")
    expect(pg.locator("[data-testid=for-today]")).to_contain_text("1")
    shoot(pg, "home-for-today")
    shoot(pg, "home-for-today", 360)
    pg.set_viewport_size({"width": 1280, "height": 860})

    # Last, as screenshots leave style="" on inputs that a later htmx settle would copy (a CSP report).
    pg.goto(f"{pg.base}/documentos/casos/{case.id}/plazos")
    pg.locator("#description").fill("Presentar recurso de reposición")
    pg.locator("#due_on").fill(day_off.isoformat())
    pg.locator("#deadline-form .actions button").click()
    expect(pg.locator("[data-testid=use-next-business-day]")).to_be_visible()
    _top(pg)
    shoot(pg, "deadline-holiday-offer")
    shoot(pg, "deadline-holiday-offer", 360)


def test_admin_loads_the_holidays_of_a_year(app, page):
    pg = page
    with app.app_context():
        admin = make_user(roles=("admin",), name="Andrea Salazar")
    pg.goto(f"{pg.base}/documentos/festivos?anio=2026&region=CO")
    _sign_in(pg, admin)
    pg.wait_for_url("**/documentos/festivos**")
    pg.locator("#year").fill("2026")
    pg.locator("form[action$='/festivos/cargar'] button").click()
    expect(pg.locator(".holiday-list")).to_contain_text("La Inmaculada Concepción")
    assert pg.locator(".holiday-list li").count() == 19
    pg.locator("#day").fill("2026-12-24")
    pg.locator("#name").fill("Cierre de despachos judiciales")
    pg.locator("form[method=post][action$='/festivos'] button").click()
    expect(pg.locator(".holiday-list")).to_contain_text("Cierre de despachos judiciales")
    _top(pg)
    shoot(pg, "holidays")
    shoot(pg, "holidays", 360)
    _no_csp_violations(pg)

"""The agenda's person picker offers the one looking and the one shown; anyone else who works cases is found by
name, and the week shown follows the person found (no list of every member of staff on each request)."""

from datetime import datetime, time, timedelta

import pytest
from playwright.sync_api import expect

from core.i18n import to_utc, today_local
from models.cases import Intervention
from tests.e2e.conftest import shoot
from tests.e2e.test_journeys import _no_csp_violations, _sign_in
from tests.factories import make_case, make_user

pytestmark = pytest.mark.e2e


def test_a_colleague_s_week_is_found_by_name(clock, app, page):
    pg = page
    with app.test_request_context():
        day = today_local() + timedelta(days=1)
        lawyer = make_user(roles=("operations",), name="Laura Gómez Ríos")
        colleague = make_user(roles=("operations",), name="Íñigo Santamaría Vélez")
        for i in range(30):
            make_user(roles=("commercial",), name=f"Persona {i:02d} Relleno", password=None)
        case = make_case(responsible=colleague, title="Demanda por despido sin justa causa")
        Intervention.create(case=case, starts_at=to_utc(datetime.combine(day, time(10, 30))), assigned=colleague,
                            purpose="Visita a la empresa del cliente")
    pg.goto(f"{pg.base}/casos/agenda?semana={day.isoformat()}")
    _sign_in(pg, lawyer)
    pg.wait_for_url("**/casos/agenda**")
    expect(pg.locator("#persona option")).to_have_count(1)  # the one looking; nobody else is sent
    expect(pg.locator("#agenda-week")).not_to_contain_text("Visita a la empresa del cliente")
    search = pg.get_by_label("¿Otra persona? Búscala por su nombre")
    search.fill("inigo sant")
    expect(pg.locator("#persona")).to_have_value(str(colleague.id))
    expect(pg.locator("#agenda-week")).to_contain_text("Visita a la empresa del cliente")
    pg.wait_for_url(f"**/casos/agenda?persona={colleague.id}**")  # the address names the week shown
    shoot(pg, "agenda-picker")
    pg.set_viewport_size({"width": 360, "height": 860})
    assert pg.evaluate("document.documentElement.scrollWidth") <= 360
    pg.reload()
    expect(pg.locator("#agenda-week")).to_contain_text("Visita a la empresa del cliente")
    expect(pg.locator("#persona option")).to_have_count(2)  # the one looking and the one shown
    _no_csp_violations(pg)

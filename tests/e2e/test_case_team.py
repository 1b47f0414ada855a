"""A case's team offers the people already on the case; anyone else who works cases is found by name under the
list, ticked and saved (no list of every member of staff on each request)."""

import pytest
from playwright.sync_api import expect

from models.cases import CaseMember
from tests.e2e.conftest import shoot
from tests.e2e.test_journeys import _no_csp_violations, _sign_in
from tests.factories import make_case, make_user

pytestmark = pytest.mark.e2e


def test_a_colleague_found_by_name_joins_the_team(clock, app, page):
    pg = page
    with app.test_request_context():
        lawyer = make_user(roles=("operations",), name="Laura Gómez Ríos")
        colleague = make_user(roles=("operations",), name="Íñigo Santamaría Vélez")
        for i in range(30):
            make_user(roles=("commercial",), name=f"Persona {i:02d} Relleno", password=None)
        case = make_case(responsible=lawyer, title="Demanda por despido sin justa causa")
    pg.goto(f"{pg.base}/casos/{case.id}/equipo")
    _sign_in(pg, lawyer)
    pg.wait_for_url(f"**/casos/{case.id}/equipo")
    expect(pg.locator("#team input[type=checkbox]")).to_have_count(1)  # the one looking; nobody else is sent
    pg.locator("#team-buscar").fill("inigo")
    found = pg.get_by_label("Íñigo Santamaría Vélez")
    expect(found).to_have_count(1)
    expect(found).not_to_be_checked()
    found.check()
    pg.locator("#team-buscar").fill("persona 0")  # another search keeps him ticked
    expect(pg.get_by_label("Persona 01 Relleno")).to_have_count(1)
    expect(pg.get_by_label("Íñigo Santamaría Vélez")).to_be_checked()
    shoot(pg, "case-team-search")
    pg.set_viewport_size({"width": 360, "height": 860})
    assert pg.evaluate("document.documentElement.scrollWidth") <= 360
    pg.get_by_role("button", name="Guardar equipo").click()
    pg.wait_for_url(f"**/casos/{case.id}")
    assert CaseMember.select().where(CaseMember.case == case.id, CaseMember.user == colleague.id).exists()
    _no_csp_violations(pg)

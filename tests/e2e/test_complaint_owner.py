"""The complaints register's owner filter offers the one looking and the owner filtered; anyone else who may own a
complaint is found by name, and the register follows the person found (no list of every owner on each request)."""

import pytest
from playwright.sync_api import expect

from services import complaints as service
from tests.e2e.conftest import shoot
from tests.e2e.test_journeys import _no_csp_violations, _sign_in
from tests.factories import make_user

pytestmark = pytest.mark.e2e


def test_the_register_filtered_by_an_owner_found_by_name(clock, app, page):
    pg = page
    with app.test_request_context():
        quality = make_user(roles=("quality",), name="Laura Gómez Ríos")
        owner = make_user(roles=("service",), name="Íñigo Santamaría Vélez")
        for i in range(20):
            make_user(roles=("service",), name=f"Persona {i:02d} Relleno", password=None)
        mine = service.open_complaint(owner=quality, client=None, kind="complaint", walk_in_name="Ana Pérez",
                                      description="No contestaron el teléfono en toda la mañana.")
        theirs = service.open_complaint(owner=owner, client=None, kind="claim", walk_in_name="Pedro Ruiz",
                                        description="La factura llegó con un valor distinto al cotizado.")
    pg.goto(f"{pg.base}/quejas")
    _sign_in(pg, quality)
    pg.wait_for_url("**/quejas")
    expect(pg.locator("#complaints-list")).to_contain_text(theirs.number)
    expect(pg.locator("#responsable option")).to_have_count(2)  # everyone's, and the one looking
    pg.locator("#responsable-buscar").fill("inigo")
    expect(pg.locator("#responsable")).to_have_value(str(owner.id))
    expect(pg.locator("#complaints-list")).not_to_contain_text(mine.number)
    expect(pg.locator("#complaints-list")).to_contain_text(theirs.number)
    pg.wait_for_url(f"**/quejas?**responsable={owner.id}**")
    shoot(pg, "complaints-owner-filter")
    pg.set_viewport_size({"width": 360, "height": 860})
    assert pg.evaluate("document.documentElement.scrollWidth") <= 360
    _no_csp_violations(pg)

"""The organigram in a browser: a member of staff opens it from the manual; it fits 1280 and 360 px without
sideways scrolling (on a phone it is one indented list: each box as wide as the screen allows), axe-core finds
nothing serious, no CSP report."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import shoot
from tests.e2e.test_journeys import _no_csp_violations, _sign_in
from tests.e2e.test_reviews import _serious

pytestmark = pytest.mark.e2e


def test_the_organigram_from_the_manual_at_1280_and_360(page, app, make_user):
    with app.test_request_context():
        boss = make_user(roles=("management",), name="Gerardo Díaz Montoya")
        leads = [make_user(roles=role, name=name) for role, name in
                 ((("operations", "quality"), "Laura Gómez Restrepo"), (("commercial",), "Camilo Ríos"),
                  (("service",), "Sofía Atencio"))]
        for lead in leads:
            lead.set_supervisor(boss.id)
        for i in range(7):
            member = make_user(roles=("operations",), name=f"Abogada Número {i} Con Apellidos Largos")
            member.set_supervisor(leads[i % 2].id)
        ring_a, ring_b = make_user(name="Ana Anillo"), make_user(name="Beto Anillo")
        ring_a.set_supervisor(ring_b.id)
        ring_b.set_supervisor(ring_a.id)
    pg = page
    pg.goto(f"{pg.base}/entrar")
    _sign_in(pg, leads[1])
    pg.goto(f"{pg.base}/manual")
    pg.get_by_role("link", name="Organigrama").click()
    expect(pg.get_by_role("heading", name="Organigrama", exact=True)).to_be_visible()
    for width in (1280, 360):
        pg.set_viewport_size({"width": width, "height": 860})
        pg.reload()
        assert pg.evaluate("document.documentElement.scrollWidth") <= width
        assert not _serious(pg)
        boss_box = pg.locator(f"[data-testid=org-person-{boss.id}]").bounding_box()
        lead_box = pg.locator(f"[data-testid=org-person-{leads[0].id}]").bounding_box()
        assert lead_box["x"] > boss_box["x"] and lead_box["y"] > boss_box["y"]  # under and indented
        shoot(pg, "organigram", width)
    expect(pg.locator("[data-testid=org-cycle]")).to_be_visible()
    _no_csp_violations(pg)

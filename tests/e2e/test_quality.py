"""The quality dashboard and an indicator page as management and quality read them: at 1280 and 360 px without
sideways scrolling, the state against a target in words, axe-core without serious findings, no CSP reports."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.conftest import shoot
from tests.e2e.test_journeys import _no_csp_violations, _sign_in
from tests.quality.test_indicators_brute_force import _generate

pytestmark = pytest.mark.e2e


def _serious(pg) -> list[str]:
    found = Axe().run(pg).response["violations"]
    return [f"{v['id']}: {v['help']} ({', '.join(n['target'][0] for n in v['nodes'][:3])})"
            for v in found if v["impact"] in ("serious", "critical")]


@pytest.fixture
def world(app, firm_today, make_user):
    with app.test_request_context():
        _generate(make_user)
        user = make_user(roles=("quality",), name="Sandra Quintero")
    return {"user": user}


def test_dashboard_and_indicator_at_both_widths(page, world):
    pg = page
    pg.goto(f"{pg.base}/entrar")
    _sign_in(pg, world["user"])
    pg.wait_for_url(f"{pg.base}/calidad")  # quality's home page
    expect(pg.get_by_role("heading", name="Indicadores")).to_be_visible()
    pg.get_by_role("link", name="Tasa de satisfacción del cliente").click()
    pg.get_by_role("spinbutton", name="Meta").fill("80")
    pg.locator("select[name=owner]").select_option(label="Sandra Quintero")
    pg.get_by_role("button", name="Guardar meta").click()
    expect(pg.locator("[data-testid=state] [data-state]")).to_have_text(re.compile("^(Cumplida|Cerca|No cumplida)$"))
    for width in (1280, 360):
        for url, name in (("/calidad", "quality-dashboard"), ("/calidad/indicadores/satisfaccion", "quality-indicator")):
            pg.set_viewport_size({"width": width, "height": 860})
            pg.goto(f"{pg.base}{url}")
            assert pg.evaluate("document.documentElement.scrollWidth") <= width, (url, width)
            assert not _serious(pg), (url, width)
            shoot(pg, name, width)
    _no_csp_violations(pg)

"""The management review in a browser: quality starts one for last quarter from the dashboard's reminder and
writes its conclusions and decisions; management approves it. The list, the review and its edit page at 1280
and 360 px without sideways scrolling, axe-core without serious findings, no CSP reports."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from services.quality import reviews as service
from tests.e2e.conftest import shoot
from tests.e2e.test_journeys import _no_csp_violations, _sign_in, _sign_out
from tests.quality.test_reviews import _generate

pytestmark = pytest.mark.e2e


def _serious(pg) -> list[str]:
    found = Axe().run(pg).response["violations"]
    return [f"{v['id']}: {v['help']} ({', '.join(n['target'][0] for n in v['nodes'][:3])})"
            for v in found if v["impact"] in ("serious", "critical")]


def _fits(pg, url, name):
    for width in (1280, 360):
        pg.set_viewport_size({"width": width, "height": 860})
        pg.goto(f"{pg.base}{url}")
        assert pg.evaluate("document.documentElement.scrollWidth") <= width, (url, width)
        assert not _serious(pg), (url, width)
        shoot(pg, name, width)


def test_quality_prepares_and_management_approves(page, app, firm_today, make_user):
    start, _end = service.default_period(firm_today)
    with app.test_request_context():
        _generate(start, make_user)
        quality = make_user(roles=("quality",), name="Sandra Quintero")
        manager = make_user(roles=("management",), name="Gerardo Díaz")
    pg = page
    pg.goto(f"{pg.base}/entrar")
    _sign_in(pg, quality)
    pg.wait_for_url(f"{pg.base}/calidad")
    pg.locator("[data-testid=review-due]").get_by_role("link", name="Iniciar una revisión por la dirección").click()
    pg.get_by_role("button", name="Iniciar la revisión").click()
    expect(pg.locator("[data-testid=review-complaints-total]")).to_have_text("3")
    pg.get_by_role("link", name="Editar").click()
    pg.get_by_label("Conclusiones").fill("El sistema es eficaz.")
    pg.get_by_label("Decisiones", exact=True).fill("Turno de respaldo en las ausencias.")
    pg.get_by_role("button", name="Guardar").click()
    expect(pg.locator("[data-testid=review-outputs]")).to_contain_text("Turno de respaldo en las ausencias.")
    review_url = pg.url.split("#")[0].removeprefix(pg.base)
    _fits(pg, "/calidad/revisiones", "reviews")
    _fits(pg, review_url, "review-draft")
    _fits(pg, f"{review_url}/editar", "review-edit")
    pg.set_viewport_size({"width": 1280, "height": 860})
    _sign_out(pg)
    pg.goto(f"{pg.base}/entrar")
    _sign_in(pg, manager)
    pg.goto(f"{pg.base}{review_url}")
    pg.get_by_role("button", name="Aprobar la revisión").click()
    expect(pg.locator("[data-status=approved]")).to_be_visible()
    _fits(pg, review_url, "review-approved")
    _no_csp_violations(pg)

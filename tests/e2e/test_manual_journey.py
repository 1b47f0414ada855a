"""The client journey in a browser: from the manual's index to /manual/recorrido; at 1280 px the stages flow across
(five a row), at 360 px they stack one under another, nothing scrolls sideways; the critical moments of truth carry
their "!" mark and the link to PRO 008 opens the procedure at its section. axe-core without serious findings, no CSP
reports. The published PRO 008 downloads as its PDF from its page."""

import pytest

from services.manual import pro008
from tests.e2e.conftest import shoot
from tests.e2e.test_journeys import _no_csp_violations, _sign_in
from tests.e2e.test_manual import _fits
from tests.e2e.test_reviews import _serious
from tests.manual.test_journey import _firm

pytestmark = pytest.mark.e2e


def _tops(pg):
    return pg.evaluate("[...document.querySelectorAll('.journey-stage')].map(e => Math.round(e.getBoundingClientRect().top))")


def test_the_journey_flows_across_and_stacks_on_a_phone(page, app, make_user, firm_today):
    with app.test_request_context():
        quality, manager = make_user(roles=("quality",)), make_user(roles=("management",))
        document = pro008.load(quality, manager)
        _firm(firm_today, make_user(roles=("service",)))
    reader = make_user(roles=("operations",), name="Olga Ortiz")
    pg = page
    pg.goto(f"{pg.base}/entrar")
    _sign_in(pg, reader)
    pg.goto(f"{pg.base}/manual")
    pg.get_by_test_id("journey-link").click()
    pg.wait_for_url("**/manual/recorrido")
    _fits(pg, "/manual/recorrido", "manual-journey")
    pg.goto(f"{pg.base}/manual/recorrido")
    tops = _tops(pg)
    assert len(tops) == 10 and len(set(tops[:5])) == 1 and tops[5] > tops[0]  # five a row at 1280 px
    critical = pg.locator(".tp-critical[data-critical]")
    assert critical.count() >= 10 and critical.first.locator(".tp-mark").inner_text() == "!"
    pg.set_viewport_size({"width": 360, "height": 860})
    tops = _tops(pg)
    assert tops == sorted(tops) and len(set(tops)) == 10  # one under another
    shoot(pg, "manual-journey-stack", 360)
    pg.set_viewport_size({"width": 1280, "height": 860})
    pg.get_by_test_id("stage-survey").get_by_role("link", name="PRO 008 § 5.4.1 · 5.4.3").click()
    pg.wait_for_url(f"**/manual/{document.id}#s-procedure")
    with pg.expect_download() as download:
        pg.get_by_test_id("version-pdf").click()
    assert download.value.suggested_filename == "pro-008-v000.pdf"
    assert not _serious(pg)
    _no_csp_violations(pg)

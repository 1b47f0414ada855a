"""The top bar's search as a person uses it: typed, read by arrows, opened with Enter; without JavaScript the same
box goes to the results page; the box and the results fit a 360 px phone and pass axe-core."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from core.guard import ROLES
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.test_journeys import _no_csp_violations, _sign_in
from tests.factories import make_case, make_client, make_user

pytestmark = pytest.mark.e2e


@pytest.fixture
def world(app, firm_today):
    with app.test_request_context():
        user = make_user(roles=tuple(r for r in ROLES if r != "admin"), name="Camila Restrepo")
        client = make_client(name="Gertrudis Valderrama Ospina", document_number="52123456")
        case = make_case(client=client, responsible=user, title="Despido sin justa causa", today=firm_today)
    return {"user": user, "client": client, "case": case}


def _focused(pg) -> str:
    return pg.evaluate("document.activeElement.getAttribute('href') || document.activeElement.id")


def test_typing_in_the_top_bar_and_opening_results_with_the_keyboard(page, world):
    pg = page
    pg.goto(f"{pg.base}/entrar")
    _sign_in(pg, world["user"])
    pg.wait_for_url(f"{pg.base}/calidad")  # management lands on the quality dashboard
    pg.evaluate("window.__marker = 'no reload'")
    pg.keyboard.press("/")  # from anywhere outside a field: the box opens with the cursor in it
    expect(pg.locator("#topsearch-q")).to_be_focused()
    pg.keyboard.type("valderr", delay=40)
    expect(pg.locator("#topsearch-status")).to_have_text("2 resultados.")  # the client and its case
    expect(pg.locator("#topsearch-results .search-hit")).to_have_count(2)
    assert pg.evaluate("window.__marker") == "no reload"
    client_href = f"/clientes/{world['client'].id}"
    pg.keyboard.press("ArrowDown")
    assert _focused(pg) == client_href
    pg.keyboard.press("ArrowUp")  # back to the box, the text still there
    assert _focused(pg) == "topsearch-q" and pg.input_value("#topsearch-q") == "valderr"
    pg.keyboard.press("ArrowDown")
    pg.keyboard.press("ArrowDown")  # "see all in clients"
    pg.keyboard.press("ArrowDown")
    assert _focused(pg) == f"/casos/{world['case'].id}"
    pg.keyboard.press("Enter")
    pg.wait_for_url(f"**/casos/{world['case'].id}")
    # By the magnifier and a code, then Enter on the first result.
    pg.locator("#topsearch > summary").click()
    expect(pg.locator("#topsearch-q")).to_be_focused()
    pg.keyboard.type(world["case"].code, delay=30)
    expect(pg.locator("#topsearch-results .search-hit")).to_have_count(1)
    pg.keyboard.press("Escape")  # closes the box, focus back on the magnifier
    assert pg.locator("#topsearch").get_attribute("open") is None
    pg.keyboard.press("Enter")  # the magnifier opens it again, the text kept
    pg.keyboard.press("ArrowDown")
    pg.keyboard.press("Enter")
    pg.wait_for_url(f"**/casos/{world['case'].id}")
    # Enter in the box itself: every result on one page.
    pg.locator("#topsearch > summary").click()
    expect(pg.locator("#topsearch-q")).to_be_focused()
    pg.keyboard.press("Control+a")
    pg.keyboard.type("52123456")
    pg.keyboard.press("Enter")
    pg.wait_for_url("**/buscar?q=52123456")
    assert pg.locator("#search-results .search-hit").first.inner_text().startswith("Gertrudis Valderrama Ospina")
    _no_csp_violations(pg)


def test_without_javascript_the_box_goes_to_the_results_page(browser, live_server, world):
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="es-CO", java_script_enabled=False)
    pg = context.new_page()
    try:
        pg.goto(f"{live_server}/entrar")
        _sign_in(pg, world["user"])
        pg.wait_for_url(f"{live_server}/calidad")
        pg.locator("#topsearch > summary").click()  # a plain <details>
        pg.locator("#topsearch-q").fill("valderrama")
        pg.keyboard.press("Enter")
        pg.wait_for_url("**/buscar?q=valderrama")
        assert pg.locator("#search-status").inner_text() == "2 resultados."
        pg.locator(f"#search-results a[href='/clientes/{world['client'].id}']").click()
        pg.wait_for_url(f"**/clientes/{world['client'].id}")
    except Exception:
        ARTIFACTS.mkdir(exist_ok=True)
        pg.screenshot(path=str(ARTIFACTS / "search-without-javascript.png"), full_page=True)
        raise
    finally:
        context.close()


def _serious(pg) -> list[str]:
    found = Axe().run(pg).response["violations"]
    return [f"{v['id']}: {v['help']} ({', '.join(n['target'][0] for n in v['nodes'][:3])})"
            for v in found if v["impact"] in ("serious", "critical")]


def test_the_box_and_the_results_page_fit_a_phone_and_pass_axe(page, world):
    pg = page
    pg.goto(f"{pg.base}/entrar")
    _sign_in(pg, world["user"])
    pg.wait_for_url(f"{pg.base}/calidad")  # management lands on the quality dashboard
    pg.locator("#topsearch > summary").click()
    expect(pg.locator("#topsearch-q")).to_be_focused()
    pg.keyboard.type("valderr", delay=30)
    expect(pg.locator("#topsearch-results .search-hit")).to_have_count(2)
    assert pg.locator(".topbar").bounding_box()["height"] <= 64
    assert not _serious(pg)
    pg.set_viewport_size({"width": 360, "height": 780})
    pg.goto(f"{pg.base}/")
    pg.get_by_text("Menú").click()
    pg.locator("#topsearch > summary").click()  # a row of the folded menu, named
    expect(pg.locator("#topsearch > summary")).to_contain_text("Buscar")
    expect(pg.locator("#topsearch-q")).to_be_focused()
    pg.keyboard.type("valderr", delay=30)
    expect(pg.locator("#topsearch-results .search-hit")).to_have_count(2)
    assert pg.evaluate("document.documentElement.scrollWidth") <= 360
    assert not _serious(pg)
    for width in (360, 1280):
        pg.set_viewport_size({"width": width, "height": 800})
        pg.goto(f"{pg.base}/buscar?q=valderr")
        assert pg.evaluate("document.documentElement.scrollWidth") <= width
        assert not _serious(pg), width

"""Every main page fits and reads: one header line at 1280 px for someone with every role, no sideways scroll at
360 px, and no serious or critical accessibility violation found by axe-core at either width."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from core.guard import ROLES
from models.clients import Client
from tests.e2e.test_journeys import _sign_in
from tests.factories import make_area, make_case, make_client, make_user

pytestmark = pytest.mark.e2e


def _overflowing(pg) -> list[str]:
    """What sticks out of the viewport on the right (empty when the page fits)."""
    return pg.evaluate("""() => Array.from(document.querySelectorAll('body *'))
        .filter(e => e.getClientRects().length && e.getBoundingClientRect().right > window.innerWidth + 1)
        .slice(0, 5).map(e => `${e.tagName.toLowerCase()}.${e.className} (${Math.round(e.getBoundingClientRect().right)} px)`)""")


def _serious(pg) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now."""
    found = Axe().run(pg).response["violations"]
    return [f"{v['id']}: {v['help']} ({', '.join(n['target'][0] for n in v['nodes'][:3])})"
            for v in found if v["impact"] in ("serious", "critical")]


def _main_pages(pg, client_id, case_id) -> list[str]:
    """The top bar's entries (the drop-down groups included), and every tab of a client page and a case page."""
    paths = pg.eval_on_selector_all(".mainnav a[href]", "links => links.map(a => a.getAttribute('href'))")
    for page in (f"/clientes/{client_id}", f"/casos/{case_id}"):
        pg.goto(pg.base + page)
        paths += pg.eval_on_selector_all("nav.tabs a[href]", "links => links.map(a => a.getAttribute('href'))")
    return list(dict.fromkeys(paths))


def test_every_main_page_fits_and_passes_axe_at_1280_and_360(clock, app, page, firm_today):
    pg = page
    with app.test_request_context():
        everyone = make_user(roles=tuple(ROLES), name="Maximiliana Castañeda Villalobos")  # a long first name
        client = make_client(name="Inversiones Agropecuarias del Magdalena Medio S.A.S.", practice_area=make_area().id)
        Client.update(status="active").where(Client.id == client.id).execute()
        case = make_case(client=Client.get_by_id(client.id), responsible=everyone, today=firm_today)

    pg.goto(f"{pg.base}/entrar")
    _sign_in(pg, everyone)
    paths = _main_pages(pg, client.id, case.id)
    assert len(paths) >= 20, paths

    for path in paths:
        pg.set_viewport_size({"width": 1280, "height": 860})
        pg.goto(pg.base + path)
        header = pg.locator(".topbar").bounding_box()
        assert header["height"] <= 64, f"{path}: the top bar wraps at 1280 px ({header['height']:.0f} px)"
        assert not _serious(pg), f"{path} at 1280 px: {_serious(pg)}"
        pg.set_viewport_size({"width": 360, "height": 780})
        assert pg.evaluate("document.documentElement.scrollWidth") <= 360, f"{path} at 360 px: {_overflowing(pg)}"
        assert not _serious(pg), f"{path} at 360 px: {_serious(pg)}"


def test_the_administration_group_opens_and_closes_like_a_menu(app, page):
    pg = page
    with app.test_request_context():
        admin = make_user(roles=("admin", "quality"))
    pg.goto(f"{pg.base}/entrar")
    _sign_in(pg, admin)
    group = pg.locator("details.navgroup").first
    group.locator("summary").click()
    assert group.get_attribute("open") is not None
    pg.keyboard.press("Escape")
    assert group.get_attribute("open") is None
    assert pg.evaluate("document.activeElement.tagName") == "SUMMARY"  # focus back where the person was
    group.locator("summary").click()
    pg.locator("main").click(position={"x": 5, "y": 5})
    assert group.get_attribute("open") is None
    group.locator("summary").click()
    pg.get_by_role("link", name="Registro de auditoría").click()
    assert pg.url.endswith("/admin/auditoria") or "auditoria" in pg.url
    assert pg.locator("details.navgroup summary.is-current").count() == 1

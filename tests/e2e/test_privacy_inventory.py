"""The inventory of databases in a browser: quality opens it from the Administration menu, downloads the spreadsheet; the page
fits 1280 and 360 px without sideways scrolling, axe-core finds nothing serious, no CSP report."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import shoot
from tests.e2e.test_journeys import _no_csp_violations, _sign_in
from tests.e2e.test_reviews import _serious
from tests.factories import make_client

pytestmark = pytest.mark.e2e


def test_the_inventory_at_1280_and_360_and_its_spreadsheet(page, app, make_user):
    with app.test_request_context():
        quality = make_user(roles=("quality",), name="Sandra Quintero")
        make_client(name="María Fernanda Rojas")
    pg = page
    pg.goto(f"{pg.base}/entrar")
    _sign_in(pg, quality)
    pg.get_by_text("Administración", exact=True).click()
    pg.get_by_role("link", name="Inventario de bases de datos").click()
    expect(pg.get_by_role("heading", name="Inventario de bases de datos")).to_be_visible()
    for width in (1280, 360):
        pg.set_viewport_size({"width": width, "height": 860})
        pg.reload()
        assert pg.evaluate("document.documentElement.scrollWidth") <= width
        assert not _serious(pg)
        shoot(pg, "privacy-inventory", width)
    pg.set_viewport_size({"width": 1280, "height": 860})
    with pg.expect_download() as download:
        pg.get_by_role("link", name="Descargar hoja de cálculo").click()
    assert download.value.suggested_filename.startswith("inventario-bases-de-datos-")
    _no_csp_violations(pg)

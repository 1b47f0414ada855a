"""The traceability report in a browser: management opens it from a demo client's page, filters it by kind and
period, downloads the PDF; the page fits 1280 and 360 px without sideways scrolling, axe-core finds nothing serious,
no CSP report."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import shoot
from tests.e2e.test_journeys import _no_csp_violations, _sign_in
from tests.e2e.test_reviews import _serious

pytestmark = pytest.mark.e2e


def test_the_report_from_the_client_page_filtered_and_printed(page, app, make_user):
    from models.clients import Client
    from models.interactions import Interaction
    from services import demo

    with app.test_request_context():
        demo.load()
        busiest = (Interaction.select(Interaction.client).join(Client, on=(Interaction.client == Client.id))
                   .where(Client.blocked_on.is_null()).group_by(Interaction.client)
                   .order_by(Interaction.client).limit(1).scalar())
        name = Client.get_by_id(busiest).name
    boss = make_user(roles=("management",), name="Gloria Duarte")
    pg = page
    pg.goto(f"{pg.base}/entrar")
    _sign_in(pg, boss)
    pg.goto(f"{pg.base}/clientes/{busiest}")
    pg.get_by_role("link", name="Informe de trazabilidad").click()
    expect(pg.get_by_role("heading", name="Informe de trazabilidad", exact=True)).to_be_visible()
    expect(pg.get_by_test_id("trace-stamp")).to_contain_text("Cadena de auditoría verificada")
    expect(pg.get_by_test_id("trace-facts")).to_contain_text(name)
    for width in (1280, 360):
        pg.set_viewport_size({"width": width, "height": 860})
        pg.reload()
        assert pg.evaluate("document.documentElement.scrollWidth") <= width
        assert not _serious(pg)
        shoot(pg, "trace-report", width)
    pg.set_viewport_size({"width": 1280, "height": 860})
    pg.get_by_role("checkbox", name="Interacciones").check()
    pg.get_by_role("button", name="Mostrar").click()
    # the report is swapped in place: wait until only interactions are listed (the rows before it stay until then)
    expect(pg.locator("[data-testid=trace-events] tbody tr:not([data-kind=interactions])")).to_have_count(0)
    rows = pg.locator("[data-testid=trace-events] tbody tr")
    expect(rows.first).to_be_visible()
    assert set(rows.evaluate_all("rs => rs.map(r => r.dataset.kind)")) == {"interactions"}
    with pg.expect_download() as download:
        pg.get_by_test_id("trace-pdf").click()
    assert download.value.suggested_filename == f"trazabilidad-cliente-{busiest:05d}.pdf"
    _no_csp_violations(pg)

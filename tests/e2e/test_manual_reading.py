"""Acknowledging a version of the manual in a browser: PRO 008 concerns the commercial department; a new version is
published; a commercial reader finds it under "Documentos por leer" in Mi trabajo, opens it, clicks "He leído y
entiendo", and the section leaves the queue; quality sees 1 of 1 on the readers page. The document page and the
readers page fit at 1280 and 360 px, axe-core without serious findings, no CSP reports."""

import pytest
from playwright.sync_api import expect

from models.manual import ManualDocument, ManualVersion
from services import manual
from services.manual import follow, pro008
from tests.e2e.test_journeys import _no_csp_violations, _sign_in
from tests.e2e.test_manual import _as, _fits

pytestmark = pytest.mark.e2e


def test_a_commercial_reader_acknowledges_the_new_version(page, app, make_user):
    with app.test_request_context():
        quality = make_user(roles=("quality",), name="Sandra Quintero")
        manager = make_user(roles=("management",), name="Gerardo Díaz")
        reader = make_user(roles=("commercial",), name="Camilo Ríos")
        document = pro008.load(quality, manager)
        follow.set_plan(document, {"review_months": 12, "concerned_roles": ["commercial"]}, quality)
        version = manual.new_version(ManualDocument.get_by_id(document.id), quality)
        manual.save_draft(version, {**version.sections(), "change_summary": "Encuesta a los 3 días",
                                    "justification": "Pedido por la gerencia."}, quality)
        manual.submit(version, quality)
        manual.approve(ManualVersion.get_by_id(version.id), manager)
        manual.publish(ManualVersion.get_by_id(version.id), manager)
    pg = page
    pg.goto(f"{pg.base}/entrar")
    _sign_in(pg, reader)
    pg.goto(f"{pg.base}/mi-trabajo")
    section = pg.locator("#work-reading")
    expect(section).to_contain_text("Documentos por leer")
    section.get_by_role("link", name="PRO 008 · Gestión del Cliente").click()
    expect(pg.locator("[data-testid=manual-ack]")).to_be_visible()
    _fits(pg, pg.url.split("#")[0].removeprefix(pg.base), "manual-ack")
    pg.get_by_role("button", name="He leído y entiendo").click()
    expect(pg.locator("[data-testid=manual-ack]")).to_contain_text("Confirmó la lectura de la versión 001")
    pg.goto(f"{pg.base}/mi-trabajo")
    expect(pg.locator("#work-reading")).to_have_count(0)
    _as(pg, quality)
    pg.goto(f"{pg.base}/manual/{document.id}/lecturas")
    expect(pg.locator("[data-testid=readers-progress]")).to_contain_text("1 de 1")
    _fits(pg, f"/manual/{document.id}/lecturas", "manual-readers")
    _fits(pg, f"/manual/{document.id}", "manual-calendar")
    _no_csp_violations(pg)

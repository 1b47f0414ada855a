"""The procedures manual in a browser: quality drafts a new version of PRO 008 with its justification and sends it
for review, management approves it, quality publishes it, and a commercial reader finds the new text in force,
the version history with both lines and the comparison of the two versions. Every page at 1280 and 360 px
without sideways scrolling, axe-core without serious findings, no CSP reports."""

import pytest
from playwright.sync_api import expect

from models.manual import ManualDocument
from services.manual import pro008
from tests.e2e.conftest import shoot
from tests.e2e.test_journeys import _no_csp_violations, _sign_in, _sign_out
from tests.e2e.test_reviews import _serious

pytestmark = pytest.mark.e2e


def _fits(pg, url, name):
    for width in (1280, 360):
        pg.set_viewport_size({"width": width, "height": 860})
        pg.goto(f"{pg.base}{url}")
        assert pg.evaluate("document.documentElement.scrollWidth") <= width, (url, width)
        assert not _serious(pg), (url, width)
        shoot(pg, name, width)
    pg.set_viewport_size({"width": 1280, "height": 860})


def _as(pg, user):
    _sign_out(pg)
    pg.goto(f"{pg.base}/entrar")
    _sign_in(pg, user)


def test_quality_drafts_management_approves_everyone_reads(page, app, make_user):
    with app.test_request_context():
        quality = make_user(roles=("quality",), name="Sandra Quintero")
        manager = make_user(roles=("management",), name="Gerardo Díaz")
        reader = make_user(roles=("commercial",), name="Camilo Ríos")
        document = pro008.load(quality, manager)
    url = f"/manual/{document.id}"
    pg = page
    pg.goto(f"{pg.base}/entrar")
    _sign_in(pg, quality)
    pg.goto(f"{pg.base}/manual")
    pg.get_by_role("link", name="PRO 008").click()
    pg.get_by_role("button", name="Redactar una nueva versión").click()
    procedure = pg.get_by_label("Procedimiento", exact=True)
    procedure.fill(procedure.input_value().replace("en un plazo de 5 días", "en un plazo de 3 días"))
    pg.get_by_role("button", name="Guardar el borrador").click()
    expect(pg.locator("#change_summary-error")).to_be_visible()  # the change needs its line and its reason
    pg.get_by_label("Qué cambia esta versión").fill("Plazo de la encuesta a 3 días")
    pg.get_by_label("Por qué cambia").fill("La gerencia pidió acortar el plazo tras la revisión por la dirección.")
    pg.get_by_role("button", name="Guardar el borrador").click()
    expect(pg.locator("[data-testid=version-state]")).to_have_text("Borrador")
    draft_url = pg.url.split("#")[0].removeprefix(pg.base)
    _fits(pg, f"{draft_url}/editar", "manual-edit")
    pg.goto(f"{pg.base}{draft_url}")
    pg.get_by_role("button", name="Enviar a Gerencia para revisión").click()
    expect(pg.locator("[data-testid=version-state]")).to_have_text("En revisión")
    _as(pg, manager)
    pg.goto(f"{pg.base}{draft_url}")
    pg.get_by_role("button", name="Aprobar").click()
    expect(pg.locator("[data-testid=version-state]")).to_have_text("Aprobada")
    pg.get_by_role("button", name="Publicar: entra en vigor hoy").click()
    expect(pg.locator("[data-testid=version-state]")).to_have_text("Publicada")
    _as(pg, reader)
    pg.goto(f"{pg.base}{url}")
    expect(pg.locator("[data-testid=manual-text]")).to_contain_text("en un plazo de 3 días")
    history = pg.locator("[data-testid=version-history]")
    expect(history).to_contain_text("000")
    expect(history).to_contain_text("Plazo de la encuesta a 3 días")
    pg.get_by_role("link", name="Comparar versiones").click()
    expect(pg.locator(".diff-removed")).to_contain_text("5 días")
    expect(pg.locator(".diff-added")).to_contain_text("3 días")
    _fits(pg, "/manual", "manual-index")
    _fits(pg, url, "manual-document")
    _fits(pg, f"{url}/comparar", "manual-compare")
    assert ManualDocument.get_by_id(document.id).latest_number == 1
    _no_csp_violations(pg)

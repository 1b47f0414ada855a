"""The client import as a person uses it: the upload shows its progress and answers in place, the rejected rows
come grouped by problem with their values, they download as a CSV to fix, the valid rows import with the
responsible chosen while the page says it is importing; the result fits 1280 and 360 px and passes axe-core;
without JavaScript the same form works as a plain post."""

import csv
import io
import time

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from models.clients import Client
from services.clients import io as client_io
from tests.e2e.conftest import ARTIFACTS, shoot
from tests.e2e.test_journeys import _no_csp_violations, _sign_in
from tests.factories import make_user

pytestmark = pytest.mark.e2e

FILE = ("nombre;tipo;tipo_documento;numero_documento;correo;telefono;ciudad\n"
        "Lucía Gómez Restrepo;persona;CC;52123456;lucia@correo.test;3001234567;Bogotá\n"
        "Constructora Andina S.A.S.;empresa;NIT;900123456-8;;;Medellín\n"
        "Pedro Pérez;persona;;;pedro@correo.test;;Cali\n"
        + "".join(f"Cliente Sin Teléfono {n};persona;;;;12{n};Cali\n" for n in range(7))
        + "Andrés Mal Correo;persona;CC;5212345X;andres@correo;;Pasto\n")


@pytest.fixture
def people(app):
    with app.test_request_context():
        importer = make_user(roles=("commercial",), name="Camila Restrepo")
        lawyer = make_user(roles=("operations",), name="Abogado Operativo")
    return importer, lawyer


def _serious(pg) -> list[str]:
    found = Axe().run(pg).response["violations"]
    return [f"{v['id']}: {v['help']}" for v in found if v["impact"] in ("serious", "critical")]


def _upload(pg, text=FILE):
    pg.set_input_files("#file", files=[{"name": "clientes.csv", "mimeType": "text/csv", "buffer": text.encode()}])
    pg.get_by_role("button", name="Revisar el archivo").click()


def test_a_file_with_bad_rows_is_grouped_downloaded_and_its_good_rows_imported(page, people, monkeypatch):
    pg = page
    importer, lawyer = people
    pg.goto(f"{pg.base}/entrar")
    _sign_in(pg, importer)
    pg.wait_for_url(f"{pg.base}/")
    pg.goto(f"{pg.base}/clientes/importar")
    expect(pg.get_by_label("Responsable")).to_have_value(str(importer.id))  # the importer, by default
    for width in (360, 1280):
        shoot(pg, "client-import-form", width)
        assert pg.evaluate("document.documentElement.scrollWidth") <= width and not _serious(pg), _serious(pg)
    _upload(pg, "a;b\n1;2\n")  # no "nombre" column: said beside the field, which gets the focus
    expect(pg.locator("#file-error")).to_contain_text("columna “nombre”")
    expect(pg.locator("#file")).to_be_focused()
    # Not offered (only nobody and the importer are): found by name under the picker, and chosen.
    expect(pg.get_by_label("Responsable").locator("option")).to_have_count(2)
    pg.locator("#responsible-buscar").fill("abogado")
    expect(pg.get_by_label("Responsable")).to_have_value(str(lawyer.id))
    pg.evaluate("""() => {
        window.__marker = 'no reload';
        window.__states = [];
        const box = document.querySelector('[data-upload-progress]');
        new MutationObserver(() => window.__states.push(box.getAttribute('data-state')))
            .observe(box, {attributes: true, attributeFilter: ['data-state']});
    }""")
    _upload(pg)

    expect(pg.get_by_role("heading", name="Teléfono no válido: 7 filas")).to_be_visible()
    assert pg.evaluate("window.__marker") == "no reload"  # answered in place (htmx)
    assert pg.evaluate("window.__states") == ["sending", "checking"]  # the bar followed the upload, then the check
    expect(pg.locator("#import-result-title")).to_be_focused()  # the focus goes on to what the answer says
    expect(pg.get_by_role("heading", name="Correo no válido: 1 fila")).to_be_visible()
    expect(pg.get_by_role("heading", name="Número de documento no válido: 1 fila")).to_be_visible()
    expect(pg.locator(".import-counts")).to_contain_text("11 filas leídas.")
    group = pg.locator(".import-group").filter(has=pg.get_by_role("heading", name="Teléfono no válido: 7 filas"))
    expect(group.locator("tbody tr:visible")).to_have_count(5)  # the first examples, the rest folded
    group.get_by_text("Ver 2 filas más").click()
    expect(group.locator("tbody tr:visible")).to_have_count(7)
    expect(group.locator("tbody tr").first.locator("td")).to_have_text(["5", "telefono", "120"])  # as given
    expect(pg.locator(".import-problems")).to_contain_text("CC •••• 345X")
    assert "5212345X" not in pg.locator("#main").inner_text()  # a document number never whole on the page

    for width in (1280, 360):
        shoot(pg, "client-import-result", width)
        if width == 360:
            assert pg.evaluate("document.documentElement.scrollWidth") <= 360
        assert not _serious(pg), _serious(pg)
    pg.set_viewport_size({"width": 1280, "height": 860})

    with pg.expect_download() as download:
        pg.get_by_role("button", name="Descargar las 8 filas rechazadas (CSV)").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text("utf-8-sig")), delimiter=";"))
    assert [r["nombre"] for r in rows][-1] == "Andrés Mal Correo" and len(rows) == 8
    assert rows[0]["error"] == "Teléfono no válido" and rows[0]["telefono"] == "120"
    assert "Correo no válido" in rows[-1]["error"] and rows[-1]["numero_documento"] == "5212345X"  # theirs, to fix

    expect(pg.locator(".import-confirm").get_by_label("Responsable")).to_have_value(str(lawyer.id))  # still chosen

    import_rows = client_io.import_rows

    def slowly(*args, **kwargs):
        time.sleep(1.5)  # long enough to see the page say what it is doing
        return import_rows(*args, **kwargs)

    monkeypatch.setattr(client_io, "import_rows", slowly)
    # Clicked from the page and looked at while the answer is on its way (Playwright's own waits would wait for it).
    working = pg.evaluate("""async () => {
        const button = Array.from(document.querySelectorAll('.import-confirm button'))
            .find(b => b.textContent.trim() === 'Importar las 3 filas válidas');
        button.click();
        await new Promise(resolve => setTimeout(resolve, 400));
        const note = document.querySelector('.import-working');
        return [note.checkVisibility(), note.textContent.trim(), button.classList.contains('is-working')];
    }""")
    assert working == [True, "Importando 3 filas…", True]  # app.js's spinner, and what it is doing
    pg.wait_for_url("**/clientes?sort=-created")
    expect(pg.locator("#toasts")).to_contain_text("3 clientes importados como prospectos.")
    expect(pg.locator("#toasts")).to_contain_text("8 filas rechazadas quedaron fuera.")
    assert sorted(c.name for c in Client.select()) == ["Constructora Andina S.A.S.", "Lucía Gómez Restrepo", "Pedro Pérez"]
    assert {c.responsible_id for c in Client.select()} == {lawyer.id}
    _no_csp_violations(pg)


def test_without_javascript_the_upload_is_a_plain_post(browser, live_server, people):
    importer, _lawyer = people
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="es-CO", java_script_enabled=False)
    pg = context.new_page()
    pg.base = live_server
    try:
        pg.goto(f"{pg.base}/entrar")
        _sign_in(pg, importer)
        pg.wait_for_url(f"{pg.base}/")
        pg.goto(f"{pg.base}/clientes/importar")
        _upload(pg)
        pg.wait_for_url("**/clientes/importar")
        expect(pg.get_by_role("heading", name="Teléfono no válido: 7 filas")).to_be_visible()
        expect(pg.locator("[data-upload-progress]")).to_have_count(0)  # the result replaced the form
        pg.get_by_role("button", name="Importar las 3 filas válidas").click()
        pg.wait_for_url("**/clientes?sort=-created")
        assert Client.select().count() == 3
    except Exception:
        ARTIFACTS.mkdir(exist_ok=True)
        pg.screenshot(path=str(ARTIFACTS / "client-import-no-js.png"), full_page=True)
        raise
    finally:
        context.close()


"""The newsletter in a browser (issue 18, PRO 008 §5.5.2): commercial writes an issue in Markdown (from the clients page), sees it
previewed, sends it (confirming), and each subscriber gets their own message; a subscriber opens the unsubscribe link,
which only asks, and confirms with its button. Both pages fit 1280 and 360 px, axe-core finds nothing serious, no CSP
report."""

import pytest
from playwright.sync_api import expect

from core.i18n import today_local
from models.consent import Consent
from services import clients
from tests.e2e.test_journeys import _no_csp_violations, _sign_in
from tests.e2e.test_reviews import _serious
from tests.factories import make_client, make_notice

pytestmark = pytest.mark.e2e


def test_write_send_and_unsubscribe(page, app, make_user, mailbox):
    with app.test_request_context():
        seller = make_user(roles=("commercial",), name="Laura Restrepo")
        make_notice()
        for name, email, document in (("Ana Suárez", "ana@correo.test", "52000001"),
                                      ("Pedro Gómez", "pedro@correo.test", "52000002")):
            client = make_client(name=name, email=email, document_number=document)
            clients.record_consent(client, ["newsletter"], "written", today_local(), "", seller)
    pg = page
    pg.goto(f"{pg.base}/entrar")
    _sign_in(pg, seller)
    pg.get_by_role("link", name="Clientes", exact=True).click()
    pg.get_by_role("link", name="Boletines").click()
    pg.get_by_role("link", name="Nuevo boletín").click()
    pg.get_by_label("Asunto").fill("Cinco buenas prácticas")
    pg.get_by_label("Texto (Markdown)").fill("Guarde **copias** de todo contrato.")
    pg.get_by_role("button", name="Guardar borrador").click()
    expect(pg.locator(".prose strong")).to_have_text("copias")
    for width in (1280, 360):
        pg.set_viewport_size({"width": width, "height": 860})
        pg.reload()
        assert pg.evaluate("document.documentElement.scrollWidth") <= width
        assert not _serious(pg)
    pg.set_viewport_size({"width": 1280, "height": 860})
    pg.once("dialog", lambda dialog: dialog.accept())
    pg.get_by_role("button", name="Enviar a los suscriptores").click()
    expect(pg.get_by_text("Entrega")).to_be_visible()
    assert sorted(m["To"] for m in mailbox.messages) == ["ana@correo.test", "pedro@correo.test"]
    _no_csp_violations(pg)

    message = mailbox.to("ana@correo.test")[0]
    link = message["List-Unsubscribe"].strip().strip("<>")
    reader = pg.context.browser.new_context(viewport={"width": 360, "height": 780}, locale="es-CO").new_page()
    reader.goto(link)
    expect(reader.get_by_role("heading", name="¿Desea dejar de recibir nuestro boletín?")).to_be_visible()
    assert reader.evaluate("document.documentElement.scrollWidth") <= 360 and not _serious(reader)
    reader.get_by_role("button", name="Confirmar: darme de baja").click()
    expect(reader.get_by_role("heading", name="Su elección quedó registrada")).to_be_visible()
    with app.app_context():
        last = Consent.select().where(Consent.purpose == "newsletter").order_by(Consent.id.desc()).first()
        assert not last.granted and "boletín n.º 1" in last.notes
    reader.context.close()

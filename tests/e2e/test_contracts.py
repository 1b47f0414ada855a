"""A contract saved before the client signs: discard it, prepare it again, and activate it once signed
(issue 11, item 4), as a person clicks it in Chromium."""

from datetime import timedelta

import pyotp
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import shoot
from tests.factories import PASSWORD, make_client, make_user

pytestmark = pytest.mark.e2e


def test_a_draft_contract_is_never_a_dead_end(clock, app, page, firm_today):
    from models.clients import Client
    from models.commercial import Contract, Quotation

    pg = page
    with app.test_request_context():
        user = make_user(roles=("commercial",), name="Julia Beltrán")
        client = make_client(name="Carlos Andrés Mejía")
        Client.update(status="accepted").where(Client.id == client.id).execute()
        quotation = Quotation.create(client=client, number=1, status="accepted", valid_until=firm_today + timedelta(days=20))
    pg.goto(f"{pg.base}/comercial/cotizaciones/{quotation.id}")
    pg.get_by_label("Correo electrónico").fill(user.email)
    pg.get_by_label("Contraseña").fill(PASSWORD)
    pg.get_by_role("button", name="Continuar").click()
    pg.get_by_label("Código de verificación").fill(pyotp.TOTP(user.totp_plain).now())
    pg.get_by_role("button", name="Verificar").click()

    def prepare(conditions):
        pg.get_by_role("link", name="Preparar el contrato de servicio").click()
        pg.get_by_label("Condiciones del servicio").fill(conditions)
        pg.get_by_label("Inicio", exact=True).fill(firm_today.isoformat())
        pg.get_by_label("Fin", exact=True).fill((firm_today + timedelta(days=365)).isoformat())
        pg.get_by_label("Responsabilidades de la firma").fill("Informar cada 15 días.")
        pg.get_by_label("Responsabilidades del cliente").fill("Aportar las pruebas.")
        pg.get_by_role("button", name="Guardar contrato").click()
        expect(pg.locator(".toast").first).to_contain_text("preparado")

    prepare("Una versión que el cliente no firmará.")
    pg.once("dialog", lambda dialog: dialog.accept())
    pg.get_by_role("button", name="Descartar borrador").click()
    expect(pg.locator(".toast").first).to_contain_text("descartado")
    assert Contract.select().count() == 0

    prepare("Representación en el proceso laboral hasta primera instancia.")
    pg.get_by_role("button", name="Activar contrato").click()
    expect(pg.locator(".field.has-error")).to_have_count(2)
    expect(pg.get_by_text("Indica la fecha en que firmó el cliente.")).to_be_visible()
    shoot(pg, "contract-activation-asks")
    pg.get_by_label("Fecha de firma").fill(firm_today.isoformat())
    pg.get_by_label("Firmado por (cliente)").fill("Carlos Andrés Mejía")
    pg.get_by_role("button", name="Activar contrato").click()
    expect(pg.locator(".toast").first).to_contain_text("el cliente ya está activo")
    assert Client.get_by_id(client.id).status == "active"
    assert Contract.get().signer == "Carlos Andrés Mejía"

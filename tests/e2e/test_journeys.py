"""Journeys as a person clicks them, in Chromium."""

import re
import time

import pyotp
import pytest
from playwright.sync_api import expect

from models.users import User
from tests.e2e.conftest import shoot
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.e2e


def _sign_in(pg, user, password=PASSWORD):
    pg.get_by_label("Correo electrónico").fill(user.email)
    pg.get_by_label("Contraseña").fill(password)
    pg.get_by_role("button", name="Continuar").click()
    pg.get_by_label("Código de verificación").fill(pyotp.TOTP(user.totp_plain).now())
    pg.get_by_role("button", name="Verificar").click()


def _sign_out(pg):
    """"Salir" is in the person's menu at the right of the top bar."""
    pg.locator("details.navgroup-end > summary").click()
    pg.get_by_role("button", name="Salir").click()


def _no_csp_violations(pg):
    refused = [m for m in pg.console_messages if "Refused to" in m or "Content Security Policy" in m]
    assert refused == []


def _enrol_with_key_on_page(pg):
    key = pg.locator("[data-testid=totp-key] code").inner_text().replace(" ", "")
    pg.get_by_label("Código de verificación").fill(pyotp.TOTP(key).now())
    pg.get_by_role("button", name="Activar").click()
    pg.wait_for_selector("[data-testid=recovery-codes]")
    codes = pg.locator("[data-testid=recovery-codes] li").all_inner_texts()
    assert len(codes) == 10
    return key


def test_new_admin_activates_enrols_creates_a_colleague_who_signs_in(app, page, mailbox):
    pg = page
    result = app.test_cli_runner().invoke(args=["users", "create-admin", "directora@firma.test", "--name", "Laura Gómez"])
    link = re.search(r"(http://127\.0\.0\.1:\d+/activar/\S+)", result.output).group(1)

    pg.goto(link)
    assert "Te damos la bienvenida, Laura Gómez" in pg.content()
    pg.get_by_label("Nueva contraseña").fill("corta")
    pg.get_by_label("Repite la contraseña").fill("corta")
    pg.get_by_role("button", name="Guardar contraseña y continuar").click()
    assert pg.locator("#password-error").is_visible()  # the reason is beside the field
    pg.get_by_label("Nueva contraseña").fill("atardecer sobre el río magdalena")
    pg.get_by_label("Repite la contraseña").fill("atardecer sobre el río magdalena")
    pg.get_by_role("button", name="Guardar contraseña y continuar").click()
    pg.wait_for_url("**/entrar/configurar-2fa")
    assert pg.locator("figure.qr-box svg").count() == 1
    shoot(pg, "enrol")
    shoot(pg, "enrol", 360)
    pg.set_viewport_size({"width": 1280, "height": 860})
    _enrol_with_key_on_page(pg)
    shoot(pg, "recovery-codes")
    pg.get_by_role("link", name="Ya los guardé, continuar").click()
    pg.wait_for_url(f"{pg.base}/")
    assert "Hola, Laura" in pg.content()
    shoot(pg, "home")
    shoot(pg, "home", 360)
    pg.set_viewport_size({"width": 1280, "height": 860})

    pg.get_by_text("Administración", exact=True).click()  # the top bar's drop-down group
    pg.get_by_role("link", name="Usuarios", exact=True).click()
    pg.get_by_role("link", name="Nuevo usuario").click()
    assert "/confirmar" not in pg.url  # she authenticated minutes ago: no second password prompt
    pg.get_by_label("Nombre completo").fill("Camilo Restrepo")
    pg.get_by_label("Correo electrónico").fill("camilo@firma.test")
    pg.get_by_label("Departamento Comercial").check()
    shoot(pg, "invite")
    pg.get_by_role("button", name="Crear y enviar enlace").click()
    pg.wait_for_selector("text=Cuenta creada")
    shoot(pg, "user-detail")
    _no_csp_violations(pg)

    (message,) = mailbox.to("camilo@firma.test")
    colleague_link = re.search(r"(http://127\.0\.0\.1:\d+/activar/\S+)", mailbox.text(message)).group(1)
    _sign_out(pg)
    pg.wait_for_url("**/entrar?salida=1")

    pg.goto(colleague_link)
    pg.get_by_label("Nueva contraseña").fill("brújula naranja del puerto viejo")
    pg.get_by_label("Repite la contraseña").fill("brújula naranja del puerto viejo")
    pg.get_by_role("button", name="Guardar contraseña y continuar").click()
    pg.wait_for_url("**/entrar/configurar-2fa")
    key = _enrol_with_key_on_page(pg)
    pg.get_by_role("link", name="Ya los guardé, continuar").click()
    assert "Hola, Camilo" in pg.content()
    nav = pg.locator("nav.mainnav").inner_text()
    assert "Usuarios" not in nav and "Registro de auditoría" not in nav and "Administración" not in nav
    pg.goto(f"{pg.base}/admin/usuarios")
    assert "No tienes acceso a esta página" in pg.content()
    pg.goto(f"{pg.base}/")
    _sign_out(pg)
    pg.wait_for_url("**/entrar?salida=1")
    assert "Has cerrado sesión" in pg.content()

    # Signing in again asks for the code from the app.
    pg.get_by_label("Correo electrónico").fill("camilo@firma.test")
    pg.get_by_label("Contraseña").fill("brújula naranja del puerto viejo")
    pg.get_by_role("button", name="Continuar").click()
    pg.wait_for_url("**/entrar/verificacion**")
    shoot(pg, "verify", 360)
    pg.get_by_label("Código de verificación").fill(pyotp.TOTP(key).at(time.time() + 30))  # enrolment used this step
    pg.get_by_role("button", name="Verificar").click()
    pg.wait_for_url(f"{pg.base}/")
    _no_csp_violations(pg)


def test_shell_sign_in_search_as_you_type_and_sign_out(app, page):
    pg = page
    with app.app_context():
        admin = make_user(roles=("admin",), name="Andrea Salazar")
        for name in ("Mariana Ospina", "Jorge Pérez", "Lucía Martínez"):
            make_user(roles=("service",), name=name)
    pg.goto(f"{pg.base}/admin/usuarios")
    pg.wait_for_url("**/entrar?next=/admin/usuarios")
    shoot(pg, "login")
    shoot(pg, "login", 360)
    pg.set_viewport_size({"width": 1280, "height": 860})
    _sign_in(pg, admin)
    pg.wait_for_url("**/admin/usuarios")
    assert pg.locator("#users-table tbody tr").count() == 4
    pg.evaluate("window.__marker = 'no reload'")
    pg.get_by_label("Buscar").press_sequentially("ospi", delay=40)
    expect(pg.locator("#users-table tbody tr")).to_have_count(1)
    assert pg.evaluate("window.__marker") == "no reload"  # swapped in place, no page load
    assert "q=ospi" in pg.url  # the URL carries the state
    shoot(pg, "users")
    shoot(pg, "users", 360)
    pg.set_viewport_size({"width": 360, "height": 860})
    pg.get_by_text("Menú").click()
    _sign_out(pg)
    pg.wait_for_url("**/entrar?salida=1")
    assert User.get_by_id(admin.id).is_active
    _no_csp_violations(pg)


def test_idle_warning_offers_to_stay_signed_in(app, page):
    pg = page
    with app.app_context():
        user = make_user(roles=("commercial",))
    pg.clock.install()
    pg.goto(f"{pg.base}/entrar")
    _sign_in(pg, user)
    pg.wait_for_url(f"{pg.base}/")
    warning = pg.locator("#idle-warning")
    assert warning.is_hidden()
    pg.clock.run_for("12:30")  # 15 min idle timeout, warning two minutes before
    assert warning.is_hidden()
    pg.clock.run_for("01:00")
    expect(warning).to_be_visible()
    shoot(pg, "idle-warning")
    with pg.expect_response("**/sesion/estado") as answer:
        pg.get_by_role("button", name="Mantener la sesión abierta").click()
    assert answer.value.status == 204
    expect(warning).to_be_hidden()


def test_intake_to_active_client(clock, app, page, firm_today):
    """Register a prospect whose counterparty is a party in another matter, see the conflict, decide,
    evaluate, verify, consent, quote, contract: the client is active. The dates typed are the firm's, at an hour
    when the machine's date is already tomorrow."""
    from datetime import timedelta

    from models.clients import Client
    from tests.factories import make_area, make_client, make_notice

    pg = page
    with app.test_request_context():
        user = make_user(roles=("commercial",), name="Julia Beltrán")
        area = make_area("Derecho laboral")
        make_notice()
        make_client(name="Transportes Andinos S.A.S.", kind="company", document_type="NIT", document_number="9001234568",
                    email="", phone="", counterparties=[{"name": "Ferretería El Tornillo Ltda.", "kind": "counterparty",
                                                         "document_type": "", "document_number": ""}])
    pg.goto(f"{pg.base}/clientes/nuevo")
    _sign_in(pg, user)
    pg.wait_for_url("**/clientes/nuevo")

    # The most common intake first: a name, the practice area and the need, no counterparties.
    pg.get_by_label("Nombre completo o razón social").fill("Lucía Fernanda Ortiz")
    pg.get_by_label("Área de práctica").select_option(str(area.id))
    pg.get_by_label("¿Qué necesita?").fill("Revisión de su liquidación laboral.")
    expect(pg.get_by_label("Contrapartes y partes vinculadas")).to_have_value("")
    pg.get_by_role("button", name="Verificar duplicados y conflictos").click()
    expect(pg.locator("#check-results")).to_contain_text("No hay posibles conflictos de interés.")
    pg.get_by_role("button", name="Registrar prospecto").click()
    pg.wait_for_url("**/clientes/*/admision")
    expect(pg.locator("#client-status")).to_contain_text("Prospecto")
    assert Client.get(Client.name == "Lucía Fernanda Ortiz").status == "prospect"
    pg.goto(f"{pg.base}/clientes/nuevo")

    pg.get_by_label("Nombre completo o razón social").fill("Carlos Andrés Mejía")
    pg.get_by_label("Documento de identidad").select_option("CC")
    pg.get_by_label("Número de documento", exact=True).fill("80123456")
    pg.get_by_label("Correo electrónico", exact=True).fill("carlos.mejia@correo.test")
    pg.get_by_label("Teléfono", exact=True).fill("310 555 1234")
    pg.get_by_label("Área de práctica").select_option(str(area.id))
    pg.get_by_label("¿Qué necesita?").fill("Reclamación por despido sin justa causa.")
    pg.get_by_label("Tipo de cliente").select_option("impatient")
    pg.get_by_label("Contrapartes y partes vinculadas").fill("Ferreteria El Tornillo Ltda")
    pg.get_by_role("button", name="Verificar duplicados y conflictos").click()
    expect(pg.locator("#check-results")).to_contain_text("Ferretería El Tornillo Ltda.")
    expect(pg.locator("#check-results")).to_contain_text("Transportes Andinos S.A.S.")
    shoot(pg, "intake-conflict")
    pg.get_by_role("button", name="Registrar prospecto").click()
    pg.wait_for_url("**/clientes/*/admision")
    expect(pg.locator(".notice-advice")).to_contain_text("Evitar tantos detalles")

    pg.get_by_label("Conflicto dispensado").check()
    pg.locator("#conflict-check").get_by_label("Motivo").fill("La contraparte es otra sede; sin relación con el asunto.")
    pg.get_by_role("button", name="Guardar decisión").click()
    # The saved decision's badge (the option's label says the same words before anything is saved).
    expect(pg.locator("#conflict-check .badge", has_text="Conflicto dispensado")).to_have_count(1)
    pg.get_by_role("button", name="Iniciar evaluación").click()
    expect(pg.locator("#client-status")).to_contain_text("En evaluación")
    pg.locator("#evaluation").get_by_label("Sí").check()
    pg.get_by_label("Consulta inicial: fecha").fill(firm_today.isoformat())
    pg.get_by_role("button", name="Guardar evaluación").click()
    expect(pg.locator(".toast").last).to_contain_text("Evaluación guardada")
    for item in ("identity_document", "case_authenticity", "power_of_attorney"):
        row = pg.locator(f"form:has(input[value='{item}'])")
        row.locator("select").select_option("not_applicable" if item == "power_of_attorney" else "verified")
        with pg.expect_response("**/verificacion") as answer:
            row.get_by_role("button", name="Guardar").click()
        assert answer.value.status == 200
        expect(pg.locator(f"form:has(input[value='{item}']) select")).to_have_value(
            "not_applicable" if item == "power_of_attorney" else "verified")
    pg.get_by_role("link", name="Consentimiento").click()
    pg.wait_for_url("**/clientes/*/consentimiento")  # the tab alone is swapped in; the address is the tab's own
    expect(pg.locator(".client-head")).to_have_count(1)
    pg.get_by_label("Prestación del servicio").check()
    pg.get_by_label("Encuestas de satisfacción").check()
    pg.get_by_role("button", name="Registrar consentimiento").click()
    expect(pg.locator("#client-tab")).to_contain_text("Otorgado")
    pg.get_by_role("link", name="Admisión y evaluación").click()
    pg.get_by_role("button", name="Aceptar").click()
    expect(pg.locator("#client-status")).to_contain_text("Aceptado")
    shoot(pg, "intake-accepted")

    pg.get_by_role("link", name="Cotizaciones y contratos").click()
    pg.wait_for_url("**/comercial/clientes/*")  # a tab another blueprint serves, in the same frame
    expect(pg.locator(".client-head")).to_have_count(1)
    pg.get_by_role("link", name="Nueva cotización").click()
    pg.get_by_label("Servicio 1").fill("Demanda laboral ordinaria")
    pg.get_by_label("Cantidad 1").fill("1")
    pg.get_by_label("Precio unitario 1").fill("2500000")
    pg.get_by_label("Válida hasta").fill((firm_today + timedelta(days=20)).isoformat())
    pg.get_by_role("button", name="Guardar borrador").click()
    pg.get_by_role("button", name="Marcar como enviada al cliente").click()
    pg.get_by_role("button", name="El cliente aceptó").click()
    shoot(pg, "quotation")
    pg.get_by_role("link", name="Preparar el contrato de servicio").click()
    pg.get_by_label("Condiciones del servicio").fill("Representación en el proceso laboral hasta primera instancia.")
    pg.get_by_label("Inicio", exact=True).fill(firm_today.isoformat())
    pg.get_by_label("Fin", exact=True).fill((firm_today + timedelta(days=365)).isoformat())
    pg.get_by_label("Responsabilidades de la firma").fill("Informar cada 15 días.")
    pg.get_by_label("Responsabilidades del cliente").fill("Aportar las pruebas.")
    pg.get_by_label("Fecha de firma").fill(firm_today.isoformat())
    pg.get_by_label("Firmado por (cliente)").fill("Carlos Andrés Mejía")
    pg.get_by_role("button", name="Guardar contrato").click()
    pg.get_by_role("button", name="Activar contrato").click()
    expect(pg.locator(".toast").first).to_contain_text("el cliente ya está activo")
    assert Client.get(Client.name == "Carlos Andrés Mejía").status == "active"
    _no_csp_violations(pg)

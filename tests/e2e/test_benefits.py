"""A recurring client's draft quotation offers the loyalty discount; applying it adds the line and lowers the total,
and the client's "Beneficios" tab shows it (issue 18 item 3), as a person clicks it in Chromium."""

from datetime import timedelta
from decimal import Decimal

import pyotp
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import shoot
from tests.factories import PASSWORD, make_client, make_user

pytestmark = pytest.mark.e2e


def test_a_recurring_client_gets_its_discount(clock, app, page, firm_today):
    from models.benefits import BenefitRule
    from models.clients import Client
    from models.commercial import Contract, Quotation, QuotationLine

    pg = page
    with app.test_request_context():
        user = make_user(roles=("commercial",), name="Julia Beltrán")
        client = make_client(name="Comercializadora Andina SAS")
        Client.update(status="active").where(Client.id == client.id).execute()
        for n in range(2):
            old = Quotation.create(client=client, number=n + 1, status="accepted", valid_until=firm_today)
            Contract.create(client=client, quotation=old, status="active" if n else "expired",
                            start_date=firm_today - timedelta(days=700 - 365 * n),
                            end_date=firm_today - timedelta(days=335 - 365 * n))
        draft = Quotation.create(client=client, number=3, valid_until=firm_today + timedelta(days=30))
        QuotationLine.create(quotation=draft, position=0, service="Acompañamiento laboral mensual",
                             quantity=Decimal("12"), unit_price=Decimal("900000"), tax_rate=Decimal("19"))
        BenefitRule.create(name="Cliente recurrente", kind="discount", percent=Decimal("10"), basis="contracts",
                           threshold=2)
    pg.goto(f"{pg.base}/comercial/cotizaciones/{draft.id}")
    pg.get_by_label("Correo electrónico").fill(user.email)
    pg.get_by_label("Contraseña").fill(PASSWORD)
    pg.get_by_role("button", name="Continuar").click()
    pg.get_by_label("Código de verificación").fill(pyotp.TOTP(user.totp_plain).now())
    pg.get_by_role("button", name="Verificar").click()

    expect(pg.locator(".totals .total")).to_contain_text("12.852.000")  # 10.800.000 + 19 %
    pg.get_by_role("button", name="Aplicar beneficio").click()
    expect(pg.locator(".toast").first).to_contain_text("Beneficio aplicado")
    expect(pg.locator("table.lines")).to_contain_text("Beneficio de fidelización: Cliente recurrente (descuento del 10 %)")
    expect(pg.locator(".totals .total")).to_contain_text("11.566.800")  # 90 %
    expect(pg.get_by_role("button", name="Aplicar beneficio")).to_have_count(0)
    shoot(pg, "benefit-applied")
    pg.goto(f"{pg.base}/fidelizacion/clientes/{client.id}/beneficios")
    expect(pg.locator("#client-tab")).to_contain_text("Cliente recurrente")
    expect(pg.locator("#client-tab")).to_contain_text("Julia Beltrán")

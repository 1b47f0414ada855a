"""The crisis protocol in Chromium: a customer-service person opens "Cliente en crisis" from the client's
page, ticks steps (htmx), documents, escalates to a supervisor; the supervisor's notification arrives by
SMTP, its link opens the incident and the supervisor records their intervention (issue 6)."""

import re

import pytest
from playwright.sync_api import expect

from models.complaints import CrisisIncident, CrisisStep
from services.complaints import crisis_protocol as protocol
from tests.e2e.conftest import shoot
from tests.e2e.test_journeys import _no_csp_violations, _sign_in
from tests.factories import make_client, make_user

pytestmark = pytest.mark.e2e


def _top(pg):
    pg.keyboard.press("Home")
    pg.locator("h1").first.scroll_into_view_if_needed()


def test_crisis_protocol_from_client_page_to_supervisor(app, page, browser, mailbox):
    pg = page
    with app.test_request_context():
        me = make_user(roles=("service",), name="Ana Martínez", email="ana@duarte.test")
        boss = make_user(roles=("quality",), name="Beatriz Salcedo", email="beatriz@duarte.test")
        client = make_client(name="Rodrigo Peña Salas")

    pg.goto(f"{pg.base}/clientes/{client.id}")
    _sign_in(pg, me)
    pg.wait_for_url(f"**/clientes/{client.id}")
    expect(pg.locator("[data-testid=crisis-flag]")).to_have_count(0)
    pg.locator(".crisis-button button").click()
    pg.wait_for_url(re.compile(r".*/crisis/\d+$"))
    incident_id = int(pg.url.rsplit("/", 1)[1])
    expect(pg.locator(".crisis-step")).to_have_count(8)
    expect(pg.locator("#paso-2")).to_contain_text(protocol.STEPS[1].phrase)

    # Steps ticked in place (htmx): the time appears, the rest of the page stays.
    pg.locator("#paso-1 button").click()
    expect(pg.locator("[data-testid=step-1-done]")).to_be_visible()
    pg.locator("#paso-2 button").click()
    expect(pg.locator("[data-testid=step-2-done]")).to_be_visible()
    assert sorted(CrisisStep.of_incident(incident_id)) == [1, 2]
    _top(pg)
    shoot(pg, "crisis-incident", 1280)
    shoot(pg, "crisis-incident", 360)

    # Document, then escalate to the supervisor.
    pg.locator("#behaviour").fill("Alzó la voz en recepción y exigió hablar con el socio.")
    pg.locator("#actions-1").check()  # empathic apology
    pg.locator("#registro form button[type=submit]").click()
    pg.wait_for_url(f"**/crisis/{incident_id}#registro")
    expect(pg.locator("#behaviour")).to_have_value("Alzó la voz en recepción y exigió hablar con el socio.")
    pg.locator("#supervisor").select_option(str(boss.id))
    pg.locator("#escalado form button[type=submit]").click()
    pg.wait_for_url(f"**/crisis/{incident_id}#escalado")
    expect(pg.locator("[data-testid=escalated]")).to_contain_text("Beatriz Salcedo")
    expect(pg.locator("[data-testid=step-6-done]")).to_be_visible()
    _no_csp_violations(pg)

    # The supervisor's email arrived by SMTP, with a link and nothing confidential.
    [message] = mailbox.to("beatriz@duarte.test")
    text = mailbox.text(message)
    assert "Alzó la voz" not in text and "Rodrigo" not in text
    link = re.search(r"(http://127\.0\.0\.1:\d+/crisis/\d+)", text).group(1)
    assert link == f"{pg.base}/crisis/{incident_id}"

    context = browser.new_context(viewport={"width": 360, "height": 780}, locale="es-CO")
    sup = context.new_page()
    sup.set_default_timeout(10_000)
    sup.goto(link)
    _sign_in(sup, boss)
    sup.wait_for_url(f"**/crisis/{incident_id}")
    expect(sup.locator("[data-testid=escalated]")).to_be_visible()
    sup.goto(f"{pg.base}/mi-trabajo")
    expect(sup.locator(f"#work-crisis a[href='/crisis/{incident_id}']")).to_be_visible()
    sup.locator(f"#work-crisis a[href='/crisis/{incident_id}']").click()
    sup.wait_for_url(f"**/crisis/{incident_id}")
    sup.locator("#note").fill("Atendí al cliente en mi oficina; acordamos una reunión con el socio.")
    sup.locator("#escalado form button[type=submit]").click()
    sup.wait_for_url(f"**/crisis/{incident_id}#escalado")
    expect(sup.locator("[data-testid=supervisor-note]")).to_contain_text("acordamos una reunión")
    assert CrisisIncident.get_by_id(incident_id).supervisor_at is not None
    sup.goto(f"{pg.base}/mi-trabajo")
    expect(sup.locator("#work-crisis")).to_have_count(0)
    context.close()

    # The client's page now carries the flag and the protocol's advice.
    pg.goto(f"{pg.base}/clientes/{client.id}")
    expect(pg.locator("[data-testid=crisis-flag]")).to_contain_text(protocol.ADVICE[1])
    shoot(pg, "crisis-client-flag", 1280)
    shoot(pg, "crisis-client-flag", 360)
    _no_csp_violations(pg)

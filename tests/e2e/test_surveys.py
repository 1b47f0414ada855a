"""The satisfaction survey end to end, in Chromium (issue 6): an invitation goes out through the jobs and a
local SMTP server; the client follows the link from the message on a 360 px phone with JavaScript off,
answers with a low score and sees the thanks page; the quality manager signs in, finds the answer in the
satisfaction record, and the complaint it opened for follow-up."""

import re

import pytest
from playwright.sync_api import expect

from core.i18n import today_local
from models.complaints import Complaint
from models.surveys import SurveyInvitation, SurveyResponse
from services import clients, surveys
from tests.e2e.conftest import shoot
from tests.e2e.test_journeys import _no_csp_violations, _sign_in
from tests.factories import make_case, make_notice, make_user

pytestmark = pytest.mark.e2e


def test_invitation_by_mail_answered_on_a_phone_then_seen_in_the_record(clock, app, page, browser, mailbox):
    pg = page
    with app.test_request_context():
        quality = make_user(roles=("quality",), name="Clara Quintero", email="clara@duarte.test")
        lawyer = make_user(roles=("operations",), name="Laura Gómez Ríos", email="laura@duarte.test")
        case = make_case(responsible=lawyer, client_name="María Fernanda Rojas", title="Demanda por despido sin justa causa")
        make_notice()
        clients.record_consent(case.client, ["surveys"], "written", today_local(), "", lawyer)
        invitation = surveys.invite(case.client, case, surveys.default_template(), None, lawyer)
    assert invitation.email == "maria.rojas@correo.test"

    result = app.test_cli_runner().invoke(args=["jobs", "run"])
    assert result.exit_code == 0, result.output
    [message] = mailbox.to("maria.rojas@correo.test")
    text = mailbox.text(message)
    link = re.search(r"(http://127\.0\.0\.1:\d+/e/[A-Za-z0-9_-]{43})\b", text).group(1)
    assert link in mailbox.html(message) and "/baja" in text

    phone = browser.new_context(viewport={"width": 360, "height": 780}, locale="es-CO", java_script_enabled=False)
    client = phone.new_page()
    client.set_default_timeout(10_000)
    client.goto(link)
    expect(client.locator("h1")).to_contain_text("Encuesta de satisfacción")
    expect(client.locator(".survey-service")).to_contain_text("Demanda por despido sin justa causa")
    assert client.evaluate("document.documentElement.scrollWidth") <= 360  # nothing wider than the phone
    questions = list(surveys.default_template().ordered_questions())

    # Sent with nothing chosen: the summary on top, the reason beside each required question.
    client.locator(".survey-actions button").click()
    expect(client.locator(".error-summary")).to_be_visible()
    required = [q for q in questions if q.required]
    expect(client.locator(".question.has-error")).to_have_count(len(required))
    shoot(client, "survey-form-errors", 360)

    for q in questions:
        if q.kind == "rating":
            score = 1 if q.criterion == "response_times" else 4
            client.locator(f"label[for=q{q.id}-o{score - 1}]").click()
        elif q.kind == "nps":
            client.locator(f"label[for=q{q.id}-o5]").click()
        elif q.kind == "text":
            client.locator(f"#q{q.id}-text").fill("Tardaron mucho en devolverme las llamadas.")
    first = questions[0]
    expect(client.locator(f"#q{first.id}-o0")).to_be_checked()
    client.locator("h1").scroll_into_view_if_needed()
    shoot(client, "survey-form", 360)
    client.locator(".survey-actions button").click()
    client.wait_for_url("**/e/gracias")
    expect(client.locator(".survey-done h1")).to_be_visible()
    shoot(client, "survey-thanks", 360)
    client.goto(link)  # the link worked once
    expect(client.locator(".survey-form")).to_have_count(0)
    phone.close()

    response = SurveyResponse.get()
    assert response.low_score and response.min_rating == 1 and response.nps == 5
    assert SurveyInvitation.get_by_id(invitation.id).status == "answered"
    complaint = Complaint.get()
    assert complaint.source == "survey" and complaint.owner_id == lawyer.id

    pg.goto(f"{pg.base}/encuestas/resultados")
    _sign_in(pg, quality)
    pg.wait_for_url("**/encuestas/resultados")
    expect(pg.locator("[data-testid=responses]")).to_have_text("1")
    expect(pg.locator("[data-testid=low-scores]")).to_have_text("1")
    expect(pg.locator("[data-testid=nps]")).to_have_text("-100")
    shoot(pg, "survey-results", 1280)
    pg.locator(".survey-tabs a").nth(1).click()
    pg.wait_for_url("**/encuestas/resultados/respuestas")
    row = pg.locator("[data-testid=responses] tbody tr").first
    expect(row).to_contain_text("María Fernanda Rojas")
    expect(row.locator(".badge-danger")).to_be_visible()
    shoot(pg, "survey-responses", 1280)
    pg.locator(".survey-tabs a").nth(2).click()
    expect(pg.locator("[data-testid=comments]")).to_contain_text("Tardaron mucho")
    _no_csp_violations(pg)

    pg.goto(f"{pg.base}/quejas")
    expect(pg.locator("main")).to_contain_text(complaint.number)
    expect(pg.locator("main")).to_contain_text("María Fernanda Rojas")

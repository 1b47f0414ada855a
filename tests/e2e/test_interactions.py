"""The interaction log as a lawyer uses it, in Chromium: an entry appears at the top without a reload."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from core.db import utcnow
from core.i18n import today_local
from models.interactions import Interaction, Meeting
from services import interactions as service
from tests.e2e.conftest import shoot
from tests.e2e.test_journeys import _no_csp_violations, _sign_in
from tests.factories import make_case, make_user

pytestmark = pytest.mark.e2e


def _older_entries(app, case, user):
    with app.test_request_context():
        for i, (kind, direction, summary) in enumerate((
                ("update", "out", "Enviamos el resumen de la audiencia de conciliación."),
                ("question", "in", "La clienta pregunta cuándo se radica la demanda."))):
            service.log(case.client, {"occurred_at": utcnow() - timedelta(days=2 - i), "channel": "email", "kind": kind,
                                      "direction": direction, "summary": summary, "confidential": False, "case": None,
                                      "follow_up_on": None}, user, case=case)


def test_log_an_interaction_and_see_it_on_top_without_reload(clock, app, page):
    pg = page
    with app.test_request_context():
        today = today_local()
        lawyer = make_user(roles=("operations",), name="Laura Gómez Ríos")
        case = make_case(responsible=lawyer, title="Demanda por despido sin justa causa")
    _older_entries(app, case, lawyer)

    pg.goto(f"{pg.base}/interacciones/casos/{case.id}")
    _sign_in(pg, lawyer)
    pg.wait_for_url(f"**/interacciones/casos/{case.id}")
    expect(pg.locator("#timeline-items > li.entry")).to_have_count(2)
    pg.evaluate("window.__marker = 'no reload'")
    url = pg.url

    # An empty summary: the reason beside the field, in place.
    pg.locator("#summary").fill("")
    pg.locator("#interaction-form button[type=submit]").click()
    expect(pg.locator("#summary-error")).to_be_visible()
    assert Interaction.select().count() == 2

    pg.locator("input[name=direction][value=in]").check()
    pg.locator("#channel").select_option("phone")
    pg.locator("#kind").select_option("concern")
    pg.locator("#summary").fill("Llamó preocupada por el plazo de prescripción; le explicamos el calendario.")
    pg.locator(".follow-up > summary").click()
    pg.locator("#follow_up_on").fill((today + timedelta(days=3)).isoformat())
    pg.locator("#interaction-form button[type=submit]").click()

    first = pg.locator("#timeline-items > li.entry").first
    expect(first).to_contain_text("plazo de prescripción")
    expect(pg.locator("#timeline-items > li.entry")).to_have_count(3)
    expect(pg.locator("#toasts .toast-success")).to_contain_text("Interacción registrada")
    expect(pg.locator("#summary")).to_have_value("")  # a fresh form
    assert pg.evaluate("window.__marker") == "no reload" and pg.url == url  # no page load
    shoot(pg, "interactions-case")

    # Marking the concern answered swaps the entry in place.
    first.locator("button.btn-small").click()
    expect(pg.locator("#timeline-items > li.entry").first.locator(".badge-ok")).to_be_visible()
    assert Interaction.select().where(Interaction.answered_at.is_null(False)).count() == 1

    # Filters swap the list and keep the state in the URL.
    pg.locator("#canal").select_option("email")
    expect(pg.locator("#timeline-items > li.entry")).to_have_count(2)
    assert "canal=email" in pg.url and pg.evaluate("window.__marker") == "no reload"
    shoot(pg, "interactions-case", 360)
    _no_csp_violations(pg)


def test_client_tab_and_meeting_with_protocol_warning(clock, app, page, mailbox):
    pg = page
    with app.test_request_context():
        today = today_local()
        lawyer = make_user(roles=("operations",), name="Laura Gómez Ríos")
        case = make_case(responsible=lawyer)
    _older_entries(app, case, lawyer)
    pg.goto(f"{pg.base}/interacciones/clientes/{case.client_id}")
    _sign_in(pg, lawyer)
    pg.wait_for_url(f"**/interacciones/clientes/{case.client_id}")
    expect(pg.locator("#timeline-items > li.entry")).to_have_count(2)
    shoot(pg, "interactions-client")
    shoot(pg, "interactions-client", 360)
    pg.set_viewport_size({"width": 1280, "height": 860})

    pg.locator("#meetings a.btn").click()
    pg.locator("#agenda").fill("Revisar la propuesta de conciliación y los siguientes pasos.")
    pg.locator("#starts_on").fill((today + timedelta(days=1)).isoformat())
    pg.locator("#starts_time").fill("10:00")
    pg.locator("#location").fill("https://meet.example.test/abc-defg")
    pg.locator("#meeting-form button[type=submit]").click()
    expect(pg.locator(".protocol-warnings")).to_be_visible()  # less than three days ahead
    assert Meeting.select().count() == 0
    shoot(pg, "meeting-form")
    pg.locator("#confirm").check()
    pg.locator("#meeting-form button[type=submit]").click()
    pg.wait_for_url("**/interacciones/reuniones/*")
    expect(pg.locator("#toasts .toast-success")).to_be_visible()
    assert Meeting.get().invitation_sent_at is not None and len(mailbox.to("maria.rojas@correo.test")) == 1
    shoot(pg, "meeting")
    shoot(pg, "meeting", 360)
    _no_csp_violations(pg)


def test_a_follow_up_owner_off_the_team_is_found_by_name(clock, app, page):
    """The picker offers the case's team; typing part of a name in the search under it fills its "found" group
    and chooses the first match; Enter in the search submits nothing."""
    from models.tasks import Task

    pg = page
    with app.test_request_context():
        today = today_local()
        lawyer = make_user(roles=("operations",), name="Laura Gómez Ríos")
        colleague = make_user(roles=("service",), name="Íñigo Santamaría Vélez")
        for i in range(30):
            make_user(roles=("commercial",), name=f"Persona {i:02d} Relleno", password=None)
        case = make_case(responsible=lawyer, title="Demanda por despido sin justa causa")
    pg.goto(f"{pg.base}/interacciones/casos/{case.id}")
    _sign_in(pg, lawyer)
    pg.wait_for_url(f"**/interacciones/casos/{case.id}")
    pg.locator("#summary").fill("Acordamos que Íñigo llama a la clienta para explicar la conciliación.")
    pg.locator(".follow-up > summary").click()
    pg.locator("#follow_up_on").fill((today + timedelta(days=2)).isoformat())
    expect(pg.locator("#follow_up_owner option")).to_have_count(1)  # the lawyer: the whole team
    search = pg.get_by_label("¿Otra persona? Búscala por su nombre")
    search.fill("inigo sant")
    search.press("Enter")  # belongs to no form: nothing is sent
    expect(pg.locator("#follow_up_owner-encontradas")).to_have_text(
        "1 persona encontrada: se elige a Íñigo Santamaría Vélez.")
    expect(pg.locator("#follow_up_owner")).to_have_value(str(colleague.id))
    assert Interaction.select().count() == 0
    shoot(pg, "interactions-picker")
    pg.set_viewport_size({"width": 360, "height": 860})
    assert pg.evaluate("document.documentElement.scrollWidth") <= 360
    shoot(pg, "interactions-picker", 360)
    pg.locator("#interaction-form button[type=submit]").click()
    expect(pg.locator("#toasts .toast-success")).to_contain_text("Interacción registrada")
    assert Task.get().owner_id == colleague.id
    _no_csp_violations(pg)

"""Improvement actions in Chromium: quality opens an action from a complaint's page (prefilled with its root
cause and linked to it), records the plan, asks for verification, is refused closing without the effectiveness
check (the message beside the field) and closes it with the check; the list and the page at 1280 and 360 px."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from core.i18n import today_local
from models.quality import ImprovementAction
from services import complaints
from tests.e2e.conftest import shoot
from tests.e2e.test_journeys import _no_csp_violations, _sign_in
from tests.factories import make_user

pytestmark = pytest.mark.e2e


def test_complaint_to_action_closed_only_with_its_effectiveness_check(app, page):
    pg = page
    with app.test_request_context():
        me = make_user(roles=("quality",), name="Beatriz Salcedo", email="beatriz@duarte.test")
        complaint = complaints.open_complaint(kind="complaint", owner=me, walk_in_name="Ana Rojas",
                                              description="Nadie devolvió las llamadas durante dos semanas.")
        complaints.change_status(complaint, "analysis", me)
        complaints.save_analysis(complaint, "La línea de atención no tenía responsable los viernes.",
                                 "Se llamó a la clienta.", me)
        today = today_local()

    pg.goto(f"{pg.base}/quejas/{complaint.id}")
    _sign_in(pg, me)
    pg.wait_for_url(f"**/quejas/{complaint.id}")
    pg.locator("[data-testid=open-improvement-action]").click()
    pg.wait_for_url(re.compile(r".*/calidad/acciones/nueva\?queja=\d+$"))
    expect(pg.locator("[data-testid=from-complaint]")).to_contain_text(complaint.number)
    expect(pg.locator("#cause_analysis")).to_have_value("La línea de atención no tenía responsable los viernes.")
    pg.locator("#due_on").fill((today + timedelta(days=30)).isoformat())
    shoot(pg, "improvement-action-new", 1280)
    pg.get_by_role("button", name="Abrir la acción").click()
    pg.wait_for_url(re.compile(r".*/calidad/acciones/\d+$"))
    action = ImprovementAction.get()
    assert (action.complaint_id, action.source) == (complaint.id, "complaint")

    pg.get_by_role("button", name="Empezar el trabajo").click()
    expect(pg.locator("[data-status]")).to_have_text("En curso")
    pg.locator("#correction").fill("Se devolvieron todas las llamadas pendientes.")
    pg.locator("#corrective_action").fill("Turno fijo de atención los viernes.")
    pg.locator("#preventive_action").fill("Revisar cada mes que cada turno tenga responsable.")
    pg.locator(f"#action-{action.id}-plan button[type=submit]").click()
    # The plan's answer replaces the action's section: wait for it, or the next click lands on the old button.
    expect(pg.locator("#toasts .toast-success", has_text="Análisis y plan guardados")).to_be_visible()
    expect(pg.locator("#correction")).to_have_value("Se devolvieron todas las llamadas pendientes.")
    pg.get_by_role("button", name="Pasar a verificación").click()
    expect(pg.locator("[data-status]")).to_have_text("Pendiente de verificación")

    # Closing without the check is refused, the message beside the field; the action stays open.
    pg.locator("#verified_by").select_option("0")
    pg.get_by_role("button", name="Cerrar la acción").click()
    expect(pg.locator("#effectiveness_check-error")).to_be_visible()
    expect(pg.locator("#verified_by-error")).to_be_visible()
    assert ImprovementAction.get_by_id(action.id).status == "verifying"
    shoot(pg, "improvement-action-refused", 1280)
    shoot(pg, "improvement-action-refused", 360)
    pg.set_viewport_size({"width": 1280, "height": 860})

    pg.locator("#effectiveness_check").fill("Llamadas devueltas el mismo día: 98 % en el mes siguiente.")
    pg.locator("#verified_on").fill(today.isoformat())
    pg.locator("#verified_by").select_option(str(me.id))
    pg.get_by_role("button", name="Cerrar la acción").click()
    expect(pg.locator("[data-status]")).to_have_text("Cerrada")
    assert ImprovementAction.get_by_id(action.id).status == "closed"

    pg.goto(f"{pg.base}/calidad/acciones?estado=")
    expect(pg.locator("#improvement-actions")).to_contain_text(action.code)
    shoot(pg, "improvement-actions", 1280)
    shoot(pg, "improvement-actions", 360)
    _no_csp_violations(pg)

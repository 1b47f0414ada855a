"""Training on the manual in a browser: quality opens Formación from the manual, plans a session on PRO 008 and finds
the attendee by name under the list of boxes (the staff are never all on the page); then, on a session held
yesterday, marks attendance, is told beside the field that 150 is not a score, saves a 90, and the person's record
shows it. The register, the session and the record fit at 1280 and 360 px, axe-core without serious findings, no
CSP reports."""

from datetime import time, timedelta

import pytest
from playwright.sync_api import expect

from core.i18n import today_local
from models.training import TrainingAttendee, TrainingSession
from services.manual import pro008, training
from tests.e2e.test_journeys import _no_csp_violations, _sign_in
from tests.e2e.test_manual import _fits

pytestmark = pytest.mark.e2e


def test_quality_plans_a_session_and_records_the_evaluation(page, app, make_user):
    with app.test_request_context():
        quality = make_user(roles=("quality",), name="Sandra Quintero")
        manager = make_user(roles=("management",), name="Gerardo Díaz")
        trainee = make_user(roles=("service",), name="Camilo Ríos")
        document = pro008.load(quality, manager)
        held = training.plan({"topic": "Simulación: cliente en crisis", "kind": "simulation", "document": document.id,
                              "trainer": quality.id, "day": today_local() - timedelta(days=1), "time": time(9),
                              "duration_minutes": 60, "pass_mark": 70, "scenario": "Un cliente alterado llama.",
                              "attendees": [trainee.id]}, quality, invite=False)
        later = (today_local() + timedelta(days=5)).isoformat()
        attendee = TrainingAttendee.get(TrainingAttendee.session == held.id)
    pg = page
    pg.goto(f"{pg.base}/entrar")
    _sign_in(pg, quality)
    pg.goto(f"{pg.base}/manual")
    pg.get_by_test_id("training-link").click()
    pg.get_by_role("link", name="Programar una sesión").click()
    pg.get_by_label("Tema").fill("Gestión del cliente")
    pg.get_by_label("Documento del manual sobre el que capacita").select_option(label="PRO 008 · Gestión del Cliente")
    pg.get_by_label("Fecha").fill(later)
    pg.get_by_label("Hora").fill("09:30")
    pg.locator("#attendees-buscar").fill("cami")
    box = pg.get_by_role("checkbox", name="Camilo Ríos")
    expect(box).to_be_visible()
    box.check()
    pg.get_by_role("button", name="Programar y enviar las invitaciones").click()
    expect(pg.locator("h1")).to_have_text("Gestión del cliente")
    with app.app_context():
        planned = TrainingSession.get(TrainingSession.topic == "Gestión del cliente")
        assert [a.user_id for a in planned.attendees] == [trainee.id]
    pg.goto(f"{pg.base}/manual/formacion/{held.id}")
    pg.locator(f"#status_{attendee.id}").select_option("attended")
    pg.locator(f"#score_{attendee.id}").fill("150")
    pg.get_by_role("button", name="Guardar asistencia y evaluación").click()
    expect(pg.locator(f"#score_{attendee.id}-error")).to_have_text("La nota es un número entero de 0 a 100.")
    pg.locator(f"#score_{attendee.id}").fill("90")
    pg.get_by_role("button", name="Guardar asistencia y evaluación").click()
    expect(pg.get_by_test_id("training-summary")).to_contain_text("Asistieron: 1 de 1")
    pg.get_by_role("link", name="Camilo Ríos").click()
    expect(pg.get_by_test_id("training-record")).to_contain_text("Aprobado")
    _fits(pg, "/manual/formacion?cuando=todas", "training-register")
    _fits(pg, f"/manual/formacion/{held.id}", "training-session")
    _fits(pg, f"/manual/formacion/personas/{trainee.id}", "training-record")
    _no_csp_violations(pg)

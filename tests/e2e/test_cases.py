"""A case from opening to closing, as the operations lawyer clicks it, in Chromium."""

from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from models.cases import Case
from models.clients import Client
from models.documents import Deadline, DocumentItem
from models.tasks import Task
from tests.e2e.conftest import shoot
from tests.e2e.test_journeys import _no_csp_violations, _sign_in
from tests.factories import make_area, make_client, make_user

pytestmark = pytest.mark.e2e


def test_open_plan_and_close_a_case(clock, app, page, firm_today):
    pg = page
    with app.test_request_context():
        lawyer = make_user(roles=("operations",), name="Laura Gómez Ríos")
        area = make_area("Derecho laboral")
        client = make_client(name="Carlos Andrés Mejía", practice_area=area.id)
    Client.update(status="active").where(Client.id == client.id).execute()

    pg.goto(f"{pg.base}/comercial/clientes/{client.id}")
    _sign_in(pg, lawyer)
    pg.get_by_role("link", name="Abrir un caso").click()
    pg.get_by_label("Título del caso").fill("Demanda por despido sin justa causa")
    pg.get_by_label("Qué trata el caso").fill("Despido tras ocho años; reclamar indemnización.")
    pg.get_by_role("button", name="Abrir caso").click()
    expect(pg.locator(".toast").last).to_contain_text("abierto")
    case = Case.get()

    pg.get_by_role("link", name="Editar planificación").click()
    pg.get_by_label("Análisis jurídico y normas aplicables").fill("Artículo 64 del Código Sustantivo del Trabajo.")
    pg.get_by_label("Estrategia procesal: escenarios y riesgos").fill("Conciliar; si no, demanda ordinaria.")
    pg.get_by_label("Costo estimado").fill("2500000")
    pg.get_by_role("button", name="Guardar planificación").click()
    pg.wait_for_url(f"**/casos/{case.id}")  # back on the summary, where the link and the next step are
    pg.get_by_role("link", name="Ver análisis y estrategia").click()
    expect(pg.locator("#confidential")).to_contain_text("Artículo 64")
    shoot(pg, "case-summary")

    Deadline.create(case=case, description="Radicar la demanda", due_at=datetime.utcnow() + timedelta(days=12),
                    responsible=lawyer, alert_from=firm_today)
    DocumentItem.create(case=case, name="Poder firmado", required=True)
    pg.get_by_role("button", name="Iniciar el trabajo").click()
    pg.get_by_role("link", name="Cierre").first.click()
    pg.get_by_label("Resolución y sus implicaciones").fill("Acuerdo conciliatorio: pago de la indemnización en 30 días.")
    pg.get_by_label("Explicada al cliente el").fill(firm_today.isoformat())
    pg.locator("#resolution-form").get_by_label("Cómo").select_option("in_person")
    pg.get_by_label("El cliente dice que entendió el resultado y sus implicaciones").check()
    pg.get_by_role("button", name="Guardar resolución").click()
    pg.get_by_role("button", name="Marcar como resuelto").click()
    # The open deadline is settled first: no close button until then (issue 11).
    expect(pg.locator(".notice-warning").first).to_contain_text("Radicar la demanda")
    expect(pg.locator("[data-testid=open-items]")).to_contain_text("Poder firmado")
    expect(pg.get_by_role("button", name="Cerrar con los puntos abiertos")).to_have_count(0)
    assert Case.get_by_id(case.id).status == "resolved"
    shoot(pg, "case-closing-refused")
    shoot(pg, "case-closing-refused", width=360)

    # With only the document still open, the case closes with a written reason, kept on the closed case.
    Deadline.update(status="done").execute()
    pg.reload()
    pg.once("dialog", lambda dialog: dialog.accept())
    pg.get_by_role("button", name="Cerrar con los puntos abiertos").click()
    expect(pg.locator("#reason-error")).to_contain_text("Quedan puntos abiertos")
    assert Case.get_by_id(case.id).status == "resolved"
    pg.get_by_label("Por qué se cierra el caso con estos puntos abiertos").fill(
        "El cliente entregará el poder firmado directamente en el juzgado.")
    pg.once("dialog", lambda dialog: dialog.accept())
    pg.get_by_role("button", name="Cerrar con los puntos abiertos").click()
    expect(pg.locator(".notice-ok")).to_contain_text("Caso cerrado")
    expect(pg.locator("[data-testid=closed-with-open-items]")).to_contain_text("Poder firmado")
    expect(pg.locator("[data-testid=closed-with-open-items]")).to_contain_text("directamente en el juzgado")
    assert Case.get_by_id(case.id).status == "closed"
    # the follow-up a month after closing, and the contacts at 3 and 12 months (POST_CASE_FOLLOW_UP_MONTHS)
    assert Task.select().where(Task.kind == "post_case").count() == 3
    shoot(pg, "case-closed")
    _no_csp_violations(pg)

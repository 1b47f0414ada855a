"""Closing a case: planned interventions block it, the follow-up task is titled in the firm's language
whatever the closer's, and once closed the case refuses every write."""

from datetime import datetime, timedelta

import pytest

from models.cases import Case, EvidenceItem, FinalDelivery, Intervention
from models.tasks import Task
from tests.factories import make_case

pytestmark = pytest.mark.usefixtures("clock")  # dates matter here: the firm's today at an awkward hour


def _case(app, **kw):
    with app.test_request_context():
        return make_case(**kw)


def test_a_closed_case_refuses_every_write(app, http, login_as, firm_today):
    me = login_as("operations")
    case = _case(app, responsible=me)
    EvidenceItem.create(case=case, description="Acta")
    Case.update(status="closed").where(Case.id == case.id).execute()
    posts = {f"/casos/{case.id}/pruebas": {"kind": "document", "description": "Nueva prueba"},
             f"/casos/{case.id}/entregas": {"kind": "ruling", "description": "Sentencia"},
             f"/casos/{case.id}/planificacion": {"description": "cambio"},
             f"/casos/{case.id}/partes": {"kind": "related", "name": "Otra Parte"},
             f"/casos/{case.id}/equipo": {"responsible": me.id},
             f"/casos/{case.id}/resolucion": {"resolution_summary": "Otra resolución"},
             f"/casos/{case.id}/intervenciones": {"purpose": "Visita", "day": (firm_today + timedelta(days=2)).isoformat(),
                                                  "time": "10:00", "duration_minutes": 30, "assigned": me.id}}
    for url, data in posts.items():
        assert http.post(url, data=data).status_code in (303, 422), url
    assert EvidenceItem.select().count() == 1 and not FinalDelivery.select().exists()
    assert not Intervention.select().exists() and Case.get_by_id(case.id).description != "cambio"


def test_planned_interventions_block_closing(app, http, login_as):
    from services import cases as service

    me = login_as("operations")
    case = _case(app, responsible=me)
    Intervention.create(case=case, starts_at=datetime.utcnow() + timedelta(days=1), assigned=me, purpose="Visita final")
    with app.test_request_context():
        assert any("Visita final" in b for b in service.closing_blockers(case))


def test_post_case_task_title_in_the_firm_language(app, http, login_as, firm_today):
    me = login_as("operations")
    me.set_locale("en")
    case = _case(app, responsible=me)
    Case.update(status="resolved", explained_on=firm_today, client_understood=True, explained_how="email",
                resolution_summary="Acuerdo").where(Case.id == case.id).execute()
    http.post(f"/casos/{case.id}/estado/cerrar")
    assert Task.get().title.startswith("Seguimiento")

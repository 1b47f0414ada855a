"""Closing a case with items still open (issue 11): a case closed with a piece of evidence still "Pendiente".
Closing now lists what is open and refuses, or takes a written reason that is stored with that list, audited
and shown on the closed case; deadlines and planned interventions must be settled first whatever the reason."""

from datetime import date, datetime

import pytest
import time_machine
from playhouse.test_utils import count_queries

from models.audit import AuditEvent
from models.cases import Case, CaseStatusChange, EvidenceItem, Intervention
from models.documents import Deadline, DocumentItem
from models.tasks import Task
from tests.factories import make_case

NOW = datetime.fromisoformat("2026-03-10T10:00:00-05:00")  # a Tuesday, 10:00 in Bogotá
TODAY = date(2026, 3, 10)
REASON = "El cliente retiró el poder y pidió cerrar el caso; la prueba ya no hace falta."


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def me(login_as, frozen):
    return login_as("operations")


def _resolved_case(app, me):
    with app.test_request_context():
        case = make_case(responsible=me)
    Case.update(status="resolved", resolution_summary="Conciliación aprobada por el juez.", explained_on=TODAY,
                explained_how="in_person", client_understood=True).where(Case.id == case.id).execute()
    return Case.get_by_id(case.id)


def _close(http, case, reason=None):
    return http.post(f"/casos/{case.id}/estado/cerrar", data={} if reason is None else {"reason": reason})


def test_pending_evidence_and_documents_refuse_closing_without_a_reason(app, http, me):
    case = _resolved_case(app, me)
    EvidenceItem.create(case=case, kind="document", description="Desprendibles de nómina de 2025")
    DocumentItem.create(case=case, name="Poder firmado", required=True)
    page = http.get(f"/casos/{case.id}/cierre").get_data(as_text=True)
    assert 'data-testid="open-items"' in page and 'name="reason"' in page
    assert "Prueba aún pendiente: Desprendibles de nómina de 2025." in page and "Poder firmado" in page

    for reason in (None, "", "   ", "porque sí"):  # nothing, blanks, or not really a reason
        refused = _close(http, case, reason)
        body = refused.get_data(as_text=True)
        assert refused.status_code == 422 and 'id="reason-error"' in body
        assert "Quedan puntos abiertos" in body
    assert Case.get_by_id(case.id).status == "resolved" and not Task.select().exists()


def test_a_reason_closes_it_and_is_kept_audited_and_shown(app, http, me):
    me.set_locale("en")  # the list is stored in the firm's language whatever the closer reads
    case = _resolved_case(app, me)
    EvidenceItem.create(case=case, kind="testimony", description="Declaración del compañero de turno")
    assert _close(http, case, f"  {REASON}  ").status_code == 303
    closed = Case.get_by_id(case.id)
    assert closed.status == "closed" and closed.closing_reason == REASON
    assert closed.closed_open_items == "Prueba aún pendiente: Declaración del compañero de turno."
    assert CaseStatusChange.get(CaseStatusChange.to_status == "closed").reason == REASON
    event = AuditEvent.get(AuditEvent.action == "case_status", AuditEvent.object_id == str(case.id))
    assert "closing_reason" in event.fields and "open_items=1" in event.detail
    assert Task.get().kind == "post_case"

    me.set_locale("es")
    shown = http.get(f"/casos/{case.id}/cierre").get_data(as_text=True)
    assert 'data-testid="closed-with-open-items"' in shown
    assert "Declaración del compañero de turno" in shown and REASON in shown
    assert REASON in http.get(f"/casos/{case.id}").get_data(as_text=True)  # the status history


def test_deadlines_and_planned_interventions_are_settled_first_whatever_the_reason(app, http, me):
    case = _resolved_case(app, me)
    Deadline.create(case=case, description="Contestar la demanda", due_at=datetime(2026, 3, 20, 22, 0),
                    responsible=me, alert_from=TODAY)
    Intervention.create(case=case, starts_at=datetime(2026, 3, 12, 15, 0), assigned=me, purpose="Visita final")
    page = http.get(f"/casos/{case.id}/cierre").get_data(as_text=True)
    assert "Contestar la demanda" in page and "Visita final" in page
    assert f'action="/casos/{case.id}/estado/cerrar"' not in page  # no close button until they are settled
    response = _close(http, case, REASON)
    assert response.status_code == 303 and Case.get_by_id(case.id).status == "resolved"
    assert "Contestar la demanda" in http.get(response.headers["Location"]).get_data(as_text=True)


def test_nothing_open_closes_without_a_reason(app, http, me):
    case = _resolved_case(app, me)
    EvidenceItem.create(case=case, description="Contrato laboral", collected_on=TODAY)
    page = http.get(f"/casos/{case.id}/cierre").get_data(as_text=True)
    assert 'data-testid="open-items"' not in page and 'name="reason"' not in page
    assert _close(http, case).status_code == 303
    closed = Case.get_by_id(case.id)
    assert closed.status == "closed" and closed.closing_reason == "" and closed.closed_open_items == ""
    assert 'data-testid="closed-with-open-items"' not in http.get(f"/casos/{case.id}/cierre").get_data(as_text=True)


def test_the_closing_page_costs_the_same_queries_whatever_is_open(app, http, me):
    case = _resolved_case(app, me)
    with count_queries() as few:
        http.get(f"/casos/{case.id}/cierre")
    for i in range(6):
        EvidenceItem.create(case=case, description=f"Prueba {i}")
        DocumentItem.create(case=case, name=f"Documento {i}", required=True)
    with count_queries() as many:
        http.get(f"/casos/{case.id}/cierre")
    assert few.count == many.count

"""A form sent twice (a double click) changes nothing twice: evidence marked collected stays collected on
the first day, and a cancelled intervention is cancelled, audited and closed to further writes once."""

from datetime import datetime, timedelta

import pytest

from models.audit import AuditEvent
from models.cases import EvidenceItem, Intervention
from tests.factories import make_case

pytestmark = pytest.mark.usefixtures("clock")  # dates matter here: the firm's today at an awkward hour


def _case(app, **kw):
    with app.test_request_context():
        return make_case(**kw)


def test_double_submits_change_nothing_twice(app, http, login_as, firm_today):
    me = login_as("operations")
    case = _case(app, responsible=me)
    item = EvidenceItem.create(case=case, description="Testimonio")
    for _ in range(2):  # a double click on "collected" leaves it collected
        http.post(f"/casos/pruebas/{item.id}/recogida", data={"recogida": "1"})
    assert EvidenceItem.get_by_id(item.id).collected_on == firm_today
    planned = Intervention.create(case=case, starts_at=datetime.utcnow() + timedelta(days=1), assigned=me, purpose="Visita")
    http.post(f"/casos/intervenciones/{planned.id}/cancelar")
    http.post(f"/casos/intervenciones/{planned.id}/cancelar")
    assert AuditEvent.select().where(AuditEvent.action == "intervention_cancel").count() == 1
    assert http.post(f"/casos/intervenciones/{planned.id}", data={"work_done": "Se hizo"}).status_code == 404

"""Who may act on a case's work (SECURITY.md A3, A5): only the team may manage the team, and a confidential
interaction logged on a case is for that case's team only; the person responsible for a deadline may mark it even
when off the team; the calendar feed stops as soon as its owner's roles go."""

from datetime import datetime, timedelta

import pytest

from models.audit import AuditEvent
from models.cases import CaseMember
from models.documents import Deadline
from models.interactions import Interaction
from tests.factories import make_case, make_client, make_user

SECRET = "ANALISIS-SECRETO-4411"

pytestmark = pytest.mark.usefixtures("clock")  # dates matter here: the firm's today at an awkward hour


def _case(app, **kw):
    with app.test_request_context():
        return make_case(**kw)


def test_a3_outsider_cannot_add_themselves_to_the_team(app, login_as):
    case = _case(app)
    outsider = app.test_client()
    me = login_as("operations", client=outsider)
    assert outsider.get(f"/casos/{case.id}/equipo").status_code == 404
    assert outsider.post(f"/casos/{case.id}/equipo", data={"responsible": me.id, "team": [me.id]}).status_code == 404
    assert not CaseMember.select().where(CaseMember.user == me.id).exists()
    assert not AuditEvent.select().where(AuditEvent.action == "case_team").exists()


def test_a3_confidential_entry_of_a_case_is_for_that_case_team_only(app, login_as):
    from services import interactions

    with app.test_request_context():
        client = make_client()
        first = make_case(client=client)
        other_member = make_user(roles=("service",), email="otro.caso@duarte.test", name="Otro Caso")
        make_case(client=client, title="Otro asunto", team=[other_member])
        interactions.log(client, {"occurred_at": datetime.utcnow(), "channel": "phone", "direction": "in",
                                  "kind": "concern", "summary": SECRET, "confidential": True}, None, case=first)
    entry = Interaction.get()
    browser = app.test_client()
    login_as(client=browser, user=other_member)
    response = browser.get(f"/interacciones/{entry.id}")
    assert response.status_code == 404 and SECRET.encode() not in response.data


def test_the_deadline_responsible_may_mark_it_even_off_the_team(app, login_as, firm_today):
    case = _case(app)
    browser = app.test_client()
    helper = login_as("operations", client=browser)
    deadline = Deadline.create(case=case, description="Radicar", due_at=datetime.utcnow() - timedelta(hours=1),
                               responsible=helper, alert_from=firm_today)
    browser.post(f"/documentos/plazos/{deadline.id}/estado", data={"status": "done"})
    assert Deadline.get_by_id(deadline.id).status == "done"


def test_a5_feed_stops_when_the_roles_go(app, http, login_as):
    from services.documents import deadlines

    me = login_as("operations")
    with app.test_request_context():
        token = deadlines.create_feed(me)
    assert http.get(f"/documentos/calendario/{token}.ics").status_code == 200
    me.set_roles(["admin"])
    assert http.get(f"/documentos/calendario/{token}.ics").status_code == 404

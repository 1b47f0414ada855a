"""The customer-type advice (servicio-al-cliente deck: "Escépticos — Detallarles la información, hablar con
seguridad") shows wherever staff meet the client, from one partial (clients/_advice.html) and one source of
words (blueprints/clients/labels.py), without an extra query (issue 11, item 15)."""

import pytest
from playhouse.test_utils import count_queries

from models.clients import Client
from services import complaints as complaint_service
from tests.factories import make_case, make_client

ADVICE = "Detallarle la información. Hablar con seguridad."
TYPE = "Tipo de cliente: Escéptico."
HX = {"HX-Request": "true"}


@pytest.fixture
def world(app, login_as):
    """A sceptical client with a case and a complaint, and an untyped one with the same, seen by management."""
    me = login_as("management")
    made = {}
    with app.test_request_context():
        for key, ctype, name, number in (("typed", "sceptical", "Rocío Salazar Vega", "52111222"),
                                         ("plain", "", "Tomás Herrera Luna", "80333444")):
            client = make_client(name=name, document_number=number, email=f"{key}@correo.test", phone="",
                                 customer_type=ctype)
            Client.update(status="active").where(Client.id == client.id).execute()
            case = make_case(client=Client.get_by_id(client.id), responsible=me)
            complaint = complaint_service.open_complaint(kind="complaint", description="No me devuelven las llamadas.",
                                                         owner=me, client=client.id, case=case.id)
            made[key] = {"client": client.id, "case": case.id, "complaint": complaint.id}
    return made


def _pages(ids):
    return {
        "client page": f"/clientes/{ids['client']}",
        "case page": f"/casos/{ids['case']}",
        "case interventions": f"/casos/{ids['case']}/intervenciones",
        "interaction form (case)": f"/interacciones/casos/{ids['case']}",
        "meeting form": f"/interacciones/clientes/{ids['client']}/reuniones/nueva",
        "complaint page": f"/quejas/{ids['complaint']}",
    }


def _advice_in(html: str) -> bool:
    return TYPE in html and ADVICE in html and 'data-testid="customer-advice"' in html


@pytest.mark.parametrize("page", list(_pages({"client": 0, "case": 0, "complaint": 0})))
def test_advice_where_staff_meet_the_client(http, world, page):
    typed = http.get(_pages(world["typed"])[page])
    assert typed.status_code == 200 and _advice_in(typed.get_data(as_text=True)), page
    plain = http.get(_pages(world["plain"])[page]).get_data(as_text=True)
    assert 'data-testid="customer-advice"' not in plain and "Tipo de cliente" not in plain, page


def test_advice_stays_when_a_form_comes_back_with_errors(http, world):
    ids = world["typed"]
    interaction = http.post(f"/interacciones/casos/{ids['case']}", data={"summary": ""})
    assert interaction.status_code == 422 and _advice_in(interaction.get_data(as_text=True))
    meeting = http.post(f"/interacciones/clientes/{ids['client']}/reuniones/nueva", data={"agenda": ""})
    assert meeting.status_code == 422 and _advice_in(meeting.get_data(as_text=True))


def test_complaint_partial_keeps_the_advice(http, world):
    partial = http.get(f"/quejas/{world['typed']['complaint']}", headers=HX).get_data(as_text=True)
    assert "<html" not in partial and _advice_in(partial)


def test_walk_in_complaint_has_no_advice(app, http, world, make_user):
    with app.test_request_context():
        owner = make_user(roles=("service",))
        walk_in = complaint_service.open_complaint(kind="complaint", description="Me atendieron mal en recepción.",
                                                   owner=owner, walk_in_name="Visitante")
    page = http.get(f"/quejas/{walk_in.id}")
    assert page.status_code == 200 and 'data-testid="customer-advice"' not in page.get_data(as_text=True)


def test_advice_costs_no_query(http, world):
    for page in _pages(world["typed"]):
        typed, plain = _pages(world["typed"])[page], _pages(world["plain"])[page]
        http.get(typed), http.get(plain)  # warm: the session's last-activity write
        with count_queries() as with_advice:
            http.get(typed)
        with count_queries() as without:
            http.get(plain)
        assert with_advice.count == without.count, page

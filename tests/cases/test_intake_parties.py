"""Parties declared at intake are carried into the case opened for the client: offered pre-filled on the
new-case form, editable, each listed once (issue 11, item 11)."""

import re

from playhouse.test_utils import count_queries

from models import conflict_search
from models.audit import AuditEvent
from models.cases import Case
from models.clients import Client, Party
from tests.factories import make_client

ANDINA = {"name": "Constructora Andina S.A.S.", "kind": "counterparty", "document_type": "NIT",
          "document_number": "9001234568"}
WITNESS = {"name": "Pedro Antonio Ruiz", "kind": "related", "document_type": "", "document_number": ""}


def _active_client(app, parties, name="Julián Andrés Cárdenas", number="79865432"):
    with app.test_request_context():
        client = make_client(name=name, document_number=number, email="", phone="", counterparties=parties)
    Client.update(status="active").where(Client.id == client.id).execute()
    return Client.get_by_id(client.id)


def _declared(client):
    return list(Party.select().where(Party.client == client).order_by(Party.id))


def _case_form(me, rows, title="Demanda contra la constructora"):
    data = {"title": title, "responsible": me.id, "practice_area": 0, "contract": 0}
    for i, row in enumerate(rows):
        data.update({f"parties-{i}-{k}": v for k, v in row.items()})
    return data


def test_new_case_form_offers_the_intake_parties_pre_filled(app, http, login_as):
    login_as("operations")
    client = _active_client(app, [ANDINA, WITNESS])
    andina, witness = _declared(client)
    body = http.get(f"/casos/nuevo/{client.id}").get_data(as_text=True)
    assert "Partes declaradas en la admisión" in body
    for i, party in enumerate((andina, witness)):
        assert f'name="parties-{i}-party" type="hidden" value="{party.id}"' in body
        assert re.search(rf'<input [^>]*id="parties-{i}-name"[^>]*value="{re.escape(party.name)}"', body)
        assert re.search(rf'<input checked[^>]*id="parties-{i}-include"|id="parties-{i}-include"[^>]*checked', body)
    assert re.search(r'id="parties-1-kind".*?<option (selected value="related"|value="related" selected)>', body)


def test_kept_parties_join_the_case_as_edited_without_copies(app, http, login_as):
    me = login_as("operations")
    client = _active_client(app, [ANDINA, WITNESS])
    andina, witness = _declared(client)
    before = Party.select().count()
    response = http.post(f"/casos/nuevo/{client.id}", data=_case_form(me, [
        {"party": andina.id, "include": "y", "kind": "counterparty", "name": "Constructora Andina S.A.S. – sucursal Cali",
         "relation": "demandada"},
        {"party": witness.id, "kind": "related", "name": witness.name, "relation": ""},  # unticked
    ]))
    case = Case.get()
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/casos/{case.id}")
    assert Party.select().count() == before  # the same rows, no copies
    moved = Party.get_by_id(andina.id)
    assert moved.case_id == case.id and moved.relation == "demandada"
    assert moved.name == "Constructora Andina S.A.S. – sucursal Cali" and moved.name_key != andina.name_key
    assert Party.get_by_id(witness.id).case_id is None  # stays with the client for a later case
    with app.test_request_context():  # the conflict search finds it once, under its new name
        assert [p.id for p, _score in conflict_search.similar_parties("Constructora Andina sucursal Cali")] == [andina.id]
    page = http.get(f"/casos/{case.id}").get_data(as_text=True)
    assert "sucursal Cali" in page and "demandada" in page
    event = AuditEvent.get(AuditEvent.action == "case_open")
    assert "parties" in event.fields.split(",") and "parties=1" in event.detail

    second = http.get(f"/casos/nuevo/{client.id}").get_data(as_text=True)
    assert f'name="parties-0-party" type="hidden" value="{witness.id}"' in second
    assert "parties-1-party" not in second and "sucursal Cali" not in second


def test_a_party_listed_twice_or_without_a_name_is_refused_beside_the_field(app, http, login_as):
    me = login_as("operations")
    client = _active_client(app, [ANDINA, WITNESS])
    andina, witness = _declared(client)
    twice = http.post(f"/casos/nuevo/{client.id}", data=_case_form(me, [
        {"party": andina.id, "include": "y", "kind": "counterparty", "name": "Constructora Andina SAS"},
        {"party": witness.id, "include": "y", "kind": "related", "name": "constructora andina s.a.s"},
    ]))
    body = twice.get_data(as_text=True)
    assert twice.status_code == 422 and 'id="parties-1-name-error"' in body and "Esta parte ya figura más arriba." in body
    nameless = http.post(f"/casos/nuevo/{client.id}", data=_case_form(me, [
        {"party": andina.id, "include": "y", "kind": "counterparty", "name": " "}]))
    assert nameless.status_code == 422 and 'id="parties-0-name-error"' in nameless.get_data(as_text=True)
    assert Case.select().count() == 0 and all(p.case_id is None for p in _declared(client))


def test_only_this_clients_unassigned_parties_can_be_carried(app, http, login_as):
    me = login_as("operations")
    client = _active_client(app, [ANDINA])
    other = _active_client(app, [WITNESS], name="Otra Persona Distinta", number="80111222")
    (foreign,) = _declared(other)
    response = http.post(f"/casos/nuevo/{client.id}", data=_case_form(me, [
        {"party": foreign.id, "include": "y", "kind": "related", "name": "Nombre Cambiado"}]))
    assert response.status_code == 303
    untouched = Party.get_by_id(foreign.id)
    assert untouched.case_id is None and untouched.name == WITNESS["name"]


def test_the_case_page_refuses_a_party_it_already_lists(app, http, login_as):
    me = login_as("operations")
    client = _active_client(app, [ANDINA])
    (andina,) = _declared(client)
    http.post(f"/casos/nuevo/{client.id}", data=_case_form(me, [
        {"party": andina.id, "include": "y", "kind": "counterparty", "name": andina.name}]))
    case = Case.get()
    again = http.post(f"/casos/{case.id}/partes", data={"kind": "counterparty", "name": "CONSTRUCTORA ANDINA SAS"})
    assert again.status_code == 422 and "El caso ya incluye esta parte." in again.get_data(as_text=True)
    assert Party.select().where(Party.case == case).count() == 1
    assert http.post(f"/casos/{case.id}/partes", data={"kind": "related", "name": "Perito Contable"}).status_code == 303


def test_new_case_form_queries_do_not_grow_with_the_parties(app, http, login_as):
    login_as("operations")
    one = _active_client(app, [ANDINA])
    many = _active_client(app, [ANDINA] + [{**WITNESS, "name": f"Testigo Número {i}"} for i in range(8)],
                          name="Cliente Con Muchas Partes", number="80999888")
    http.get(f"/casos/nuevo/{one.id}")  # warm: the session's last-activity write
    with count_queries() as few:
        http.get(f"/casos/nuevo/{one.id}")
    with count_queries() as more:
        assert "Testigo Número 7" in http.get(f"/casos/nuevo/{many.id}").get_data(as_text=True)
    assert few.count == more.count

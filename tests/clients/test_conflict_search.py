"""The intake's duplicate and conflict search at the size of a real firm (issue 15): common name prefixes
("mari", "gonz", "mart") hide no true match, a cut list says so, and the number of queries does not grow."""

import pytest
from playhouse.test_utils import count_queries

from core.text import name_key
from models import conflict_search
from models.clients import Client, Party
from tests.factories import client_data, make_client


def _add_clients(names: list[str], email_of=lambda i, name: "") -> list[Client]:
    """Clients indexed as registration indexes them, without running a search for each one."""
    made = []
    for i, name in enumerate(names):
        client = Client.create(name=name, name_key=name_key(name), email=email_of(i, name))
        client.reindex()
        made.append(client)
    return made


def _decoys(count: int) -> list[str]:
    """Names sharing the common prefixes of "María González" but not the person: "Mariana María Gonzalo …"."""
    firsts = ["Mariana María", "Marisol María", "María Marina", "Marianela María"]
    lasts = ["Gonzalo Marín", "Gonzaga Martelo", "Gonzalo Mariño", "Gonzaga Marulanda"]
    return [f"{firsts[i % 4]} {lasts[i // 4 % 4]} {chr(65 + i % 26)}{chr(65 + i // 26 % 26)}" for i in range(count)]


def test_a_duplicate_behind_common_prefixes_is_found(app):
    """200 records share more index words with "María González" than the real duplicate does (their e-mails
    repeat "maria" and "gonzalez"), and the duplicate is the newest: ranking everything that shares a prefix
    and keeping the first 150 lost it; every record sharing two prefixes is now compared."""
    with app.test_request_context():
        _add_clients(_decoys(200), email_of=lambda i, name: f"maria.gonzalez{i}@correo.test")
        duplicate, = _add_clients(["Gonzales, María"])
        party_owner = make_client(name="Inversiones El Roble", kind="company", document_type="NIT",
                                  document_number="8001972684", email="", phone="",
                                  counterparties=[{"name": "María González", "kind": "counterparty",
                                                   "document_type": "", "document_number": ""}])
        found = [c.id for c, _score in conflict_search.similar_clients("María González")]
        assert duplicate.id in found and party_owner.id not in found
        parties = conflict_search.similar_parties("Gonzalez Maria")
        assert [p.name for p, _score in parties] == ["María González"]
        assert parties[0][0].client_name == "Inversiones El Roble"


def test_a_name_sharing_one_word_with_a_longer_one_is_no_candidate(app):
    with app.test_request_context():
        _add_clients(["María Fernanda González Martínez", "Fernanda Ruiz", "Pedro Martínez"])
        assert [c.name for c, _ in conflict_search.similar_clients("Martínez, María Fernanda González")] == [
            "María Fernanda González Martínez"]
        assert conflict_search.similar_clients("Fernanda Martínez") == []


def test_a_cut_candidate_list_is_said_and_the_closest_are_kept(app, http, login_as, monkeypatch):
    """More candidates than are compared: those sharing the most prefixes come first (the real duplicate
    shares four), and the form says in Spanish that the list was cut and how to narrow it."""
    monkeypatch.setattr(conflict_search, "CANDIDATES", 5)
    login_as("commercial")
    with app.test_request_context():
        _add_clients([f"María Gómez {chr(65 + i)}" for i in range(8)])  # share "mari" and nothing else useful
        surnames = ["Quintero", "Valderrama", "Santamaría", "Bustamante", "Arboleda", "Villalobos", "Castellanos",
                    "Echeverry"]
        _add_clients([f"Fernanda Martínez {s}" for s in surnames])  # share "fern" and "mart"
        duplicate, = _add_clients(["María Fernanda González Martínez"])
        capped: set[str] = set()
        found = conflict_search.similar_clients("Gonzalez Martinez, Maria Fernanda", capped=capped)
        assert [c.id for c, _ in found] == [duplicate.id] and capped == {"Gonzalez Martinez, Maria Fernanda"}
        assert conflict_search.similar_clients("Fernanda Ruiz", capped=(few := set())) == [] and few == set()
        area = client_data()["practice_area"]
    body = http.post("/clientes/nuevo", data={
        "kind": "person", "name": "María", "document_type": "", "document_number": "", "email": "", "phone": "",
        "country": "CO", "preferred_channel": "phone", "source": "web", "practice_area": str(area),
        "responsible": "0", "need": "Consulta laboral.", "counterparties": ""}).get_data(as_text=True)
    assert "Muchos registros comparten palabras con «María»: solo se compararon los 5" in body


@pytest.mark.parametrize("extra", [0, 60])
def test_the_search_runs_a_fixed_number_of_queries(app, extra):
    """Ten queries whatever the size of the firm: one for the same document, email or phone, one per name
    searched against clients and one against parties, and one per document declared."""
    from services import clients as service

    with app.test_request_context():
        _add_clients(_decoys(extra), email_of=lambda i, name: f"m{i}@correo.test")
        make_client(name="Constructora Andina SAS", kind="company", document_type="NIT", document_number="9001234568",
                    email="", phone="", counterparties=[{"name": "María González Martínez", "kind": "counterparty",
                                                         "document_type": "", "document_number": ""}])
        data = client_data(name="María Fernanda González Martínez", document_number="1020456789",
                           email="mafe.gonzalez@correo.test", phone="+573104567890")
        parties = [{"name": "Constructora Andina S.A.S.", "kind": "counterparty", "document_type": "NIT",
                    "document_number": "9001234568"},
                   {"name": "Carlos Andrés Rodríguez Gómez", "kind": "counterparty", "document_type": "CC",
                    "document_number": "79845123"}]
        with count_queries() as counter:
            hits = service.search_hits(data, parties)
    assert counter.count == 10
    assert {(h.source, h.reason, h.name) for h in hits["conflicts"]} >= {
        ("client", "document", "Constructora Andina SAS"), ("party", "name", "María González Martínez")}
    assert hits["capped"] == []


def test_the_same_document_email_or_phone_each_name_their_reason(app):
    with app.test_request_context():
        by_doc = make_client(name="Ana Uno", document_number="52123456", email="ana1@correo.test", phone="+573001111111")
        by_email = make_client(name="Ana Dos", document_number="", document_type="", email="ana@correo.test",
                               phone="+573002222222")
        by_phone = make_client(name="Ana Tres", document_number="", document_type="", email="ana3@correo.test",
                               phone="+573003333333")
        hits = conflict_search.duplicates("Beatriz Cero", "CC", "52123456", "ANA@correo.test ", "+573003333333")
    assert {(h.ref_id, h.reason) for h in hits} == {(by_doc.id, "document"), (by_email.id, "email"),
                                                    (by_phone.id, "phone")}
    assert Party.select().count() == 0

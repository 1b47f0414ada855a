"""The one search box (services/search, /buscar): what a name, a code or a whole document number finds, only what
each role's pages open, the top bar's drop-down and the results page without JavaScript, and a constant number of
queries."""

import re
from datetime import timedelta

import pytest
from playhouse.test_utils import count_queries

from core.db import utcnow
from core.guard import can
from core.i18n import today_local
from models.commercial import Contract, Quotation
from models.complaints import Complaint
from models.documents import DocumentItem
from services import interactions
from services.search import KINDS
from tests.factories import make_case, make_client, make_user

STAFF = ("management", "commercial", "operations", "service", "quality")


def _record(owner, name, document, phone, email, quotation_number, complaint_number, title):
    """A client with one of each kind of record the search finds."""
    client = make_client(name=name, document_number=document, phone=phone, email=email)
    case = make_case(client=client, responsible=owner, title=title)
    today = today_local()
    quotation = Quotation.create(client=client, number=quotation_number, status="accepted", valid_until=today)
    contract = Contract.create(client=client, quotation=quotation, status="active", start_date=today,
                               end_date=today + timedelta(days=365))
    complaint = Complaint.create(number=complaint_number, client=client, description="No nos devolvieron la llamada.",
                                 received_at=utcnow(), owner=owner)
    document = DocumentItem.create(case=case, name=f"Poder especial de {name.split()[0]}")
    for summary, confidential in ((f"Llamada a {name.split()[0]} sobre la audiencia", False),
                                  ("Estrategia: conciliar antes de la audiencia", True)):
        interactions.log(client, {"occurred_at": utcnow() - timedelta(hours=1), "channel": "phone", "direction": "out",
                                  "kind": "update", "summary": summary, "confidential": confidential, "case": None,
                                  "follow_up_on": None}, owner)
    return {"client": client, "case": case, "quotation": quotation, "contract": contract, "complaint": complaint,
            "document": document}


@pytest.fixture
def firm(app):
    with app.test_request_context():
        owner = make_user(roles=("operations",), name="Laura Gómez")
        gertrudis = _record(owner, "Gertrudis Valderrama Ospina", "52123456", "+573001112233", "gertrudis@correo.test",
                            4, "Q-2026-00042", "Despido sin justa causa de Gertrudis")
        bernardo = _record(owner, "Bernardo Quintero Lleras", "79111222", "+573009998877", "bernardo@correo.test",
                           45, "Q-2026-00043", "Cobro de honorarios de Bernardo")
    return {"gertrudis": gertrudis, "bernardo": bernardo, "owner": owner}


def _page(http, q, **headers):
    response = http.get("/buscar", query_string={"q": q}, headers=headers)
    assert response.status_code == 200, (q, response.status_code)
    return response.get_data(as_text=True)


def _kinds(html) -> set[str]:
    return set(re.findall(r'class="search-group-title" id="(?:top)?search-(\w+)"', html))


def _results(html) -> str:
    """The results list only (not the page's top bar, title or form)."""
    return html[html.index('id="search-results"'):]


# ----- what a text finds -----

def test_a_name_finds_the_client_and_each_of_their_records_and_nobody_else(app, http, login_as, firm):
    login_as("management")
    g = firm["gertrudis"]
    page = _results(_page(http, "valderr"))
    assert _kinds(page) == set(KINDS)
    for text in ("Gertrudis Valderrama Ospina", "Despido sin justa causa de Gertrudis", g["case"].code, "COT-00004",
                 g["contract"].code, "Q-2026-00042", "Poder especial de Gertrudis", "Llamada a Gertrudis sobre la audiencia"):
        assert text in page, text
    assert "Bernardo" not in page and "COT-00045" not in page
    # What the lists keep back stays back: the confidential summary, the document number in clear.
    assert "Estrategia" not in page and "Entrada confidencial" in page
    assert "52123456" not in page and "•••• 3456" in page
    assert f'href="/clientes/{g["client"].id}"' in page and f'href="/casos/{g["case"].id}"' in page
    # Every word must match, as in the client list: a second word narrows.
    assert "Gertrudis Valderrama" not in _results(_page(http, "valderrama quint"))


def test_a_code_finds_its_record_and_while_typed_those_it_starts(app, http, login_as, firm):
    login_as("management")
    g, b = firm["gertrudis"], firm["bernardo"]
    exact = _results(_page(http, g["case"].code))
    assert _kinds(exact) == {"cases"} and g["case"].title in exact and b["case"].title not in exact
    assert _kinds(_results(_page(http, g["case"].code.lower().replace("-", " ")))) == {"cases"}
    typing = _results(_page(http, "COT-0004"))  # COT-00004 itself, and COT-00040 … COT-00049
    assert "COT-00004" in typing and "COT-00045" in typing and _kinds(typing) == {"quotations"}
    assert "COT-00045" not in _results(_page(http, "COT-00004"))
    assert "COT-00004" not in _results(_page(http, "cot 45"))
    assert g["contract"].code in _results(_page(http, g["contract"].code))
    assert b["contract"].code not in _results(_page(http, g["contract"].code))
    assert "Q-2026-00042" in _results(_page(http, "Q-2026-42"))  # the number as it is said, padded as stored
    both = _results(_page(http, "q-2026-0004"))
    assert "Q-2026-00042" in both and "Q-2026-00043" in both
    assert not _kinds(_results(_page(http, "Q-2025")))
    assert not _kinds(_results(_page(http, "EXP-")))  # a code without digits finds nothing yet
    bare = _results(_page(http, str(b["case"].id)))  # bare digits: a case number too
    assert b["case"].title in bare


def test_a_document_number_is_found_whole_never_by_a_prefix(app, http, login_as, firm):
    login_as("commercial")
    for whole in ("52123456", "52.123.456", " 52 123 456 "):
        assert "Gertrudis Valderrama Ospina" in _results(_page(http, whole)), whole
    for part in ("5212345", "521234", "2123456", "521234567"):
        assert "Gertrudis" not in _results(_page(http, part)), part


def test_a_too_short_text_asks_for_more_and_finds_nothing(app, http, login_as, firm):
    login_as("management")
    page = _page(http, "v")
    assert "Escribe al menos dos letras o cifras." in page and not _kinds(page)


@pytest.mark.parametrize("q", ["valder\x01", "a" * 500, "%_%", "' OR 1=1 --", "Q-9999-", "EXP-" + "9" * 30,
                               "COT-999999999999999999", "\u202e\ufeff", "😀😀"])
def test_bad_input_is_no_error(app, http, login_as, firm, q):
    login_as("management")
    assert http.get("/buscar", query_string={"q": q}).status_code == 200
    assert http.get("/buscar", query_string={"q": q}, headers={"HX-Request": "true", "HX-Target": "topsearch-results"}
                    ).status_code == 200


# ----- who finds what -----

@pytest.mark.parametrize("role", STAFF)
def test_each_role_finds_only_what_its_own_pages_open(app, http, login_as, firm, role):
    """A kind is searched for a role exactly when the pages it links to open for that role, and every result a role
    is shown opens for it (no 403, no 404: nothing found that the role's lists would not show)."""
    user = login_as(role)
    page = _results(_page(http, "valderr"))
    with app.test_request_context():
        expected = {kind for kind, permission in KINDS.items() if can(permission, user)}
    assert _kinds(page) == expected
    if role == "service":  # no commercial pages: no quotation or contract, not even by its code
        assert "COT-00004" not in page and not _kinds(_results(_page(http, "COT-00004")))
        assert not _kinds(_results(_page(http, firm["gertrudis"]["contract"].code)))
    for href in set(re.findall(r'class="search-hit" href="([^"#]+)', page)):
        assert http.get(href).status_code == 200, (role, href)


def test_the_system_administrator_has_no_search(app, http, login_as, firm):
    login_as("admin")
    assert http.get("/buscar?q=valderr").status_code == 403
    assert 'id="topsearch"' not in http.get("/").get_data(as_text=True)


def test_a_confidential_entry_links_to_the_timeline_not_to_its_text(app, http, login_as, firm):
    """Off the team, the entry is listed as confidential (as the timeline lists it) and its link opens the client's
    timeline, not the entry (which would answer 404 and log a refusal)."""
    login_as("commercial")
    g = firm["gertrudis"]
    page = _results(_page(http, "valderr"))
    confidential = re.search(r'<a class="search-hit" href="([^"]+)">[^<]*<span[^>]*>[^<]*</span>\s*'
                             r'<span class="search-hit-meta">[^<]*Entrada confidencial', page)
    assert confidential and confidential[1] == f"/interacciones/clientes/{g['client'].id}"


# ----- the top bar and the results page -----

def test_the_top_bar_box_is_a_plain_form_to_the_results_page_on_every_page(app, http, login_as, firm):
    login_as("operations")
    home = http.get("/").get_data(as_text=True)
    box = home[home.index('id="topsearch"'):home.index('id="topsearch-results"')]
    assert 'method="get" action="/buscar"' in box and 'name="q"' in box and 'role="search"' in box
    assert 'hx-get="/buscar"' in box and 'hx-target="#topsearch-results"' in box
    page = http.get("/buscar?q=valderr").get_data(as_text=True)  # what the form sends without JavaScript
    assert "<html" in page and 'value="valderr"' in page and "Gertrudis Valderrama Ospina" in _results(page)
    assert 'role="status">8 resultados.' in page.replace("\n", "")


def test_the_drop_down_shows_a_few_of_each_kind_and_links_to_the_rest(app, http, login_as, firm):
    login_as("management")
    with app.test_request_context():
        for n in range(11):
            make_client(name=f"Valderrama Pérez {n}", document_number=f"1010{n:04d}", phone=f"+57310555{n:04d}",
                        email=f"valderrama{n}@correo.test")
    drop = _page(http, "valderr", **{"HX-Request": "true", "HX-Target": "topsearch-results"})
    assert "<html" not in drop
    assert '<div id="topsearch-results"' in drop and 'id="topsearch-status" hx-swap-oob="innerHTML"' in drop
    clients = drop[drop.index('id="topsearch-clients"'):drop.index('id="topsearch-cases"')]
    assert clients.count('class="search-hit"') == 5 and 'href="/clientes?q=valderr"' in clients
    assert 'href="/buscar?q=valderr"' in drop and "resultados mostrados, y hay más." in drop
    complaints = drop[drop.index('id="topsearch-complaints"'):]
    assert 'href="/quejas?estado=&amp;q=valderr"' in complaints
    page = _results(_page(http, "valderr"))
    assert page[page.index('id="search-clients"'):page.index('id="search-cases"')].count('class="search-hit"') == 10
    listed = _page(http, "valderr", **{"HX-Request": "true", "HX-Target": "search-results"})
    assert "<html" not in listed and '<div id="search-results"' in listed
    assert 'id="search-status" hx-swap-oob="innerHTML"' in listed


def test_query_count_is_constant_whatever_is_found(app, http, login_as, firm):
    user = login_as("management")
    http.get("/buscar?q=valderr")  # warm: the session's last-activity write
    with count_queries() as few:
        http.get("/buscar?q=valderr")
    with app.test_request_context():
        for n in range(12):
            _record(user, f"Valderrama Castro {n}", f"2020{n:04d}", f"+57311444{n:04d}", f"vc{n}@correo.test",
                    1000 + n, f"Q-2026-{500 + n:05d}", f"Caso {n}")
    with count_queries() as many:
        assert "Valderrama Castro 11" in http.get("/buscar?q=valderr").get_data(as_text=True)
    assert few.count == many.count
    with count_queries() as code:
        http.get("/buscar?q=COT-0100")
    assert code.count < few.count


def test_a_text_finding_very_many_clients_shows_some_of_their_records_and_says_there_are_more(app, http, login_as, firm,
                                                                                             monkeypatch):
    """Beyond CLIENT_IDS clients found (two letters find thousands), each kind looks at BROAD_IDS of them: what it
    shows does belong to clients found, and the page says there is more."""
    from services import search

    monkeypatch.setattr(search, "CLIENT_IDS", 1)
    monkeypatch.setattr(search, "BROAD_IDS", 1)
    login_as("management")
    page = _results(_page(http, "llamada"))  # nobody's name: nothing
    assert not _kinds(page)
    both = http.get("/buscar?q=correo").get_data(as_text=True)  # both clients' email (correo.test)
    found = _results(both)
    assert found.count('class="search-hit"') and "resultados mostrados, y hay más." in both
    assert ("Gertrudis" in found) != ("Bernardo" in found)  # one client looked at, not both
    assert "Hay más: escribe más del nombre o del código para acotarlos." in found

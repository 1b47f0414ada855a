"""The client list as people read it: phone numbers grouped, filters that fold on phones and say how many narrow."""

import re

from core.validation import display_phone
from models.clients import Client
from tests.factories import make_client


def test_stored_numbers_show_grouped_and_what_does_not_parse_shows_as_typed():
    assert display_phone("+573046541612") == "+57 304 6541612"  # the Colombian plan: 3-digit operator, 7 digits
    assert display_phone("+34612345678") == "+34 612 34 56 78"
    assert display_phone("extensión 12") == "extensión 12"
    assert display_phone(None) == ""


def test_list_and_profile_show_the_number_grouped(app, http, login_as):
    login_as("commercial")
    with app.test_request_context():
        client = make_client(name="Lucía Fernanda Ortiz")
    Client.update(phone="+573046541612").where(Client.id == client.id).execute()
    listed = http.get("/clientes").get_data(as_text=True)
    grouped = display_phone("+573046541612")
    assert grouped in listed and "+573046541612" not in listed
    profile = http.get(f"/clientes/{client.id}", follow_redirects=True).get_data(as_text=True)
    assert grouped in profile


def test_filters_fold_only_when_none_narrows_the_list(app, http, login_as):
    login_as("commercial")
    page = http.get("/clientes").get_data(as_text=True)
    assert re.search(r'<details class="filters-more" open data-narrowing="0">', page)
    page = http.get("/clientes?status=active").get_data(as_text=True)
    assert 'data-narrowing="1"' in page and "Filtros (1)" in page


def test_each_row_says_name_kind_status_area_responsible_and_contact(app, http, login_as, make_user):
    """The list reads only the columns it shows (Client.listed); each of them still reaches its cell."""
    login_as("commercial")
    with app.test_request_context():
        lawyer = make_user(roles=("operations",), name="Laura Gómez")
        make_client(name="Constructora Andina SAS", kind="company", document_type="NIT", document_number="900123456",
                    email="gerencia@andina.test", phone="+573046541612", responsible=lawyer.id)
        make_client(name="Pedro Ruiz", email="", phone="", document_number="1122334455")
    html = http.get("/clientes").get_data(as_text=True)
    rows = {re.sub(r"<[^>]+>", " ", r).split()[0]: " ".join(re.sub(r"<[^>]+>", " ", r).split())
            for r in re.findall(r"<tr>\s*<td data-label=.*?</tr>", html, re.S)}
    assert rows["Constructora"] == ("Constructora Andina SAS · Empresa Prospecto Derecho laboral Laura Gómez "
                                    "gerencia@andina.test +57 304 6541612")
    assert rows["Pedro"] == "Pedro Ruiz Prospecto Derecho laboral —"

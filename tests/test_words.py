"""Words people read: "Todos" or "Todas" by the noun of each filter, the crisis protocol's titles as Spanish
writes them, one date style per use, no sentence said twice."""

import re
from datetime import date, datetime

from tests import factories


def _options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select[^>]*name="{name}".*?</select>', html, re.S).group(0)
    return re.findall(r"<option[^>]*>([^<]*)</option>", select)


def test_all_agrees_with_the_noun_of_each_filter(app, http, login_as):
    login_as("quality")
    clients = http.get("/clientes").get_data(as_text=True)
    assert _options(clients, "status")[0] == "Todos" and _options(clients, "source")[0] == "Todos"  # estado, origen
    assert _options(clients, "practice_area")[0] == "Todas"  # área
    complaints = http.get("/quejas").get_data(as_text=True)
    assert _options(complaints, "estado")[-1] == "Todos" and _options(complaints, "tipo")[0] == "Todos"
    assert _options(complaints, "categoria")[0] == "Todas"
    tabs = re.search(r'<nav class="tabs".*?</nav>', http.get("/crisis").get_data(as_text=True), re.S).group(0)
    assert re.findall(r">([^<]+)</a>", tabs) == ["Todos", "En curso", "Cerrados"]  # los incidentes


def test_crisis_titles_in_sentence_case():
    from services.complaints import crisis_protocol as protocol

    for title in [s.title for s in protocol.STEPS] + [a.title for a in protocol.RESPONSE_ACTIONS]:
        assert title[0].isupper() and title[1:] == title[1:].lower(), title
    assert protocol.FOLLOW_UP_TITLE == "Seguimiento posterior"


def test_a_party_whose_relation_repeats_its_kind_says_it_once(app, http, login_as):
    from services import cases

    with app.test_request_context():
        lawyer = factories.make_user(roles=("operations",), name="Laura Gómez")
        case = factories.make_case(responsible=lawyer)
        cases.add_party(case, "counterparty", "Constructora Andina S.A.S.", "Contraparte", lawyer)
        cases.add_party(case, "counterparty", "Inversiones del Sur", "Empleador", lawyer)
    login_as(user=lawyer)
    page = http.get(f"/casos/{case.id}").get_data(as_text=True)
    assert "Contraparte · Contraparte" not in page and "Constructora Andina S.A.S. <span" in page
    assert "Contraparte · Empleador" in page


def test_one_date_style_per_use(app):
    with app.test_request_context():
        event, day = app.jinja_env.filters["datetime"], app.jinja_env.filters["date"]
        at = datetime(2026, 12, 6, 3, 57)  # stored in UTC: 22:57 the day before in Bogotá
        assert event(at) == event(at, "short") == event(at, "medium") == "5 dic 2026, 22:57"
        assert day(date(2026, 12, 5)) == day(date(2026, 12, 5), "short") == "5 dic 2026"
        assert day(date(2026, 12, 5), "document") == day(date(2026, 12, 5), "long") == "5 de diciembre de 2026"
        assert event(at, "HH:mm") == "22:57" and event(None) == "" and day(None) == ""


def test_protocol_warnings_do_not_repeat_their_heading(app):
    from services import interactions

    with app.test_request_context():
        warnings = interactions.protocol_warnings(datetime(2026, 12, 6, 15, 0), 180, now=datetime(2026, 12, 5, 15, 0))
    assert len(warnings) == 2 and not any(w.startswith("El protocolo") for w in warnings)

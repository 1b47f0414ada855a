"""Pages count with a plain ``COUNT(*)`` (core.db.count), not peewee's wrapped ``SELECT COUNT(1) FROM (…)``,
and count the same rows as the wrapped form, whatever the query (issue 15, item 5)."""

import logging

import pytest
from peewee import fn

from core.db import count
from models.clients import Client
from models.users import User, UserRole
from tests.factories import make_client, make_user


@pytest.fixture
def statements(caplog):
    """The SQL text of every statement run inside the block."""
    caplog.set_level(logging.DEBUG, logger="peewee")

    def taken():
        return [r.msg[0] if isinstance(r.msg, tuple) else r.getMessage() for r in caplog.records if r.name == "peewee"]

    return taken


def _seed(app):
    with app.app_context():
        people = [make_user(roles=("commercial",)) for _ in range(3)]
        for i in range(7):
            make_client(name=f"Cliente {i}", responsible=people[i % 3].id, document_number=f"5212345{i}")
    return people


def test_a_plain_query_is_counted_without_a_subquery_and_like_peewee(app, statements):
    _seed(app)
    with app.app_context():
        query = Client.select(Client.id).where(Client.name.startswith("Cliente")).order_by(Client.name)
        before = len(statements())
        assert count(query) == 7
        [counted] = statements()[before:]
        assert counted.startswith('SELECT COUNT(*) FROM "client"') and "ORDER BY" not in counted
        assert query.count() == 7 and "FROM (SELECT" in statements()[-1]  # what peewee alone would run
        assert Client.count_matching(q="Cliente") == 7


def test_grouped_distinct_limited_and_joined_queries_count_the_same_rows(app):
    _seed(app)
    with app.app_context():
        queries = [
            Client.select(Client.responsible).distinct(),
            Client.select(Client.responsible, fn.COUNT(Client.id)).group_by(Client.responsible),
            Client.select().order_by(Client.id).limit(4),
            Client.select().order_by(Client.id).offset(5),
            User.select().join(UserRole, on=(UserRole.user == User.id)).where(UserRole.role == "commercial"),
            Client.select().where(Client.id < 0),
        ]
        assert [count(q) for q in queries] == [q.count() for q in queries] == [3, 3, 4, 2, 3, 0]


def _client_counts(statements, before):
    return [s for s in statements()[before:] if "COUNT(" in s and '"client"' in s]


def test_the_client_list_counts_once_with_count_star(app, http, login_as, statements):
    people = _seed(app)
    with app.app_context():
        for i in range(7, 30):
            make_client(name=f"Cliente {i}", responsible=people[0].id)
    login_as("commercial")
    before = len(statements())
    page = http.get("/clientes?q=cliente")
    assert page.status_code == 200 and "Cliente 1" in page.get_data(as_text=True)
    [counted] = _client_counts(statements, before)
    assert "COUNT(*)" in counted and "FROM (SELECT" not in counted


def test_a_first_page_with_room_to_spare_is_its_own_count(app, http, login_as, statements):
    """A search that finds fewer rows than a page holds shows them and their number without counting them again; a
    full first page, and any later page, counts; a page past the end is the last one."""
    people = _seed(app)
    login_as("commercial")
    before = len(statements())
    short = http.get("/clientes?q=cliente").get_data(as_text=True)
    assert "Cliente 6" in short and "7 clientes" in short and _client_counts(statements, before) == []
    before = len(statements())
    one = http.get("/clientes?q=52123453").get_data(as_text=True)
    assert "Cliente 3" in one and "1 cliente" in one and _client_counts(statements, before) == []
    with app.app_context():
        for i in range(7, 30):
            make_client(name=f"Cliente {i}", responsible=people[0].id)
    before = len(statements())
    full = http.get("/clientes?q=cliente").get_data(as_text=True)
    assert "30 clientes" in full and "pagina=2" in full and len(_client_counts(statements, before)) == 1
    before = len(statements())
    second = http.get("/clientes?q=cliente&pagina=2").get_data(as_text=True)
    assert "Cliente 9" in second and "30 clientes" in second and len(_client_counts(statements, before)) == 1
    beyond = http.get("/clientes?q=cliente&pagina=9").get_data(as_text=True)
    assert "Cliente 9" in beyond and "Cliente 0" not in beyond


def test_a_search_counts_its_matches_less_the_blocked_in_one_pass(app, statements):
    """A search's count reads the matches once and leaves the blocked among them out: the list's own count."""
    from datetime import date

    people = _seed(app)
    with app.app_context():
        Client.update(blocked_on=date(2026, 1, 1)).where(Client.name.in_(("Cliente 1", "Cliente 4"))).execute()
        for filters in ({"q": "cliente"}, {"q": "cliente", "responsible": people[1].id}, {"q": "52123454"},
                        {"q": "52123453"}, {"q": "nadie"}):
            before = len(statements())
            counted = Client.count_matching(**filters)
            [sql] = statements()[before:]
            assert sql.count('"search_token"') == 1, sql  # the search runs once
            assert counted == Client.listing(**filters).count(), filters
        assert Client.count_matching(q="cliente") == 5
        assert Client.count_matching(q="52123454") == 0 and Client.count_matching(q="52123453") == 1


def test_the_survey_invitations_count_leaves_out_those_of_blocked_clients(app):
    """Unfiltered, the invitations list counts all less those of blocked clients; filtered, as its rows."""
    from datetime import date

    from models.surveys import SurveyInvitation
    from services import surveys

    _seed(app)
    with app.test_request_context():
        for client in Client.select():
            surveys.invite(client, email="")  # a link handed over, not mailed
        assert SurveyInvitation.count_listing() == 7 == SurveyInvitation.listing().count()
        Client.update(blocked_on=date(2026, 1, 1)).where(Client.name.in_(("Cliente 1", "Cliente 4"))).execute()
        assert SurveyInvitation.count_listing() == 5 == SurveyInvitation.listing().count()
        assert SurveyInvitation.count_listing("pending") == SurveyInvitation.listing("pending").count()


def test_the_complaints_register_counts_leave_out_those_of_blocked_clients(app):
    """Unfiltered (every state, or the open ones) the register counts from its indexes less the blocked clients'
    complaints; walk-ins (no client) count. Filtered, it counts as before; both agree with the rows."""
    from datetime import date

    from models.complaints import Complaint
    from services.complaints import change_status, open_complaint

    people = _seed(app)
    with app.test_request_context():
        clients = list(Client.select().order_by(Client.id))
        made = [open_complaint(kind="claim", description=f"Reclamo {i}", owner=people[0].id, client=c.id)
                for i, c in enumerate(clients)]
        open_complaint(kind="query", description="Sin cliente", owner=people[1].id, walk_in_name="Visitante")
        change_status(made[0], "analysis", people[0])
        Complaint.update(status="closed").where(Complaint.id.in_([made[2].id, made[4].id])).execute()
        Client.update(blocked_on=date(2026, 1, 1)).where(Client.id.in_([clients[1].id, clients[4].id])).execute()

        def rows(status):
            return Complaint.register_rows(status=status).count()

        assert Complaint.register_counts(status="") == (6, 5) == (rows(""), rows("open"))
        assert Complaint.register_counts(status="open") == (5, 5) == (rows("open"), rows("open"))
        assert Complaint.register_counts(status="", kind="query") == (1, 1)
        assert Complaint.register_counts(status="closed") == (1, 0) == (rows("closed"), 0)

"""Referrals (issue 18, "Programas de referencia"): who referred whom (``referred_by``, captured at intake), each
referral's outcome from the referred client's status, the thanks recorded once (and sent in Spanish through the
outbox when asked), the reward per the referrer rules, and the ranking of referrers; constant queries."""

from decimal import Decimal

from playhouse.test_utils import count_queries

from core import mail
from models.audit import AuditEvent
from models.benefits import BenefitRule, ReferralThanks
from models.clients import Client
from models.mail import OutboundEmail
from services.loyalty import referrals
from tests.factories import make_client

_n = iter(range(10_000))


def _client(name, status="active", referred_by=None, email=""):
    n = next(_n)
    client = make_client(name=name, document_number=f"8800{n:04d}", email=email or f"c{n}@correo.test")
    Client.update(status=status, referred_by=referred_by.id if referred_by else None).where(
        Client.id == client.id).execute()
    return Client.get_by_id(client.id)


def _world(app):
    with app.test_request_context():
        ana = _client("Ana Pérez", email="ana.perez@correo.test")
        luis = _client("Luis Torres")
        for name, status in (("Ferretería Sol SAS", "active"), ("Carlos Ruiz", "former"),
                             ("Inversiones Mar SAS", "evaluating"), ("Pedro Gil", "rejected")):
            _client(name, status=status, referred_by=ana)
        _client("Marta Díaz", status="accepted", referred_by=luis)
        _client("Jorge Sáenz", status="prospect", referred_by=luis)
        BenefitRule.create(name="Embajador", kind="discount", percent=Decimal("5"), basis="referrals", threshold=2)
        BenefitRule.create(name="Embajador oro", kind="service", service="Revisión anual", basis="referrals",
                           threshold=3)
        BenefitRule.create(name="Recurrente", kind="discount", percent=Decimal("10"), basis="contracts", threshold=1)
    return ana, luis


def test_outcomes_come_from_the_referred_clients_status(app):
    _world(app)
    with app.app_context():
        outcome = {r["name"]: r["outcome"] for r in referrals.referrals()}
    assert outcome == {"Ferretería Sol SAS": "client", "Carlos Ruiz": "client", "Inversiones Mar SAS": "evaluating",
                       "Pedro Gil": "not_accepted", "Marta Díaz": "client", "Jorge Sáenz": "evaluating"}


def test_ranking_counts_referrals_that_became_clients_with_rewards(app):
    ana, luis = _world(app)
    with app.app_context():
        ranking = referrals.ranking()
    assert [(r["name"], r["became"], r["total"]) for r in ranking] == [("Ana Pérez", 2, 4), ("Luis Torres", 1, 2)]
    assert [rule.name for rule in ranking[0]["rewards"]] == ["Embajador"]  # 2 became clients: not yet "oro"
    assert ranking[1]["rewards"] == []


def test_the_ranking_names_the_first_referrers_ties_by_name_and_leaves_blocked_ones_out(app):
    """The ranking counts per referrer first and names only those ranked within the list: ties at its last place
    are ordered by name as over all referrers, and a blocked referrer takes no place (a referral of a blocked client
    still counts for its referrer)."""
    from datetime import date

    with app.test_request_context():
        top = _client("Zoe Blocked")  # the most referrals, but blocked: out, and the list still has its length
        for n in range(3):
            _client(f"De Zoe {n}", referred_by=top)
        Client.update(blocked_on=date(2026, 1, 5)).where(Client.id == top.id).execute()
        first = _client("Marco Uno")
        for n in range(2):
            _client(f"De Marco {n}", referred_by=first)
        gone = _client("De Marco bloqueado", referred_by=first)
        Client.update(blocked_on=date(2026, 1, 5)).where(Client.id == gone.id).execute()
        tied = [_client(name) for name in ("Carla Tres", "Dora Cuatro", "Beto Dos")]  # one each that became a client
        for n, referrer in enumerate(tied):
            _client(f"De empate {n}", referred_by=referrer)
        fewer = _client("Aaron Menos")  # first by name, but only in evaluation: after the ties
        _client("De Aaron", status="evaluating", referred_by=fewer)
    with app.app_context():
        assert [(r["name"], r["became"], r["total"]) for r in referrals.ranking(limit=3)] == [
            ("Marco Uno", 3, 3), ("Beto Dos", 1, 1), ("Carla Tres", 1, 1)]
        assert [r["name"] for r in referrals.ranking()] == [
            "Marco Uno", "Beto Dos", "Carla Tres", "Dora Cuatro", "Aaron Menos"]


def test_thanks_are_recorded_once_and_sent_in_spanish(app, http, login_as, mailbox):
    user = login_as("commercial")
    ana, _luis = _world(app)
    with app.app_context():
        referred = Client.get(Client.name == "Ferretería Sol SAS")
    answer = http.post(f"/fidelizacion/referencias/{referred.id}/agradecimiento", data={"email": "y"})
    assert answer.status_code == 303
    with app.app_context():
        thanks = ReferralThanks.get(ReferralThanks.referred == referred.id)
        assert (thanks.referrer_id, thanks.emailed, thanks.sent_by_id) == (ana.id, True, user.id)
        assert OutboundEmail.select().count() == 1
        assert AuditEvent.select().where(AuditEvent.action == "referral_thanks").count() == 1
        mail.deliver_pending()
    [message] = mailbox.to("ana.perez@correo.test")
    assert message["Subject"] == "Gracias por recomendarnos"
    text = mailbox.text(message)
    assert "Gracias por recomendar" in text and "Ferretería Sol SAS" in text
    assert "mejor reconocimiento a nuestro trabajo" in text
    again = http.post(f"/fidelizacion/referencias/{referred.id}/agradecimiento", data={})
    assert again.status_code == 303
    with app.app_context():
        assert ReferralThanks.select().count() == 1 and OutboundEmail.select().count() == 1
    page = http.get("/fidelizacion/referencias").get_data(as_text=True)
    assert "Ranking" in page and "Ana Pérez" in page and "por correo" in page
    # thanks without email, for a referral of Luis
    with app.app_context():
        marta = Client.get(Client.name == "Marta Díaz")
    http.post(f"/fidelizacion/referencias/{marta.id}/agradecimiento", data={})
    with app.app_context():
        assert not ReferralThanks.get(ReferralThanks.referred == marta.id).emailed
        assert OutboundEmail.select().count() == 1


def test_a_client_not_referred_cannot_be_thanked(app, http, login_as):
    login_as("commercial")
    ana, _ = _world(app)
    assert http.post(f"/fidelizacion/referencias/{ana.id}/agradecimiento", data={}).status_code == 404
    with app.app_context():
        assert ReferralThanks.select().count() == 0


def test_the_referrals_page_runs_the_same_queries_for_more_referrals(app, http, login_as):
    login_as("commercial")
    ana, luis = _world(app)
    with count_queries() as counter:
        assert http.get("/fidelizacion/referencias").status_code == 200
    few = counter.count
    with app.test_request_context():
        for n in range(6):
            referrer = _client(f"Nuevo referente {n}")
            _client(f"Recomendado {n}", referred_by=referrer)
            _client(f"Otro recomendado {n}", status="evaluating", referred_by=ana)
    with count_queries() as counter:
        assert http.get("/fidelizacion/referencias").status_code == 200
    assert counter.count == few
    with count_queries() as counter:
        assert http.get(f"/fidelizacion/clientes/{ana.id}/beneficios").status_code == 200
    assert "Ferretería Sol SAS" in http.get(f"/fidelizacion/clientes/{ana.id}/beneficios").get_data(as_text=True)


def test_the_bench_floors_read_the_same_rows(app, make_user):
    """The floors of the referrals and benefit rules pages (bench/floors.py) run the pages' queries on real rows."""
    from bench import floors
    from bench.pages import PAGES

    _world(app)
    user = make_user(roles=("commercial",))
    for name, expected in (("referrals", ("Ana Pérez", "Ferretería Sol SAS")), ("benefit rules", ("Embajador oro",))):
        page = next(p for p in PAGES if p.name == name)
        floors.shell.cache_clear()
        floor_app, urls = floors.make_app([page], {page.role: user.id})
        html = floor_app.test_client().get(urls[page.name]).get_data(as_text=True)
        assert all(text in html for text in expected), name


def test_each_row_links_its_own_clients_and_thanks_form(app, http, login_as):
    """The page writes its words, links and token once for the list: each row still points at its own referred
    client, its referrer's loyalty tab and its own thanks form, and reads its outcome in Spanish."""
    login_as("commercial")
    ana, luis = _world(app)
    with app.app_context():
        marta = Client.get(Client.name == "Marta Díaz")
        ferreteria = Client.get(Client.name == "Ferretería Sol SAS")
    page = http.get("/fidelizacion/referencias", headers={"Accept-Language": "es"}).get_data(as_text=True)
    row = page[page.index(f'href="/clientes/{marta.id}"'):]
    row = row[:row.index("</tr>")]
    assert f'href="/fidelizacion/clientes/{luis.id}/beneficios">Luis Torres</a>' in row
    assert f'action="/fidelizacion/referencias/{marta.id}/agradecimiento"' in row
    assert "Llegó a ser cliente" in row and 'name="csrf_token" value="' in row
    assert f'href="/fidelizacion/clientes/{ana.id}/beneficios">Ana Pérez</a>' in page
    assert f'action="/fidelizacion/referencias/{ferreteria.id}/agradecimiento"' in page

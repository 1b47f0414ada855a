"""The demo firm `make run` loads: it loads on an empty database and its case pages work."""

from core import auth
from core.db import utcnow
from models.cases import Case
from models.documents import Deadline, DocumentItem
from models.interactions import Interaction
from models.users import User
from services import demo
from tests.factories import sign_in


def test_demo_loads_a_firm_with_cases_at_every_stage(app):
    with app.test_request_context():
        demo.load()
    assert {"open", "in_progress", "resolved"} <= {c.status for c in Case.select()}
    assert Interaction.select().count() >= 10 and DocumentItem.select().count() >= 10 and Deadline.select().exists()
    ops = User.get(User.email == f"operaciones@{demo.DOMAIN}")
    secret = auth.new_totp_secret()
    User.update(totp_secret=auth.seal_totp(ops, secret), totp_enrolled_at=utcnow()).where(User.id == ops.id).execute()
    ops.plain_password, ops.totp_plain = demo.DEMO_PASSWORD, secret
    browser = app.test_client()
    sign_in(browser, ops)
    case = Case.select().order_by(Case.id).first()
    assert case.on_team(ops)
    for url in (f"/casos/{case.id}", f"/casos/{case.id}/intervenciones", f"/interacciones/casos/{case.id}",
                f"/documentos/casos/{case.id}", f"/documentos/casos/{case.id}/plazos", f"/casos/{case.id}/cierre",
                "/casos/", "/casos/agenda", "/mi-trabajo", f"/interacciones/clientes/{case.client_id}"):
        assert browser.get(url).status_code == 200, url


def test_every_demo_phone_is_one_the_intake_accepts(app):
    """An exported demo list re-imports without errors: the demo invents no number the app refuses."""
    from core.validation import normalise_phone
    from models.clients import Client

    with app.test_request_context():
        demo.load()
    phones = [(c.phone, c.country) for c in Client.select(Client.phone, Client.country) if c.phone]
    assert len(phones) >= 20
    for phone, country in phones:
        assert normalise_phone(phone, country) == phone
    assert {p[3:6] for p, _ in phones} <= {str(prefix) for prefix in demo.MOBILE_PREFIXES}


def test_the_demo_firm_hangs_together(app):
    """Each client's need is one of its practice area's matters and fits the kind of client; each case tells the
    story of one matter of its area (title and description together); the open questions differ; nobody signed
    in without a password and an authenticator; the charts have a year of data behind them."""
    from core.i18n import to_local
    from models.clients import Client
    from models.commercial import Contract
    from models.complaints import Complaint
    from models.surveys import SurveyResponse
    from services.demo import matters

    with app.test_request_context():
        demo.load()
        by_need = {(m.area, m.need): m for m in matters.MATTERS}
        by_title = {(m.area, m.title): m for m in matters.MATTERS}
        clients = list(Client.select())
        for client in clients:
            matter = by_need.get((client.practice_area.name, client.need))
            assert matter and matter.fits(client.kind), (client.kind, client.practice_area.name, client.need)
        cases = list(Case.select())
        assert len({c.title for c in cases}) >= 12
        for case in cases:
            matter = by_title.get((case.practice_area.name, case.title))
            assert matter and matter.description == case.description and matter.fits(case.client.kind), case.title
            if case.status != "closed":  # the matter the client came with
                assert (matter.area, matter.need) == (case.client.practice_area.name, case.client.need)
            assert case.opened_on >= to_local(case.client.created_at).date()
        for contract in Contract.select():
            assert contract.start_date >= to_local(contract.client.created_at).date()
        questions = [i.summary for i in Interaction.unanswered_of([c.id for c in clients])]
        assert len(questions) >= 5 and len(set(questions)) == len(questions)
        for user in User.select().where(User.last_login_at.is_null(False)):
            assert user.password_hash and user.totp_secret, user.email
            assert user.totp_enrolled_at <= user.last_login_at, user.email
        assert User.select().where(User.password_hash.is_null()).exists()  # some still await activation
        assert User.select().where(User.password_hash.is_null(False), User.totp_secret.is_null()).exists()
        months = {r.month for r in SurveyResponse.select(SurveyResponse.month)}
        assert len(months) >= 10
        assert len({to_local(c.received_at).strftime("%Y-%m") for c in Complaint.select()}) >= 6
        from core.i18n import today_local
        from models.quality import ImprovementAction

        improvement = list(ImprovementAction.select())  # one at each step, a late one among them
        assert {a.status for a in improvement} == {"open", "in_progress", "verifying", "closed"}
        assert {a.source for a in improvement} >= {"complaint", "survey", "review", "indicator"}
        assert any(a.overdue(today_local()) for a in improvement)
        assert all(a.effectiveness_check and a.verified_by_id for a in improvement if a.status == "closed")

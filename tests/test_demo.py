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

"""Account administration: the last administrator keeps the role whatever is posted, a mail that cannot be
sent does not undo a committed change (it waits in the outbox), the audit log's date filter takes the firm's
days, and odd paging values in the user and audit lists never crash."""

from datetime import UTC, datetime

import pytest
import time_machine

from models.mail import OutboundEmail
from models.users import User
from services.admin import accounts
from tests.factories import make_user


def test_last_admin_cannot_lose_the_role_even_without_the_form(app):
    with app.test_request_context():
        only = make_user(roles=("admin",))
        with pytest.raises(accounts.AccountError):
            accounts.set_roles(User.get_by_id(only.id), ["quality"], actor=None)
    assert "admin" in User.get_by_id(only.id).role_names


def test_mail_failure_does_not_break_a_committed_change(make_app, mailbox):
    app = make_app(SMTP_STARTTLS=True)  # the test SMTP server offers no STARTTLS
    with app.app_context():
        admin = make_user(roles=("admin",))
    client = app.test_client()
    from tests.factories import sign_in

    sign_in(client, admin)
    response = client.post("/admin/usuarios/nuevo", data={"name": "Luis", "email": "luis@firma.test",
                                                           "roles": ["service"]})
    assert response.status_code == 303
    assert User.by_email("luis@firma.test") is not None
    assert OutboundEmail.get(OutboundEmail.to_addr == "luis@firma.test").status == "pending"


def test_audit_date_filter_uses_the_firm_time_zone(app, http, login_as):
    from core import audit

    login_as("quality")
    with app.test_request_context(), time_machine.travel(datetime(2025, 5, 1, 2, 0, tzinfo=UTC), tick=False):
        audit.record("user_update", object_type="app_user", object_id=424242)  # 30 April, 21:00 in Bogotá
    april = http.get("/admin/auditoria?since=2025-04-30&until=2025-04-30").get_data(as_text=True)
    may = http.get("/admin/auditoria?since=2025-05-01&until=2025-05-01").get_data(as_text=True)
    assert "424242" in april and "424242" not in may


@pytest.mark.parametrize("query", ["antes=99999999999999999999999", "antes=-5", "antes=abc", "pagina=-1",
                                   "pagina=99999999999999999999"])
def test_odd_paging_values_never_crash(app, http, login_as, query):
    login_as("admin", "quality")
    assert http.get(f"/admin/auditoria?{query}").status_code == 200
    assert http.get(f"/admin/usuarios?{query}").status_code == 200

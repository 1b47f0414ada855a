"""Regression tests for defects found in review (each names the requirement it protects)."""

import logging
from datetime import UTC, datetime

import pytest
import time_machine

from models.audit import AuditEvent
from models.mail import OutboundEmail
from models.users import User
from services.admin import accounts
from tests.factories import PASSWORD, code_for, make_user


def test_l3_rate_limited_token_url_is_not_logged(make_app, caplog):
    app = make_app(RATELIMIT_ENABLED=True)
    caplog.set_level(logging.INFO, logger="traza.security")
    client = app.test_client()
    token = "Z" * 43
    for _ in range(11):
        response = client.post(f"/activar/{token}", data={"password": "x", "confirm": "x"})
    assert response.status_code == 429
    assert token not in caplog.text


def test_p5_throttled_account_and_unknown_email_answer_alike(app):
    with app.app_context():
        user = make_user()
    known, unknown = app.test_client(), app.test_client()
    with time_machine.travel(datetime.now(UTC), tick=False):
        for _ in range(6):
            a = known.post("/entrar", data={"email": user.email, "password": "mala"})
            b = unknown.post("/entrar", data={"email": "nadie.aqui@firma.test", "password": "mala"})
        assert a.status_code == b.status_code == 422
        assert "Demasiados intentos fallidos" in a.get_data(as_text=True)
        assert "Demasiados intentos fallidos" in b.get_data(as_text=True)


def test_r1_password_change_failures_are_throttled_and_audited(app, http, login_as):
    user = login_as("commercial")
    with time_machine.travel(datetime.now(UTC), tick=False):
        for _ in range(5):
            http.post("/perfil/contrasena", data={"current": "mala", "password": "tejado morado bajo lluvia",
                                                  "confirm": "tejado morado bajo lluvia"})
        sixth = http.post("/perfil/contrasena", data={"current": PASSWORD, "password": "tejado morado bajo lluvia",
                                                      "confirm": "tejado morado bajo lluvia"})
    assert "Demasiados intentos fallidos" in sixth.get_data(as_text=True)
    assert AuditEvent.select().where(AuditEvent.action == "password_change_fail").count() == 5
    assert User.get_by_id(user.id).failed_logins == 5


def test_r1_reauthentication_failure_can_lock_and_signs_out(app, http, login_as, mailbox):
    user = login_as("commercial")
    User.update(failed_logins=49).where(User.id == user.id).execute()
    response = http.post("/confirmar", data={"password": "mala"})
    assert response.status_code == 303 and response.headers["Location"] == "/entrar"
    assert User.get_by_id(user.id).is_locked
    assert http.get("/").status_code == 302
    assert mailbox.to(user.email)


def test_r2_code_failures_lock_the_account_at_fifty(app, make_user, mailbox):
    user = make_user()
    User.update(otp_failures=49).where(User.id == user.id).execute()
    client = app.test_client()
    client.post("/entrar", data={"email": user.email, "password": PASSWORD})
    wrong = f"{(int(code_for(user)) + 3) % 1000000:06d}"
    with time_machine.travel(datetime.now(UTC), tick=False):
        client.post("/entrar/verificacion", data={"code": wrong})
    assert User.get_by_id(user.id).is_locked
    assert AuditEvent.select().where(AuditEvent.action == "lockout").count() == 1
    assert mailbox.to(user.email)


def test_r2_restart_after_five_wrong_codes_counts_against_the_ip_limit(make_app):
    app = make_app(RATELIMIT_ENABLED=True)
    with app.app_context():
        user = make_user()
    client = app.test_client()
    client.post("/entrar", data={"email": user.email, "password": PASSWORD})
    wrong = f"{(int(code_for(user)) + 5) % 1000000:06d}"
    statuses = [client.post("/entrar/verificacion", data={"code": wrong}).status_code for _ in range(5)]
    assert statuses[-1] == 303  # back to the password step…
    client.post("/entrar", data={"email": user.email, "password": PASSWORD})
    statuses += [client.post("/entrar/verificacion", data={"code": wrong}).status_code for _ in range(6)]
    assert 429 in statuses  # …and still counted: 10 failures reach the per-minute limit


def test_s1_flash_messages_carry_no_personal_data(app, http, login_as):
    import base64
    import zlib

    login_as("admin")
    http.post("/admin/usuarios/nuevo", data={"name": "Ana Secreta", "email": "ana.secreta@firma.test",
                                             "roles": ["service"]})
    value = http.get_cookie("traza_session").value
    data = value[1:].split(".")[0] if value.startswith(".") else value.split(".")[0]
    raw = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
    payload = (zlib.decompress(raw) if value.startswith(".") else raw).decode()
    assert "ana.secreta" not in payload and "Ana Secreta" not in payload


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


def test_error_answers_keep_their_code_headers_and_security_headers(app, http, login_as):
    login_as("commercial")
    not_allowed = http.get("/salir")
    assert not_allowed.status_code == 405 and "POST" in not_allowed.headers["Allow"]
    ranged = http.get("/static/css/app.css", headers={"Range": "bytes=99999999-"})
    assert ranged.status_code == 416
    ranged.close()
    too_big = http.post("/perfil/idioma", data={"locale": "x" * (2 * 1024 * 1024)})
    assert too_big.status_code == 413
    for response in (not_allowed, ranged, too_big, http.get("/no-existe", headers={"HX-Request": "true"})):
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"

"""Throttling and lockout (SECURITY.md R1, R2)."""

from datetime import UTC, datetime

import time_machine

from core import auth
from models.audit import AuditEvent
from models.users import User
from tests.factories import PASSWORD, code_for, make_user, run_concurrently


def _login(client, user, password):
    return client.post("/entrar", data={"email": user.email, "password": password})


def test_r1_progressive_delay_after_five_failures(app, http, make_user):
    user = make_user()
    with time_machine.travel(datetime.now(UTC), tick=False) as traveller:
        for _ in range(5):
            assert _login(http, user, "no es la contraseña").status_code == 422
        blocked = _login(http, user, PASSWORD)
        assert blocked.status_code == 422
        assert "Demasiados intentos fallidos" in blocked.get_data(as_text=True)
        traveller.shift(31)
        assert _login(http, user, PASSWORD).status_code == 303
    assert User.get_by_id(user.id).failed_logins == 0  # success resets the counter


def test_r1_delay_doubles(app):
    assert [auth.backoff(n).total_seconds() for n in (4, 5, 6, 7, 12, 40)] == [0, 30, 60, 120, 3600, 3600]


def test_r1_lock_at_fifty_spread_over_ips_then_admin_unlocks(app, http, make_user, login_as, mailbox):
    user = make_user()
    User.update(failed_logins=49).where(User.id == user.id).execute()
    other_ip = app.test_client()
    response = other_ip.post("/entrar", data={"email": user.email, "password": "mala"},
                             environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert response.status_code == 422
    assert User.get_by_id(user.id).is_locked
    assert AuditEvent.select().where(AuditEvent.action == "lockout").count() == 1
    assert mailbox.to(user.email) and "bloquead" in mailbox.to(user.email)[0]["Subject"]
    with time_machine.travel(datetime.now(UTC), tick=False) as traveller:
        traveller.shift(7200)
        locked = _login(app.test_client(), user, PASSWORD)
    assert "bloqueada" in locked.get_data(as_text=True)
    login_as("admin")
    assert http.post(f"/admin/usuarios/{user.id}/desbloquear").status_code == 303
    assert not User.get_by_id(user.id).is_locked
    assert _login(app.test_client(), user, PASSWORD).status_code == 303


def test_r1_per_ip_limit_counts_failures_only(make_app, make_user):
    app = make_app(RATELIMIT_ENABLED=True)
    with app.app_context():
        from tests.factories import make_user as factory

        users = [factory() for _ in range(11)]
    client = app.test_client()
    for u in users[:10]:
        assert client.post("/entrar", data={"email": u.email, "password": "mala"}).status_code == 422
    response = client.post("/entrar", data={"email": users[10].email, "password": "mala"})
    assert response.status_code == 429
    assert "Demasiados intentos" in response.get_data(as_text=True)
    assert AuditEvent.select().where(AuditEvent.action == "rate_limit").count() == 1
    fresh_ip = app.test_client()
    assert fresh_ip.post("/entrar", data={"email": users[10].email, "password": PASSWORD},
                         environ_base={"REMOTE_ADDR": "10.1.1.1"}).status_code == 303


def test_r2_valid_code_refused_right_after_failures(app, make_user):
    user = make_user()
    good_code = code_for(user)
    wrong = f"{(int(good_code) + 7) % 1000000:06d}"
    with time_machine.travel(datetime.now(UTC), tick=False) as traveller:
        first = app.test_client()
        _login(first, user, PASSWORD)
        for _ in range(5):
            first.post("/entrar/verificacion", data={"code": wrong})
        second = app.test_client()
        _login(second, user, PASSWORD)
        refused = second.post("/entrar/verificacion", data={"code": code_for(user)})
        assert refused.status_code == 422
        assert "Demasiados intentos fallidos" in refused.get_data(as_text=True)
        traveller.shift(31)
        assert second.post("/entrar/verificacion", data={"code": code_for(user)}).status_code == 303


def test_r2_concurrent_failures_all_count(app, make_user):
    user = make_user()
    run_concurrently(app, lambda: auth.register_otp_failure(User.get_by_id(user.id)))
    assert User.get_by_id(user.id).otp_failures == 10


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

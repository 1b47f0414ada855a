"""TOTP and recovery codes (SECURITY.md T2–T8)."""

import base64
import json
import re
import time
from datetime import UTC, datetime

import pyotp
import pytest
import time_machine

from core import auth
from core.db import db
from models.users import RecoveryCode, User
from tests.factories import PASSWORD, code_for, run_concurrently

RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()


@pytest.mark.parametrize("unix, code", [(59, "287082"), (1111111109, "081804"), (1111111111, "050471"),
                                        (1234567890, "005924"), (2000000000, "279037")])
def test_t5_rfc6238_vectors(unix, code):
    assert pyotp.TOTP(RFC_SECRET).at(unix) == code  # SHA-1, 30 s, 6 digits (RFC 6238 appendix B, truncated)


@pytest.mark.parametrize("offset, accepted", [(-60, False), (-30, True), (0, True), (30, True), (60, False)])
def test_t5_window_is_one_step(app, offset, accepted):
    secret = pyotp.random_base32()
    now = datetime(2026, 11, 22, 12, 0, 15, tzinfo=UTC)
    code = pyotp.TOTP(secret).at(now.timestamp() + offset)
    with time_machine.travel(now, tick=False):
        assert (auth.matching_timecode(secret, code) is not None) is accepted


def _password_step(client, user):
    response = client.post("/entrar", data={"email": user.email, "password": user.plain_password})
    assert response.status_code == 303
    return response


def test_t6_code_accepted_once(app, make_user):
    user = make_user()
    first, second = app.test_client(), app.test_client()
    _password_step(first, user)
    _password_step(second, user)
    code = code_for(user)
    assert first.post("/entrar/verificacion", data={"code": code}).status_code == 303
    replay = second.post("/entrar/verificacion", data={"code": code})
    assert replay.status_code == 422
    assert "ya se usó" in replay.get_data(as_text=True)


def test_t6_previous_step_rejected_after_current_step_used(app, make_user):
    user = make_user()
    now = time.time()
    client = app.test_client()
    _password_step(client, user)
    assert client.post("/entrar/verificacion", data={"code": code_for(user, at=now)}).status_code == 303
    other = app.test_client()
    _password_step(other, user)
    assert other.post("/entrar/verificacion", data={"code": code_for(user, at=now - 30)}).status_code == 422


def test_t6_ten_threads_same_code_one_success(app, make_user):
    user = make_user()
    code = code_for(user)
    results = run_concurrently(app, lambda: auth.accept_totp(User.get_by_id(user.id), code))
    assert results.count(True) == 1


def test_t2_enrolment_needs_a_valid_code_and_keeps_seed_server_side(app, http, make_user):
    user = make_user(totp=False)
    _password_step(http, user)
    page = http.get("/entrar/configurar-2fa")
    body = page.get_data(as_text=True)
    key = re.search(r'data-testid="totp-key"><code>([A-Z2-7 ]+)</code>', body).group(1).replace(" ", "")
    assert len(key) == 32 and len(base64.b32decode(key)) == 20  # 160-bit seed
    with http.session_transaction() as sess:
        assert key not in json.dumps(dict(sess))
    wrong = http.post("/entrar/configurar-2fa", data={"code": "000000" if pyotp.TOTP(key).now() != "000000" else "111111"})
    assert wrong.status_code == 422
    assert User.get_by_id(user.id).totp_secret is None
    ok = http.post("/entrar/configurar-2fa", data={"code": pyotp.TOTP(key).now()})
    assert ok.status_code == 200
    stored = User.get_by_id(user.id)
    assert stored.totp_secret and stored.totp_pending is None
    assert http.get("/").status_code == 200


def test_after_first_enrolment_a_manager_continues_to_the_quality_dashboard(app, http, make_user):
    user = make_user(roles=("management",), totp=False)
    _password_step(http, user)
    body = http.get("/entrar/configurar-2fa").get_data(as_text=True)
    key = re.search(r'data-testid="totp-key"><code>([A-Z2-7 ]+)</code>', body).group(1).replace(" ", "")
    codes = http.post("/entrar/configurar-2fa", data={"code": pyotp.TOTP(key).now()}).get_data(as_text=True)
    assert re.search(r'href="/calidad">Ya los guardé, continuar', codes)


def test_t3_qr_inline_with_issuer_and_no_cache(app, http, make_user):
    user = make_user(totp=False)
    _password_step(http, user)
    response = http.get("/entrar/configurar-2fa")
    body = response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    assert "<svg" in body and 'hx-history="false"' in body
    assert not re.search(r'(src|href)="https?://', body)
    with app.app_context():
        fresh = User.get_by_id(user.id)
        uri = auth.provisioning_uri(fresh, auth.open_totp(fresh, "totp_pending"))
    assert uri.startswith("otpauth://totp/Traza:") and "issuer=Traza" in uri
    assert len(re.search(r"secret=([A-Z2-7]+)", uri).group(1)) == 32


def test_t3_no_secret_shown_after_enrolment(app, http, login_as):
    login_as("commercial")
    response = http.get("/entrar/configurar-2fa")
    assert response.status_code == 302  # nothing pending: back to sign-in, no seed on the page


def test_t4_seed_encrypted_at_rest_and_not_logged(app, http, make_user, caplog):
    user = make_user()
    raw = db.execute_sql("SELECT totp_secret FROM app_user WHERE id = ?" if db.obj.param == "?" else
                         "SELECT totp_secret FROM app_user WHERE id = %s", (user.id,)).fetchone()[0]
    assert user.totp_plain not in raw and raw.startswith("v1.")
    from tests.factories import sign_in

    sign_in(http, user)
    assert user.totp_plain not in caplog.text


def test_t7_partial_state_grants_nothing_and_expires(app, http, make_user):
    user = make_user()
    start = datetime.now(UTC)
    with time_machine.travel(start, tick=False) as traveller:
        _password_step(http, user)
        assert http.get("/").status_code == 302
        assert http.get("/admin/usuarios").status_code == 302
        assert http.get("/perfil").status_code == 302
        with http.session_transaction() as sess:
            assert set(sess.keys()) <= {"sid", "csrf_token"}
            assert PASSWORD not in json.dumps(dict(sess))
        traveller.shift(601)
        response = http.post("/entrar/verificacion", data={"code": code_for(user)})
        assert response.status_code == 302 and "/entrar" in response.headers["Location"]


def test_t7_five_wrong_codes_restart_the_login(app, http, make_user):
    user = make_user()
    _password_step(http, user)
    good = code_for(user)
    wrong = f"{(int(good) + 1) % 1000000:06d}"
    for _ in range(4):
        assert http.post("/entrar/verificacion", data={"code": wrong}).status_code == 422
    fifth = http.post("/entrar/verificacion", data={"code": wrong})
    assert fifth.status_code == 303 and fifth.headers["Location"].startswith("/entrar")
    assert http.post("/entrar/verificacion", data={"code": good}).status_code == 302  # challenge gone


def test_t7_code_field_attributes(app, http, make_user):
    _password_step(http, make_user())
    body = http.get("/entrar/verificacion").get_data(as_text=True)
    assert 'autocomplete="one-time-code"' in body and 'inputmode="numeric"' in body


def _codes_via_regenerate(http):
    http.post("/confirmar", data={"password": PASSWORD})
    body = http.post("/perfil/codigos-recuperacion", data={}).get_data(as_text=True)
    return re.findall(r"<li><code>([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})</code></li>", body)


def test_t8_ten_codes_hashed_single_use(app, http, login_as, mailbox):
    user = login_as("commercial")
    codes = _codes_via_regenerate(http)
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = [r.code_hash for r in RecoveryCode.select().where(RecoveryCode.user == user.id)]
    assert len(stored) == 10 and all(h.startswith("$argon2id$") for h in stored)
    assert not any(c.replace("-", "") in h for c in codes for h in stored)
    other = app.test_client()
    _password_step(other, user)
    assert other.post("/entrar/verificacion?recuperacion=1", data={"recovery_code": codes[0].lower()}).status_code == 303
    assert RecoveryCode.remaining(user) == 9
    assert mailbox.to(user.email), "the user is told a recovery code was used"
    third = app.test_client()
    _password_step(third, user)
    assert third.post("/entrar/verificacion?recuperacion=1", data={"recovery_code": codes[0]}).status_code == 422


def test_t8_regenerating_invalidates_old_codes(app, http, login_as):
    user = login_as("commercial")
    old = _codes_via_regenerate(http)
    new = _codes_via_regenerate(http)
    assert set(old).isdisjoint(new)
    with app.app_context():
        assert not auth.use_recovery_code(User.get_by_id(user.id), old[0])
        assert auth.use_recovery_code(User.get_by_id(user.id), new[0])


def test_t8_concurrent_use_of_one_code_succeeds_once(app, http, login_as):
    user = login_as("commercial")
    code = _codes_via_regenerate(http)[3]
    results = run_concurrently(app, lambda: auth.use_recovery_code(User.get_by_id(user.id), code))
    assert results.count(True) == 1


def test_t2_reenrol_requires_fresh_auth_and_replaces_seed(app, http, login_as):
    user = login_as("commercial")
    with time_machine.travel(datetime.now(UTC), tick=False) as traveller:
        traveller.shift(11 * 60)
        http.get("/perfil")  # keep the session active (idle < 15 min)
        response = http.get("/perfil/autenticador")
        assert response.status_code == 302 and "/confirmar" in response.headers["Location"]
        http.post("/confirmar", data={"password": PASSWORD})
        body = http.get("/perfil/autenticador").get_data(as_text=True)
        key = re.search(r'data-testid="totp-key"><code>([A-Z2-7 ]+)</code>', body).group(1).replace(" ", "")
        assert http.post("/perfil/autenticador", data={"code": pyotp.TOTP(key).now()}).status_code == 200
    with app.app_context():
        assert auth.open_totp(User.get_by_id(user.id)) == key

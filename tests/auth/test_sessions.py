"""Server-side sessions (SECURITY.md S1–S7, T1)."""

import base64
import json
import zlib
from datetime import UTC, datetime
from http.cookies import SimpleCookie

import time_machine

from core.guard import ROLES
from models.users import User, UserSession
from tests.factories import PASSWORD, sign_in


def _cookie_payload(client, name="traza_session"):
    cookie = client.get_cookie(name)
    data = cookie.value.split(".")[0 if not cookie.value.startswith(".") else 1]
    compressed = cookie.value.startswith(".")
    raw = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
    return json.loads(zlib.decompress(raw) if compressed else raw)


def test_s1_cookie_holds_only_the_opaque_id(app, http, login_as):
    login_as("commercial")
    payload = _cookie_payload(http)
    assert set(payload) <= {"sid", "csrf_token"}
    assert len(payload["sid"]) >= 43  # 256 bits
    stored = UserSession.get(UserSession.user.is_null(False), UserSession.stage == "active")
    assert stored.sid_hash != payload["sid"]


def test_s1_deleting_the_server_row_signs_out(app, http, login_as):
    login_as("commercial")
    assert http.get("/").status_code == 200
    UserSession.delete().execute()
    assert http.get("/").status_code == 302


def test_s2_session_regenerated_at_sign_in(app, http, make_user):
    user = make_user()
    with http.session_transaction() as sess:
        sess["marker"] = "pre-login"
        sess["sid"] = "attacker-chosen-id"
    sign_in(http, user)
    payload = _cookie_payload(http)
    assert "marker" not in payload
    assert payload["sid"] != "attacker-chosen-id"


def test_s2_pre_login_cookie_replayed_is_anonymous(app, make_user):
    user = make_user()
    victim = app.test_client()
    victim.post("/entrar", data={"email": user.email, "password": PASSWORD})
    pending_cookie = victim.get_cookie("traza_session").value
    from tests.factories import code_for

    victim.post("/entrar/verificacion", data={"code": code_for(user)})
    attacker = app.test_client()
    attacker.set_cookie("traza_session", pending_cookie)
    assert attacker.get("/").status_code == 302


def test_s3_idle_timeout_enforced_on_the_server(app, http, login_as):
    start = datetime.now(UTC)
    with time_machine.travel(start, tick=False) as traveller:
        login_as("commercial")
        traveller.shift(14 * 60)
        assert http.get("/").status_code == 200
        traveller.shift(16 * 60)
        response = http.get("/")
        assert response.status_code == 302 and response.headers["Location"].startswith("/entrar")


def test_s3_absolute_timeout_ten_hours(app, http, login_as):
    start = datetime.now(UTC)
    with time_machine.travel(start, tick=False) as traveller:
        login_as("commercial")
        for _ in range(59):  # activity every 10 minutes
            traveller.shift(10 * 60)
            assert http.get("/").status_code == 200
        traveller.shift(10 * 60 + 1)  # 10 h after sign-in
        assert http.get("/").status_code == 302


def test_s3_htmx_request_after_expiry_gets_hx_redirect(app, http, login_as):
    login_as("admin")
    UserSession.update(revoked_at=datetime(2026, 1, 1)).execute()
    response = http.get("/admin/usuarios", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/entrar")


def test_s4_production_cookie_attributes(make_app):
    app = make_app(ENV="production", SESSION_COOKIE_NAME="__Host-session", SESSION_COOKIE_SECURE=True)
    with app.app_context():
        from tests.factories import make_user as factory

        user = factory()
    client = app.test_client()
    headers = {"Referer": "https://localhost/entrar"}
    token = client.csrf_token()
    response = client.post("/entrar", base_url="https://localhost", headers=headers,
                           data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    set_cookies = response.headers.getlist("Set-Cookie")
    assert set_cookies
    for header in set_cookies:
        cookie = SimpleCookie(header)
        name = next(iter(cookie))
        morsel = cookie[name]
        assert name == "__Host-session"
        assert morsel["secure"] and morsel["httponly"] and morsel["samesite"] == "Lax"
        assert morsel["path"] == "/" and not morsel["domain"] and not morsel["expires"]
    assert "Strict-Transport-Security" in response.headers


def test_s5_logout_is_post_only_with_token_and_ends_the_session(app, http, login_as):
    login_as("commercial")
    assert http.get("/salir").status_code == 405
    assert http.post("/salir", csrf=False).status_code == 400
    cookie = http.get_cookie("traza_session").value
    response = http.post("/salir")
    assert response.status_code == 303
    assert response.headers["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    replay = app.test_client()
    replay.set_cookie("traza_session", cookie)
    assert replay.get("/").status_code == 302


def test_s5_logout_control_on_every_signed_in_page(app, http, login_as):
    login_as("admin")
    for url in ("/", "/perfil", "/perfil/sesiones", "/admin/usuarios", "/admin/auditoria"):
        assert 'action="/salir"' in http.get(url).get_data(as_text=True), url


def test_s6_my_sessions_lists_and_ends_sessions(app, make_user):
    user = make_user()
    from tests.factories import code_for

    a, b = app.test_client(), app.test_client()
    sign_in(a, user)
    windows = {"User-Agent": "Mozilla/5.0 (Windows NT 10.0) Chrome/120.0"}
    b.post("/entrar", data={"email": user.email, "password": PASSWORD}, headers=windows)
    b.post("/entrar/verificacion", data={"code": code_for(user, offset_steps=1)}, headers=windows)
    page = a.get("/perfil/sesiones").get_data(as_text=True)
    assert "Esta sesión" in page and "Chrome · Windows" in page
    other = UserSession.select().where(UserSession.user == user.id, UserSession.stage == "active",
                                       UserSession.user_agent.contains("Windows")).get()
    assert a.post(f"/perfil/sesiones/{other.id}/cerrar").status_code == 303
    assert b.get("/").status_code == 302
    assert a.get("/").status_code == 200


def test_s6_end_all_other_sessions(app, make_user):
    user = make_user()
    from tests.factories import code_for

    a, b = app.test_client(), app.test_client()
    sign_in(a, user)
    b.post("/entrar", data={"email": user.email, "password": PASSWORD})
    b.post("/entrar/verificacion", data={"code": code_for(user, offset_steps=1)})
    assert a.post("/perfil/sesiones/cerrar-otras").status_code == 303
    assert b.get("/").status_code == 302 and a.get("/").status_code == 200


def test_s6_cannot_end_someone_elses_session(app, http, login_as, make_user):
    login_as("commercial")
    other = make_user()
    sign_in(app.test_client(), other)
    foreign = UserSession.get(UserSession.user == other.id, UserSession.stage == "active")
    assert http.post(f"/perfil/sesiones/{foreign.id}/cerrar").status_code == 404
    assert UserSession.get_by_id(foreign.id).revoked_at is None


def test_s7_sensitive_action_needs_fresh_authentication(app, http, login_as):
    start = datetime.now(UTC)
    with time_machine.travel(start, tick=False) as traveller:
        login_as("commercial")
        assert http.get("/perfil/codigos-recuperacion").status_code == 200  # fresh right after sign-in
        traveller.shift(6 * 60)
        http.get("/")
        traveller.shift(5 * 60)  # 11 minutes after sign-in
        response = http.get("/perfil/codigos-recuperacion")
        assert response.status_code == 302 and response.headers["Location"].startswith("/confirmar")
        wrong = http.post("/confirmar?next=/perfil/codigos-recuperacion", data={"password": "no es esta"})
        assert wrong.status_code == 422
        ok = http.post("/confirmar", data={"password": PASSWORD, "next": "/perfil/codigos-recuperacion"})
        assert ok.headers["Location"] == "/perfil/codigos-recuperacion"
        assert http.get("/perfil/codigos-recuperacion").status_code == 200


def test_s7_no_remember_me_cookie(app, http, login_as):
    login_as("commercial")
    assert http.get_cookie("remember_token") is None


def test_t1_password_step_alone_reaches_nothing(app, http, make_user):
    from flask import url_for

    user = make_user(roles=tuple(ROLES))
    http.post("/entrar", data={"email": user.email, "password": PASSWORD})
    values = {"user_id": user.id, "session_id": 1, "client_id": 1, "area_id": 1, "token": "x", "quotation_id": 1,
              "contract_id": 1, "file_id": 1, "decision": "aprobar"}
    checked = 0
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if rule.endpoint == "static" or getattr(view, "_public", False):
            continue
        with app.test_request_context():
            step = {"step": {"commercial.contract_step": "activar", "cases.change_status": "en-curso", "loyalty.toggle_rule": "activar"}.get(rule.endpoint, "enviar"),
                    "fmt": "csv"}
            url = url_for(rule.endpoint, **{a: {**values, **step}.get(a, 1) for a in rule.arguments})
        for method in sorted(rule.methods & {"GET", "POST"}):
            response = http.get(url) if method == "GET" else http.post(url, data={})
            assert response.status_code == 302, (method, url)
            assert response.headers["Location"].startswith("/entrar"), (method, url)
            checked += 1
    assert checked > 25


def test_a5_role_removed_takes_effect_on_next_request(app, http, login_as):
    user = login_as("admin", "quality")
    assert http.get("/admin/auditoria").status_code == 200
    from models.users import UserRole

    UserRole.delete().where(UserRole.user == user.id, UserRole.role == "admin").execute()
    assert http.get("/admin/usuarios").status_code == 403
    assert http.get("/admin/auditoria").status_code == 200
    User.update(is_active=False).where(User.id == user.id).execute()
    assert http.get("/admin/auditoria").status_code == 302


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

"""The sign-in flow, generic answers, redirects and CSRF (SECURITY.md P5, V4, C1–C3, L3)."""

import json
import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.audit import AuditEvent
from tests.factories import PASSWORD, code_for


def test_sign_in_lands_on_the_start_page_and_is_audited(app, http, make_user):
    user = make_user(roles=("commercial",))
    first = http.post("/entrar", data={"email": user.email.upper(), "password": PASSWORD})
    assert first.status_code == 303 and first.headers["Location"].startswith("/entrar/verificacion")
    second = http.post("/entrar/verificacion", data={"code": code_for(user)})
    assert second.headers["Location"] == "/"
    assert "Hola, Persona" in http.get("/").get_data(as_text=True)
    actions = [e.action for e in AuditEvent.select().where(AuditEvent.actor == user.id)]
    assert "login_password_ok" in actions and "login_success" in actions


@pytest.mark.parametrize("roles", [("management",), ("quality",), ("admin", "management")])
def test_management_and_quality_land_on_the_quality_dashboard(app, http, make_user, roles):
    user = make_user(roles=roles)
    http.post("/entrar", data={"email": user.email, "password": PASSWORD})
    landed = http.post("/entrar/verificacion", data={"code": code_for(user)})
    assert landed.headers["Location"] == "/calidad"
    assert "Indicadores" in http.get("/calidad").get_data(as_text=True)
    assert http.get("/").status_code == 200  # the start page stays one click away ("Inicio")


def test_a_requested_page_wins_over_the_dashboard(app, http, make_user):
    user = make_user(roles=("management",))
    http.post("/entrar", query_string={"next": "/clientes"}, data={"email": user.email, "password": PASSWORD})
    landed = http.post("/entrar/verificacion", query_string={"next": "/clientes"}, data={"code": code_for(user)})
    assert landed.headers["Location"] == "/clientes"


def test_p5_unknown_email_and_wrong_password_look_the_same(app, make_user):
    user = make_user()
    a, b = app.test_client(), app.test_client()
    unknown = a.post("/entrar", data={"email": "nadie@firma.test", "password": "lo que sea"})
    wrong = b.post("/entrar", data={"email": user.email, "password": "lo que sea"})
    assert unknown.status_code == wrong.status_code == 422
    strip = lambda r: r.get_data(as_text=True).replace(user.email, "").replace("nadie@firma.test", "")  # noqa: E731
    assert _without_tokens(strip(unknown)) == _without_tokens(strip(wrong))
    assert [c.split("=")[0] for c in unknown.headers.getlist("Set-Cookie")] == \
           [c.split("=")[0] for c in wrong.headers.getlist("Set-Cookie")]
    assert "El correo o la contraseña no son correctos" in strip(wrong)


def _without_tokens(html):
    import re

    return re.sub(r'(value=|X-CSRFToken": )"[^"]+"', "", html)


def test_inactive_account_gets_the_generic_answer(app, http, make_user):
    user = make_user(active=False)
    response = http.post("/entrar", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 422
    assert "El correo o la contraseña no son correctos" in response.get_data(as_text=True)


@pytest.mark.parametrize("target", ["http://evil.example/x", "//evil.example", "http:///evil.example",
                                    "/\\evil.example", "https:evil.example", "javascript:alert(1)"])
def test_v4_next_off_site_goes_home(app, http, make_user, target):
    user = make_user()
    http.post("/entrar", query_string={"next": target}, data={"email": user.email, "password": PASSWORD})
    response = http.post("/entrar/verificacion", query_string={"next": target}, data={"code": code_for(user)})
    assert response.headers["Location"] == "/"


def test_v4_next_same_site_is_kept(app, http, make_user):
    user = make_user(roles=("admin",))
    first = http.post("/entrar?next=/admin/usuarios", data={"email": user.email, "password": PASSWORD})
    assert "next=/admin/usuarios" in first.headers["Location"]
    response = http.post("/entrar/verificacion?next=/admin/usuarios", data={"code": code_for(user)})
    assert response.headers["Location"] == "/admin/usuarios"


def test_c3_login_without_token_is_refused(app, http, make_user):
    user = make_user()
    response = http.post("/entrar", data={"email": user.email, "password": PASSWORD}, csrf=False)
    assert response.status_code == 400
    assert "El formulario caducó" in response.get_data(as_text=True)
    assert AuditEvent.select().where(AuditEvent.action == "csrf_fail").count() == 1


def test_c3_cross_site_post_refused_even_with_token(app, http, make_user):
    user = make_user()
    response = http.post("/entrar", data={"email": user.email, "password": PASSWORD},
                         headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403


def test_c2_htmx_post_with_header_token(app, http, login_as):
    login_as("commercial")
    token = http.csrf_token()
    ok = http.post("/perfil/idioma", data={"locale": "es"}, csrf=False,
                   headers={"HX-Request": "true", "X-CSRFToken": token})
    assert ok.status_code == 303
    missing = http.post("/perfil/idioma", data={"locale": "es"}, csrf=False, headers={"HX-Request": "true"})
    assert missing.status_code == 400
    assert json.loads(missing.headers["HX-Trigger"])["toast"][0]["level"] == "error"


def test_c2_token_from_another_session_refused(app, http, login_as):
    login_as("commercial")
    stranger = app.test_client()
    foreign = stranger.csrf_token()
    response = http.post("/perfil/idioma", data={"locale": "en", "csrf_token": foreign}, csrf=False)
    assert response.status_code == 400


def test_bad_input_oversized_and_non_utf8(app, http, make_user):
    big = http.post("/entrar", data={"email": "a@b.c", "password": "x" * (2 * 1024 * 1024)})
    assert big.status_code == 413
    assert "demasiado grande" in big.get_data(as_text=True)
    raw = http.post("/entrar", data=b"email=%FF%FE&password=%C3%28&csrf_token=" + http.csrf_token().encode(),
                    content_type="application/x-www-form-urlencoded", csrf=False)
    assert raw.status_code in (400, 422)


@given(st.text(max_size=60))
@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
def test_l3_log_line_stays_one_json_line(app, caplog, text):
    from core.audit import log_security_event

    caplog.clear()
    with app.test_request_context(headers={"User-Agent": "x"}), caplog.at_level(logging.INFO, logger="traza.security"):
        log_security_event("login_fail", username=text + '\r\n{"fake":1}')
    (line,) = [r.getMessage() for r in caplog.records if r.name == "traza.security"]
    assert "\n" not in line and "\r" not in line
    assert json.loads(line)["username"] == text + '\r\n{"fake":1}'


def test_l3_no_password_or_code_in_logs(app, http, make_user, caplog):
    user = make_user()
    caplog.set_level(logging.INFO, logger="traza.security")
    http.post("/entrar", data={"email": user.email, "password": PASSWORD})
    code = code_for(user)
    http.post("/entrar/verificacion", data={"code": code})
    lines = [r.getMessage() for r in caplog.records if r.name == "traza.security"]
    assert lines
    for line in lines:
        assert "\n" not in line and "\r" not in line
        json.loads(line)
    assert PASSWORD not in caplog.text and code not in caplog.text


@given(email=st.text(max_size=300), password=st.text(max_size=300))
@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
def test_v2_login_form_never_crashes(app, email, password):
    client = app.test_client()
    response = client.post("/entrar", data={"email": email, "password": password})
    assert response.status_code in ((400,) if "\x00" in email + password else (303, 422))
    assert AuditEvent.select().where(AuditEvent.action == "login_success").count() == 0


@given(code=st.text(max_size=40))
@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
def test_v2_code_forms_never_crash(app, make_user, code):
    user = make_user()
    client = app.test_client()
    client.post("/entrar", data={"email": user.email, "password": PASSWORD})
    allowed = (400,) if "\x00" in code else (303, 422, 302)
    assert client.post("/entrar/verificacion", data={"code": code}).status_code in allowed
    assert client.post("/entrar/verificacion?recuperacion=1", data={"recovery_code": code}).status_code in allowed


def test_l3_rate_limited_token_url_is_not_logged(make_app, caplog):
    app = make_app(RATELIMIT_ENABLED=True)
    caplog.set_level(logging.INFO, logger="traza.security")
    client = app.test_client()
    token = "Z" * 43
    for _ in range(11):
        response = client.post(f"/activar/{token}", data={"password": "x", "confirm": "x"})
    assert response.status_code == 429
    assert token not in caplog.text

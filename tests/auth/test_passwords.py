"""Passwords: policy, hashing, change (SECURITY.md P1–P4)."""

import re
import unicodedata

import pytest
from argon2 import PasswordHasher

from core import auth, passwords
from models.users import User, UserSession
from tests.factories import PASSWORD, make_user, sign_in

STRONG = "tejado morado bajo lluvia"


@pytest.mark.parametrize("candidate, ok", [
    ("a" * 11, False),                    # below 12
    ("cielo azul 7", True),               # 12, spaces allowed, no composition rules
    ("x" * 129, False),                   # above 128
    (("río verde bajo la montaña " * 5)[:128], True),  # 128 code points, unicode
    ("🦜🦜 loro verde y pera", True),      # emoji counts by code point
])
def test_p1_length_in_code_points(app, candidate, ok):
    with app.test_request_context():
        assert (passwords.problem(candidate) is None) is ok, passwords.problem(candidate)


@pytest.mark.parametrize("candidate, reason", [
    ("password1234", "comunes"),
    ("qwertyuiop123", "comunes"),
    ("123456789012", "fácil"),
    ("aaaaaaaaaaaaaaaa", "fácil"),
    ("Traza2024Traza", "firma"),
    ("abogado123456", "firma"),
    ("contraseña2024", "firma"),
    ("duarteasociados1", "firma"),
])
def test_p2_blocklist_and_context_words_with_reason(app, candidate, reason):
    with app.test_request_context(headers={"Accept-Language": "es"}):
        message = passwords.problem(candidate)
    assert message is not None and reason in message, message


def test_p2_users_own_name_and_email_rejected(app):
    with app.test_request_context(headers={"Accept-Language": "es"}):
        user = User(email="valentina.rios@firma.test", name="Valentina Ríos")
        assert "nombre" in passwords.problem("valentinarios2025", user)
        assert passwords.problem(STRONG, user) is None


def test_p4_production_hash_is_argon2id_with_safe_parameters(make_app):
    app = make_app(ARGON2_PROFILE="default")
    with app.app_context():
        hashed = auth.hash_password(STRONG)
    params = dict(p.split("=") for p in re.match(r"\$argon2id\$v=19\$([^$]+)\$", hashed).group(1).split(","))
    assert int(params["m"]) >= 19456 and int(params["t"]) >= 2 and int(params["p"]) >= 1


def test_p4_outdated_hash_is_upgraded_at_sign_in(app, http):
    with app.app_context():
        user = make_user(roles=("commercial",))
    weak = PasswordHasher(time_cost=1, memory_cost=512, parallelism=1).hash(PASSWORD)
    User.update(password_hash=weak).where(User.id == user.id).execute()
    sign_in(http, user)
    assert User.get_by_id(user.id).password_hash != weak
    assert "m=1024" in User.get_by_id(user.id).password_hash  # the configured (test) profile


def test_p1_nfc_and_nfd_passwords_both_sign_in(app, http, make_user):
    composed = unicodedata.normalize("NFC", "canción del águila dorada")
    user = make_user(password=composed)
    user.plain_password = unicodedata.normalize("NFD", composed)
    sign_in(http, user)


def test_p3_change_needs_current_password(login_as, http):
    user = login_as("commercial")
    page = http.get("/perfil").get_data(as_text=True)
    assert 'autocomplete="current-password"' in page and 'autocomplete="new-password"' in page
    response = http.post("/perfil/contrasena", data={"current": "incorrecta de verdad", "password": STRONG, "confirm": STRONG})
    assert response.status_code == 422
    assert "La contraseña no es correcta" in response.get_data(as_text=True)
    assert auth.check_password.__name__  # unchanged hash below
    with http.application.app_context():
        assert auth.check_password(User.get_by_id(user.id), PASSWORD)


def test_p3_change_rejects_weak_new_password_beside_the_field(login_as, http):
    login_as("commercial")
    response = http.post("/perfil/contrasena", data={"current": PASSWORD, "password": "corta", "confirm": "corta"})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert re.search(r'id="password-error">[^<]*12 caracteres', body)


def test_s6_password_change_ends_every_other_session(app, make_user):
    user = make_user(roles=("commercial",))
    first, second = app.test_client(), app.test_client()
    sign_in(first, user)
    from tests.factories import code_for

    second.post("/entrar", data={"email": user.email, "password": PASSWORD})
    assert second.post("/entrar/verificacion", data={"code": code_for(user, offset_steps=1)}).status_code == 303
    assert second.get("/").status_code == 200
    response = first.post("/perfil/contrasena", data={"current": PASSWORD, "password": STRONG, "confirm": STRONG})
    assert response.status_code == 303
    assert first.get("/").status_code == 200  # the browser that changed it stays in, on a new session id
    assert second.get("/").status_code == 302  # every other session ended
    assert UserSession.live_count(user) == 1

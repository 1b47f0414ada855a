"""A forgotten password (issue 11 item 17; SECURITY.md P5, P6, R3, S6, T1, C1, C3, L3).

The link is read from the mail the local SMTP server received and followed like a person would.
"""

import hashlib
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from core import mail
from core.db import db
from core.security import redact_token_paths
from models.audit import AuditEvent
from models.users import ActivationToken, PasswordResetToken, RecoveryCode, User, UserSession
from services.auth import password_reset
from tests.factories import PASSWORD, code_for, run_concurrently

NEW = "brújula naranja del puerto viejo"
LINK = re.compile(r"https://traza\.example\.test(/restablecer/([A-Za-z0-9_\-]+))")


def _ask(client, email):
    return client.post("/entrar/olvido", data={"email": email})


def _link(mailbox, email):
    (message,) = mailbox.to(email)
    match = LINK.search(mailbox.text(message))
    assert match and match.group(0) in mailbox.html(message)
    return match.group(1), match.group(2)


def _events(action):
    return list(AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.id))


def _sign_in_password(client, email, password):
    return client.post("/entrar", data={"email": email, "password": password})


def test_p6_sign_in_page_links_to_the_forgotten_password(app, http):
    page = http.get("/entrar").get_data(as_text=True)
    assert 'href="/entrar/olvido"' in page and "¿Olvidaste tu contraseña?" in page
    form = http.get("/entrar/olvido")
    assert form.status_code == 200
    assert 'name="email"' in form.text and 'autocomplete="username"' in form.text


def test_p6_reset_journey_single_use_sessions_ended_second_factor_still_required(app, http, make_user, login_as,
                                                                                 mailbox):
    user = make_user(roles=("commercial",))
    seed_before = User.get_by_id(user.id).totp_secret
    office, laptop = app.test_client(), app.test_client()
    clock = time_machine.travel(datetime.now(UTC) - timedelta(minutes=5))
    traveller = clock.start()
    login_as(client=office, user=user)
    traveller.shift(timedelta(seconds=31))  # each code is accepted once: the laptop signs in a step later
    login_as(client=laptop, user=user)
    clock.stop()
    assert office.get("/").status_code == 200
    mailbox.clear()

    asked = _ask(http, user.email.upper())
    assert asked.status_code == 303 and asked.headers["Location"] == "/entrar/olvido?enviado=1"
    assert "Si hay una cuenta con esa dirección" in http.get(asked.headers["Location"]).text
    message = mailbox.to(user.email)[0]
    assert message["Subject"] == "Elige una contraseña nueva para Traza"
    path, token = _link(mailbox, user.email)
    assert "30 minutos" in mailbox.text(message) and "app de autenticación" in mailbox.text(message)

    # P6: 256 random bits in the link, only their SHA-256 at rest, nowhere in clear.
    assert len(token) >= 43
    row = PasswordResetToken.get(PasswordResetToken.user == user.id)
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    dump = " ".join(str(v) for t in ("password_reset_token", "outbound_email", "audit_event")
                    for r in db.execute_sql(f"SELECT * FROM {t}").fetchall() for v in r)  # noqa: S608
    assert token not in dump
    assert redact_token_paths(f"POST {path} HTTP/1.1") == "POST /restablecer/… HTTP/1.1"

    browser = app.test_client()
    for _ in range(2):  # opening the link (a mail scanner does) never uses it (G11)
        page = browser.get(path)
        assert page.status_code == 200 and page.headers["Referrer-Policy"] == "no-referrer"
        assert 'autocomplete="new-password"' in page.text
    assert PasswordResetToken.get_by_id(row.id).used_at is None

    weak = browser.post(path, data={"password": "corto", "confirm": "corto"})
    assert weak.status_code == 422 and 'id="password-error"' in weak.text
    assert PasswordResetToken.get_by_id(row.id).used_at is None

    done = browser.post(path, data={"password": NEW, "confirm": NEW})
    assert done.status_code == 303 and done.headers["Location"] == "/entrar?restablecida=1"
    assert done.headers["Referrer-Policy"] == "no-referrer"
    assert "Tu contraseña cambió y tus sesiones se cerraron" in browser.get(done.headers["Location"]).text

    # S6: every session of the person ended; the old cookies lead to the sign-in page.
    for old in (office, laptop):
        gone = old.get("/")
        assert gone.status_code == 302 and gone.headers["Location"].startswith("/entrar")
    assert not UserSession.select().where(UserSession.user == user.id, UserSession.revoked_at.is_null()).exists()
    assert {s.end_reason for s in UserSession.select().where(UserSession.user == user.id)} >= {"password_reset"}

    # Told by email.
    changed = [m for m in mailbox.to(user.email) if m["Subject"] == "Tu contraseña de Traza cambió"]
    assert len(changed) == 1 and "sesiones abiertas se cerraron" in mailbox.text(changed[0])

    # Single use.
    again = browser.get(path)
    assert again.status_code == 404 and "Este enlace ya no es válido" in again.text
    assert browser.post(path, data={"password": "otra frase larga y distinta", "confirm": "otra frase larga y distinta"}
                        ).status_code == 404

    # T1: the new password alone grants nothing; the authenticator (unchanged) still has to confirm.
    assert _sign_in_password(app.test_client(), user.email, PASSWORD).status_code == 422
    person = app.test_client()
    step = _sign_in_password(person, user.email, NEW)
    assert step.status_code == 303 and step.headers["Location"].startswith("/entrar/verificacion")
    assert person.get("/").status_code == 302
    assert person.post("/entrar/verificacion", data={"code": code_for(user)}).status_code == 303
    assert person.get("/").status_code == 200
    after = User.get_by_id(user.id)
    assert after.totp_secret == seed_before and after.totp_enrolled_at is not None
    assert RecoveryCode.remaining(user) == 10

    (reset,) = _events("password_reset")
    assert reset.actor_id == user.id and reset.fields == "password_hash" and reset.detail == "sessions:2"
    assert _events("password_reset_request")[0].detail == "sent"


def test_p6_expired_link_refused_with_a_clear_page(app, http, make_user, mailbox):
    user = make_user()
    start = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        _ask(http, user.email)
    path, _token = _link(mailbox, user.email)
    browser = app.test_client()
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        assert browser.get(path).status_code == 200
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        page = browser.get(path)
        assert page.status_code == 404 and page.headers["Referrer-Policy"] == "no-referrer"
        assert "Este enlace ya no es válido" in page.text and "30 minutos" in page.text
        assert 'href="/entrar/olvido"' in page.text
        refused = browser.post(path, data={"password": NEW, "confirm": NEW})
        assert refused.status_code == 404
    assert User.get_by_id(user.id).password_hash == user.password_hash
    assert _sign_in_password(app.test_client(), user.email, PASSWORD).status_code == 303
    assert not _events("password_reset")


def test_p5_unknown_or_deactivated_address_gets_the_same_answer(app, http, make_user, mailbox):
    known = make_user()
    inactive = make_user(active=False)
    answers = [_ask(http, email) for email in (known.email, "nadie@firma.test", inactive.email)]
    assert {(a.status_code, a.headers["Location"], a.get_data()) for a in answers} == {
        (303, "/entrar/olvido?enviado=1", answers[0].get_data())}
    cookies = [sorted(h.split("=", 1)[0] for h in a.headers.getlist("Set-Cookie")) for a in answers]
    assert cookies[0] == cookies[1] == cookies[2]
    assert len(mailbox.messages) == 1 and mailbox.to(known.email)
    assert PasswordResetToken.select().count() == 1
    # Every request is on the record; an unknown address is not written down.
    requests = _events("password_reset_request")
    assert [(e.object_id, e.detail) for e in requests] == [(str(known.id), "sent"), ("", ""),
                                                           (str(inactive.id), "inactive")]
    assert all(b"nadie" not in e.canonical() for e in requests)


def test_p5_form_errors_beside_the_field(app, http):
    for email, message in (("", "Escribe el correo con el que entras"), ("sin-arroba", "dirección de correo válida")):
        response = _ask(http, email)
        assert response.status_code == 422
        assert 'id="email-error"' in response.text and message in response.text
    assert not _events("password_reset_request")


def test_r3_at_most_three_links_per_person_and_hour_and_only_the_latest_works(app, http, make_user, mailbox):
    user = make_user()
    start = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        answers = [_ask(http, user.email) for _ in range(5)]
    assert {a.headers["Location"] for a in answers} == {"/entrar/olvido?enviado=1"}
    links = [LINK.search(mailbox.text(m)).group(1) for m in mailbox.to(user.email)]
    assert len(links) == 3
    assert [e.detail for e in _events("password_reset_request")] == ["sent"] * 3 + ["limit"] * 2
    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        browser = app.test_client()
        assert [browser.get(p).status_code for p in links] == [404, 404, 200]
    with time_machine.travel(start + timedelta(minutes=61), tick=False):
        _ask(http, user.email)
    assert len(mailbox.to(user.email)) == 4


def test_r3_forgot_password_limited_per_ip(make_app):
    app = make_app(RATELIMIT_ENABLED=True)
    client = app.test_client()
    for n in range(10):
        assert _ask(client, f"nadie{n}@firma.test").status_code == 303
    limited = _ask(client, "otra@firma.test")
    assert limited.status_code == 429 and "Demasiados intentos" in limited.text
    assert _ask(app.test_client(), "otra@firma.test").status_code == 429  # same address 127.0.0.1
    other_ip = client.post("/entrar/olvido", data={"email": "otra@firma.test"},
                           environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert other_ip.status_code == 303


def test_p6_single_use_under_concurrent_posts(app, make_user, mailbox):
    user = make_user()
    with app.test_request_context():
        password_reset.request_link(user.email)
    link_id = PasswordResetToken.get().id

    def use():
        return password_reset.complete(PasswordResetToken.get_by_id(link_id), NEW)

    assert sorted(run_concurrently(app, use, n=6)) == [False] * 5 + [True]
    assert len(_events("password_reset")) == 1


def test_p6_reset_leaves_the_second_factor_and_the_lock_alone(app, http, make_user, mailbox):
    user = make_user()
    User.update(otp_failures=7, failed_logins=4, locked_at=datetime(2026, 1, 1)).where(User.id == user.id).execute()
    _ask(http, user.email)
    path, _token = _link(mailbox, user.email)
    assert app.test_client().post(path, data={"password": NEW, "confirm": NEW}).status_code == 303
    after = User.get_by_id(user.id)
    assert after.password_hash != user.password_hash
    assert after.failed_logins == 0 and after.otp_failures == 7 and after.locked_at is not None
    locked = _sign_in_password(app.test_client(), user.email, NEW)
    assert locked.status_code == 422 and "bloqueada" in locked.text


def test_p6_reset_closes_an_unused_activation_link(app, make_user, mailbox):
    from services.admin import accounts

    with app.test_request_context():
        user, activation = accounts.invite("nuevo@firma.test", "Nuevo", ["commercial"], send=False)
        password_reset.request_link(user.email)
        mail.deliver_pending()
    path, _token = _link(mailbox, user.email)
    browser = app.test_client()
    done = browser.post(path, data={"password": NEW, "confirm": NEW})
    assert done.status_code == 303
    assert ActivationToken.get(ActivationToken.user == user.id).used_at is not None
    assert browser.get(activation.removeprefix(app.config["BASE_URL"])).status_code == 404
    step = _sign_in_password(app.test_client(), user.email, NEW)
    assert step.headers["Location"].startswith("/entrar/configurar-2fa")  # no factor yet: enrol, as always


def test_c1_c3_reset_forms_need_the_token_and_the_same_site(app, http, make_user, mailbox):
    user = make_user()
    assert http.post("/entrar/olvido", data={"email": user.email}, csrf=False).status_code == 400
    assert http.post("/entrar/olvido", data={"email": user.email},
                     headers={"Origin": "http://evil.example"}).status_code == 403
    assert not mailbox.messages
    _ask(http, user.email)
    path, _token = _link(mailbox, user.email)
    browser = app.test_client()
    assert browser.post(path, data={"password": NEW, "confirm": NEW}, csrf=False).status_code == 400
    assert browser.post(path, data={"password": NEW, "confirm": NEW},
                        headers={"Referer": "http://evil.example/x"}).status_code == 403
    assert PasswordResetToken.get().used_at is None
    # The page sends no Referer: older browsers post with Origin: null, and that is the page itself.
    assert browser.post(path, data={"password": NEW, "confirm": NEW}, headers={"Origin": "null"}).status_code == 303


# ----- the administrator's button -----

def test_p6_admin_sends_the_link_audited_and_never_chooses_the_password(app, http, login_as, make_user, mailbox):
    admin = login_as("admin")
    person = make_user(roles=("service",))
    page = http.get(f"/admin/usuarios/{person.id}").text
    action = f"/admin/usuarios/{person.id}/enlace-contrasena"
    assert f'action="{action}"' in page
    mailbox.clear()
    sent = http.post(action)
    assert sent.status_code == 303 and sent.headers["Location"] == f"/admin/usuarios/{person.id}"
    assert "Se envió por correo un enlace" in http.get(sent.headers["Location"]).text
    (event,) = _events("password_reset_link")
    assert event.actor_id == admin.id and event.object_id == str(person.id)
    text = mailbox.text(mailbox.to(person.email)[0])
    assert "Un administrador de tu firma te envió este enlace" in text
    assert not mailbox.to(admin.email)
    assert "Enlace para cambiar la contraseña enviado por un administrador" in http.get(
        f"/admin/usuarios/{person.id}").text

    path, _token = _link(mailbox, person.email)
    colleague = app.test_client()
    assert colleague.post(path, data={"password": NEW, "confirm": NEW}).status_code == 303
    step = _sign_in_password(colleague, person.email, NEW)
    assert step.headers["Location"].startswith("/entrar/verificacion")


def test_p6_admin_link_refused_for_deactivated_account_and_without_token(app, http, login_as, make_user, mailbox):
    login_as("admin")
    person = make_user(active=False)
    mailbox.clear()
    assert f"/admin/usuarios/{person.id}/enlace-contrasena" not in http.get(f"/admin/usuarios/{person.id}").text
    response = http.post(f"/admin/usuarios/{person.id}/enlace-contrasena")
    assert response.status_code == 303
    assert "Esta cuenta está desactivada" in http.get(response.headers["Location"]).text
    assert http.post(f"/admin/usuarios/{person.id}/enlace-contrasena", csrf=False).status_code == 400
    assert not mailbox.messages and not _events("password_reset_link")


@pytest.mark.parametrize("role", ["commercial", "management", "quality"])
def test_p6_admin_action_forbidden_to_other_roles(app, http, login_as, make_user, mailbox, role):
    login_as(role)
    person = make_user()
    mailbox.clear()
    assert http.post(f"/admin/usuarios/{person.id}/enlace-contrasena").status_code == 403
    assert not mailbox.messages and not _events("password_reset_link")


def test_p6_admin_action_needs_a_fresh_sign_in(app, http, login_as, make_user, mailbox):
    start = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        login_as("admin")
        person = make_user()
    mailbox.clear()
    with time_machine.travel(start + timedelta(minutes=11), tick=False):
        response = http.post(f"/admin/usuarios/{person.id}/enlace-contrasena")
    assert response.status_code == 302 and response.headers["Location"].startswith("/confirmar")
    assert not mailbox.messages

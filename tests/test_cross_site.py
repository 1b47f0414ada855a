"""Cross-site requests refused behind the CSRF token (SECURITY.md C3, issue 11 item 3).

A signed-in person's browser, sent by another site, carries the session cookie and (if the attacker ever
obtained one) a valid token. Where the browser says so (``Sec-Fetch-Site``) the request is refused; where it
does not, a present Origin, else a present Referer, must be Traza's own origin. A request with neither header
is accepted: the token pages send ``Referrer-Policy: no-referrer``, so their own forms post without them.
"""

import json
import logging
from datetime import timedelta

import pytest

from core.db import utcnow
from core.i18n import to_local
from models.interactions import Interaction
from models.users import ActivationToken
from tests.factories import csrf_from, make_case
from tests.surveys.survey_helpers import answers_for, make_invitation

EVIL_ORIGIN = {"Origin": "http://evil.example"}
EVIL_REFERER = {"Referer": "http://evil.example/x"}
REFUSED = "desde otro sitio web"


def _entry(app):
    with app.app_context():
        when = to_local(utcnow() - timedelta(hours=1))
    return {"occurred_on": when.date().isoformat(), "occurred_time": when.strftime("%H:%M"), "channel": "phone",
            "direction": "out", "kind": "update", "summary": "Le contamos el avance.", "case": "0"}


@pytest.fixture
def case(app, login_as):
    user = login_as("operations")
    with app.test_request_context():
        return make_case(responsible=user)


@pytest.mark.parametrize("headers", [EVIL_ORIGIN, EVIL_REFERER, {"Origin": "null"},
                                     {"Origin": "null", **EVIL_REFERER},
                                     {"Origin": "https://traza.example.test.evil.example"},
                                     {"Origin": "http://localhost:8080"}, {"Referer": "https://localhost/x"},
                                     {"Referer": "not a url"}],
                         ids=["origin", "referer", "origin-null", "null-and-referer", "lookalike", "other-port",
                              "other-scheme", "garbage-referer"])
def test_c3_foreign_origin_or_referer_refused_with_valid_token(app, http, case, headers, caplog):
    caplog.set_level(logging.INFO, logger="traza.security")
    response = http.post(f"/interacciones/casos/{case.id}", data=_entry(app), headers=headers)
    assert response.status_code == 403
    body = response.get_data(as_text=True)
    assert REFUSED in body and "<html" in body and 'lang="es"' in body
    assert Interaction.select().count() == 0
    assert '"event": "malicious_csrf"' in caplog.text


def test_c3_refusal_under_htmx_is_a_toast(app, http, case):
    response = http.post(f"/interacciones/casos/{case.id}", data=_entry(app),
                         headers={"HX-Request": "true", **EVIL_ORIGIN})
    assert response.status_code == 403 and response.headers["HX-Reswap"] == "none"
    assert REFUSED in json.loads(response.headers["HX-Trigger"])["toast"][0]["message"]
    assert Interaction.select().count() == 0


@pytest.mark.parametrize("headers", [{}, {"Origin": "http://localhost"}, {"Referer": "http://localhost/casos/1"},
                                     {"Origin": "https://traza.example.test"},
                                     {"Origin": "http://LOCALHOST:80"},
                                     {"Origin": "null", "Referer": "http://localhost/casos/1"},
                                     {"Sec-Fetch-Site": "same-origin", "Origin": "null"}],
                         ids=["neither", "own-origin", "own-referer", "base-url", "default-port", "null-own-referer",
                              "fetch-metadata-wins"])
def test_c3_own_origin_or_no_header_accepted(app, http, case, headers):
    response = http.post(f"/interacciones/casos/{case.id}", data=_entry(app), headers=headers)
    assert response.status_code == 303
    assert Interaction.select().count() == 1


def test_c3_sec_fetch_site_cross_site_still_refused_with_own_origin(app, http, case):
    response = http.post(f"/interacciones/casos/{case.id}", data=_entry(app),
                         headers={"Sec-Fetch-Site": "cross-site", "Origin": "http://localhost"})
    assert response.status_code == 403
    assert Interaction.select().count() == 0


def test_c3_origin_behind_proxy_is_the_forwarded_scheme(make_app, login_as):
    app = make_app(PROXY_HOPS=1, BASE_URL="https://intranet.firma.test")
    http = app.test_client()
    user = login_as("operations", client=http)
    with app.test_request_context():
        case = make_case(responsible=user)
    proxied = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    url = f"/interacciones/casos/{case.id}"
    assert http.post(url, data=_entry(app), headers={**proxied, "Origin": "http://localhost"}).status_code == 403
    assert http.post(url, data=_entry(app), headers={**proxied, "Origin": "https://localhost"}).status_code == 303
    assert http.post(url, data=_entry(app), headers={**proxied, "Origin": "https://intranet.firma.test"}).status_code == 303
    assert Interaction.select().count() == 2


# ----- the pages that send no Referer -----

def _activation(app):
    from services.admin import accounts

    with app.test_request_context():
        _user, link = accounts.invite("nueva@firma.test", "Nueva Persona", ["commercial"], send=False)
    return link.removeprefix(app.config["BASE_URL"])


STRONG = "brújula naranja del puerto viejo"
HTTPS = {"base_url": "https://traza.example.test"}


@pytest.mark.parametrize("headers", [{}, {"Origin": "null"}], ids=["neither", "origin-null"])
def test_c3_activation_posts_without_referer_over_https(make_app, headers):
    """A browser on the activation page (no-referrer) sends no Referer, and older ones ``Origin: null``; over
    HTTPS (production) that must still set the password."""
    app = make_app(ENV="production", SESSION_COOKIE_NAME="__Host-session", SESSION_COOKIE_SECURE=True)
    path = _activation(app)
    browser = app.test_client()
    page = browser.get(path, **HTTPS)
    assert page.headers["Referrer-Policy"] == "no-referrer"
    done = browser.post(path, data={"password": STRONG, "confirm": STRONG, "csrf_token": csrf_from(page.text)},
                        headers=headers, csrf=False, **HTTPS)
    assert done.status_code == 303 and done.headers["Location"] == "/entrar/configurar-2fa"
    assert ActivationToken.get().used_at is not None


def test_c3_activation_from_a_foreign_page_refused(app):
    path = _activation(app)
    browser = app.test_client()
    response = browser.post(path, data={"password": STRONG, "confirm": STRONG}, headers=EVIL_REFERER)
    assert response.status_code == 403
    assert ActivationToken.get().used_at is None


@pytest.mark.parametrize("headers, status", [({}, 303), ({"Origin": "null"}, 303), (EVIL_ORIGIN, 403),
                                             (EVIL_REFERER, 403)],
                         ids=["neither", "origin-null", "foreign-origin", "foreign-referer"])
def test_c3_public_survey_form_posts_without_referer(app, headers, status):
    with app.test_request_context():
        invitation, token = make_invitation()
        data = answers_for(invitation.template, rating=4, nps=9, comment="Bien.")
    browser = app.test_client()
    page = browser.get(f"/e/{token}", **HTTPS)
    assert page.headers["Referrer-Policy"] == "no-referrer"
    response = browser.post(f"/e/{token}", data={**data, "csrf_token": csrf_from(page.text)}, headers=headers,
                            csrf=False, **HTTPS)
    assert response.status_code == status


def test_c2_a_page_writes_its_session_s_one_token_in_every_form(app):
    """The templates' csrf_token() (core.web) is Flask-WTF's token for the session, the same in each of a list's
    forms, and Flask-WTF accepts it; another session's differs."""
    from flask import render_template_string
    from flask_wtf.csrf import generate_csrf, validate_csrf

    with app.test_request_context():
        tokens = render_template_string("{% for i in range(3) %}{{ csrf_token() }} {% endfor %}").split()
        assert len(set(tokens)) == 1 and tokens[0] == generate_csrf()
        validate_csrf(tokens[0])  # raises when refused
    with app.test_request_context():
        assert render_template_string("{{ csrf_token() }}") != tokens[0]

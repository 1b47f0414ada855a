"""Production over plain HTTP says that HTTPS is required, instead of forms that "expire" (issue 12)."""

import pytest

PRODUCTION = dict(ENV="production", SESSION_COOKIE_NAME="__Host-session", SESSION_COOKIE_SECURE=True,
                  BASE_URL="https://traza.firma.example")


@pytest.fixture
def production(app, make_app):  # app first: it writes the keys production reads
    return make_app(**PRODUCTION)  # its test client speaks https unless told otherwise (PREFERRED_URL_SCHEME)


def test_a_page_over_plain_http_explains_https_and_links_to_it(production):
    response = production.test_client().get("/entrar", base_url="http://traza.firma.example")
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Traza solo funciona por HTTPS: entre por https://traza.firma.example" in body
    assert "TRAZA_PROXY_HOPS" in body


def test_over_https_the_same_page_works(production):
    response = production.test_client().get("/entrar", base_url="https://traza.firma.example")
    assert response.status_code == 200
    assert "__Host-session" in response.headers.get("Set-Cookie", "")


def test_behind_a_proxy_that_says_https_it_works(app, make_app):
    app = make_app(PROXY_HOPS=1, **PRODUCTION)
    plain = app.test_client().get("/entrar", base_url="http://10.0.0.5", headers={"X-Forwarded-Proto": "http", "X-Forwarded-For": "1.2.3.4"})
    assert plain.status_code == 400
    behind = app.test_client().get("/entrar", base_url="http://10.0.0.5", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "1.2.3.4"})
    assert behind.status_code == 200


def test_health_check_still_answers_over_http(production):
    assert production.test_client().get("/healthz", base_url="http://10.0.0.5").status_code == 200


def test_development_serves_plain_http(app):
    assert app.test_client().get("/entrar").status_code == 200

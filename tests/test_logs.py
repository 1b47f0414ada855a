"""Log lines carry time, level and the request id; JSON lines on request (deploy: log collectors)."""

import io
import json
import logging
import re

import pytest

from core import logs


@pytest.fixture
def captured(app):
    """What the application's own handler writes, with its real formatter and filter."""
    handler = next(h for h in logging.getLogger().handlers if getattr(h, "traza", False))
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def _emit_inside_a_request(app, path="/healthz"):
    @app.after_request
    def _log(response):
        logging.getLogger("traza.test").warning("algo pasó en %s", path)
        return response

    return app.test_client().get(path).headers["X-Request-ID"]


def test_text_lines_have_time_level_and_request_id(app, captured):
    request_id = _emit_inside_a_request(app)
    line = captured.getvalue().strip().splitlines()[-1]
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} WARNING traza\.test \[[0-9a-f]{16}\] algo pasó en /healthz$",
                    line), line
    assert f"[{request_id}]" in line


def test_json_lines_for_log_collectors(make_app, captured):
    app = make_app(LOG_FORMAT="json")
    request_id = _emit_inside_a_request(app)
    line = json.loads(captured.getvalue().strip().splitlines()[-1])
    assert line["level"] == "WARNING" and line["logger"] == "traza.test"
    assert line["request_id"] == request_id and line["message"] == "algo pasó en /healthz"
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$", line["ts"])
    make_app()  # back to text for the tests that follow


def test_outside_a_request_the_id_is_a_dash(app, captured):
    logging.getLogger("traza.test").info("tarea programada")
    assert captured.getvalue().strip().endswith("INFO traza.test [-] tarea programada")


def test_a_trusted_proxy_request_id_is_kept_and_a_forged_shape_is_not(make_app):
    app = make_app(PROXY_HOPS=1)
    given = app.test_client().get("/healthz", headers={"X-Request-ID": "proxy-abc-12345678", "X-Forwarded-For": "1.2.3.4"})
    assert given.headers["X-Request-ID"] == "proxy-abc-12345678"
    forged = app.test_client().get("/healthz", headers={"X-Forwarded-For": "1.2.3.4", "X-Request-ID": "<script>alert(1)</script>"})
    assert re.fullmatch(r"[0-9a-f]{16}", forged.headers["X-Request-ID"])
    direct = make_app().test_client().get("/healthz", headers={"X-Request-ID": "proxy-abc-12345678"})
    assert direct.headers["X-Request-ID"] != "proxy-abc-12345678"


def test_one_handler_however_many_apps(make_app):
    make_app()
    make_app()
    assert len([h for h in logging.getLogger().handlers if getattr(h, "traza", False)]) == 1
    assert logs.formatter("text")._fmt == logs.TEXT_FORMAT


def test_a_proxy_uuid_is_kept_as_its_32_hex_digits_and_fits_the_audit_log(make_app, make_user):
    """Caddy sends a 36-character UUID; the audit column holds 32 (PostgreSQL refuses longer: a 500)."""
    from tests import factories

    app = make_app(PROXY_HOPS=1)
    client = app.test_client()
    uuid = "0B8F3A2C-5D6E-4F70-8192-A3B4C5D6E7F8"
    headers = {"X-Request-ID": uuid, "X-Forwarded-For": "1.2.3.4", "X-Forwarded-Proto": "http"}
    assert client.get("/healthz", headers=headers).headers["X-Request-ID"] == "0b8f3a2c5d6e4f708192a3b4c5d6e7f8"
    user = make_user()
    response = client.post("/entrar", data={"email": user.email, "password": factories.PASSWORD}, headers=headers)
    assert response.status_code == 303
    from models.audit import AuditEvent

    with app.app_context():
        assert AuditEvent.select().where(AuditEvent.request_id == "0b8f3a2c5d6e4f708192a3b4c5d6e7f8").count() >= 1
    too_long = client.get("/healthz", headers={**headers, "X-Request-ID": "a" * 40}).headers["X-Request-ID"]
    assert len(too_long) == 16

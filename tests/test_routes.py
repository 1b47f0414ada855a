"""Route inventory: every route is guarded or public (A1), the role matrix holds (A2), unsafe methods
need a CSRF token (C1), and every answer carries the security headers (H1–H3)."""

from pathlib import Path

import pytest
import yaml

from app import create_app
from core.guard import ROLES
from tests.factories import make_case, make_client, make_user, sign_in

MATRIX = yaml.safe_load((Path(__file__).parent / "access_matrix.yaml").read_text())
# reviewed: browsers send CSP reports without tokens; mail clients post a one-click unsubscribe (RFC 8058) without
# one, the link's 256-bit token being the proof
CSRF_EXEMPT = {"system.csp_report", "surveys.public_opt_out_confirm", "loyalty_public.unsubscribe"}


def _rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint != "static"]


@pytest.fixture(scope="module")
def inventory_app(tmp_path_factory):
    path = tmp_path_factory.mktemp("inv")
    return create_app({"INSTANCE_PATH": str(path), "DATABASE_URL": f"sqlite:///{path}/x.db"})


def test_a1_every_route_is_guarded_or_public(inventory_app):
    for rule in _rules(inventory_app):
        view = inventory_app.view_functions[rule.endpoint]
        assert getattr(view, "_required_permission", None) or getattr(view, "_public", False), rule.endpoint


def test_a2_matrix_covers_every_route_and_nothing_else(inventory_app):
    assert {r.endpoint for r in _rules(inventory_app)} == set(MATRIX)


def _cases():
    app = create_app({"INSTANCE_PATH": "/tmp/traza-matrix", "DATABASE_URL": "sqlite:////tmp/traza-matrix/x.db"})
    for rule in _rules(app):
        for method in sorted(rule.methods & {"GET", "POST"}):
            for who in [*ROLES, "no_role", "anonymous"]:
                yield pytest.param(rule.endpoint, method, who, id=f"{rule.endpoint}-{method}-{who}")


def _url(app, endpoint, target, client=None, case=None):
    from flask import url_for

    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    values = {"user_id": target.id, "session_id": 999999, "token": "x" * 43, "training_id": 999999, "feedback_id": 999999,
              "case_id": case.id if case else 999999,
              "client_id": client.id if client else 999999, "area_id": client.practice_area_id if client else 999999,
              "quotation_id": 999999, "contract_id": 999999, "file_id": 999999,
              "step": {"commercial.contract_step": "activar", "cases.change_status": "en-curso",
                       "loyalty.toggle_rule": "activar"}.get(endpoint, "enviar"),
              "fmt": "csv", "evidence_id": 999999, "intervention_id": 999999, "delivery_id": 999999,
              "item_id": 999999, "version_id": 999999, "template_id": 999999,
              "deadline_id": 999999, "holiday_id": 999999, "task_id": 999999,
              "interaction_id": 999999, "meeting_id": 999999, "incident_id": 999999,
              "complaint_id": 999999, "category_id": 999999, "key": "nps",
              "invitation_id": 999999, "response_id": 999999, "action_id": 999999, "note_id": 999999,
              "review_id": 999999, "section": "deadlines", "dsr_id": 999999, "line_id": 999999,
              "document_id": 999999, "attachment_id": 999999, "code": "PRO 999", "rule_id": 999999,
              "issue_id": 999999, "due_id": 999999, "decision": "aprobar", "agreement_id": 999999}
    with app.test_request_context():
        return url_for(endpoint, **{k: values[k] for k in rule.arguments})


def _expected(endpoint, who):
    allowed = MATRIX[endpoint]
    if allowed == "public":
        return "allowed"
    if who == "anonymous":
        return "sign_in"
    if allowed == "signed_in" or who in allowed:
        return "allowed"
    return "forbidden"


@pytest.mark.parametrize("endpoint, method, who", list(_cases()))
def test_a2_role_matrix(app, endpoint, method, who):
    with app.test_request_context():
        target = make_user(roles=("service",))
        client = app.test_client()
        me = None if who == "anonymous" else make_user(roles=() if who == "no_role" else (who,))
        record = make_client(responsible=me.id if me else None)
        case = make_case(client=record, responsible=me) if me is not None else None
        if me is not None:
            sign_in(client, me)
    url = _url(app, endpoint, target, record, case)
    response = client.get(url) if method == "GET" else client.post(url, data={})
    expected = _expected(endpoint, who)
    location = response.headers.get("Location", "")
    if expected == "forbidden":
        assert response.status_code == 403, (url, response.status_code)
    elif expected == "sign_in":
        assert response.status_code == 302 and location.startswith("/entrar"), (url, response.status_code)
    else:
        assert response.status_code != 403 and not location.startswith("/entrar?next"), (url, response.status_code)
        assert response.status_code < 500


def test_c1_unsafe_methods_without_token_are_refused(app):
    with app.test_request_context():
        admin = make_user(roles=tuple(ROLES))
        record = make_client(responsible=admin.id)
    client = app.test_client()
    sign_in(client, admin)
    checked = 0
    for rule in _rules(app):
        if "POST" not in rule.methods or rule.endpoint in CSRF_EXEMPT:
            continue
        url = _url(app, rule.endpoint, admin, record)
        response = client.post(url, data={"x": "1"}, csrf=False)
        assert response.status_code == 400, (url, response.status_code)
        checked += 1
    assert checked >= 15
    assert client.get("/").status_code == 200  # still signed in: nothing changed


def _csp(response):
    return dict((part.strip().split(" ", 1) + [""])[:2] for part in response.headers["Content-Security-Policy"].split(";"))


@pytest.mark.parametrize("url, signed_in", [("/entrar", False), ("/healthz", False), ("/no-existe", False),
                                            ("/", True), ("/admin/usuarios", True), ("/perfil/sesiones", True),
                                            ("/admin/auditoria", True)])
def test_h1_h2_h3_headers(app, url, signed_in):
    client = app.test_client()
    if signed_in:
        with app.app_context():
            sign_in(client, make_user(roles=("admin",)))
    response = client.get(url, base_url="https://localhost")
    csp = _csp(response)
    assert csp["default-src"] == "'self'" and csp["script-src"] == "'self'" and csp["style-src"] == "'self'"
    assert csp["object-src"] == "'none'" and csp["base-uri"] == "'none'" and csp["frame-ancestors"] == "'none'"
    assert csp["form-action"] == "'self'" and "report-uri" in csp
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "unsafe-eval" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]
    assert "X-XSS-Protection" not in response.headers
    assert response.headers["Server"] == "Traza"
    assert "HX-Request" in response.vary
    assert response.headers["Cache-Control"] == "no-store"


def test_h2_proxy_hops_are_exact(make_app):
    app = make_app(PROXY_HOPS=1)
    seen = {}

    @app.get("/__ip")
    def ip():
        from flask import request

        seen["ip"] = request.remote_addr
        return ""

    ip._public = True
    app.test_client().get("/__ip", headers={"X-Forwarded-For": "6.6.6.6, 203.0.113.9"})
    assert seen["ip"] == "203.0.113.9"


def test_c4_templates_have_no_eval_paths():
    root = Path(__file__).resolve().parent.parent
    for path in (root / "templates").rglob("*.html"):
        text = path.read_text()
        assert "hx-on" not in text and "js:" not in text, path
        assert "|safe" not in text.replace(" ", ""), path


@pytest.mark.parametrize("headers", [{"Origin": "http://evil.example"}, {"Referer": "http://evil.example/x"},
                                     {"Sec-Fetch-Site": "cross-site"}], ids=["origin", "referer", "fetch-metadata"])
def test_c3_every_unsafe_route_refuses_another_site_even_with_token(app, headers):
    """C3 over the inventory: every POST (and any PUT, PATCH, DELETE) with a valid token but sent from
    another site answers 403 before its view runs; a token page included."""
    from models.audit import AuditEvent

    with app.test_request_context():
        admin = make_user(roles=tuple(ROLES))
        record = make_client(responsible=admin.id)
    client = app.test_client()
    sign_in(client, admin)
    events = AuditEvent.select().count()
    checked = 0
    for rule in _rules(app):
        for method in sorted(rule.methods & {"POST", "PUT", "PATCH", "DELETE"}):
            url = _url(app, rule.endpoint, admin, record)
            response = client.open(url, method=method, data={"csrf_token": client.csrf_token()}, headers=headers)
            assert response.status_code == 403, (method, url, response.status_code)
            checked += 1
    assert checked >= 15
    assert AuditEvent.select().count() == events  # no view ran: nothing written
    assert client.get("/").status_code == 200  # still signed in: logout was refused too

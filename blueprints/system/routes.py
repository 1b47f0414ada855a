"""Health check and CSP violation reports."""

import json

from flask import jsonify, request
from peewee import PeeweeException

from core import keycheck, mail, migrate
from core.audit import log_security_event
from core.db import db
from core.guard import public
from core.limits import limiter

from . import bp


@bp.get("/healthz")
@public
def healthz():
    """200 with the database reachable and every migration applied; 503 otherwise. A stuck outbox is
    reported (``mail: delayed``) without failing the check: the web node itself still serves."""
    try:
        db.execute_sql("SELECT 1")
        pending = migrate.pending()
        mismatched = [] if pending else keycheck.mismatched()
        mail_delay = None if pending else mail.delay()
    except (PeeweeException, OSError):
        return jsonify(status="error", database="unreachable"), 503
    if pending:
        return jsonify(status="error", database="ok", pending_migrations=len(pending)), 503
    if mismatched:
        return jsonify(status="error", database="ok", keys="mismatch", settings=mismatched), 503
    if mail_delay is not None:
        return jsonify(status="ok", database="ok", keys="ok", mail="delayed", mail_oldest_minutes=mail_delay)
    return jsonify(status="ok", database="ok", keys="ok", mail="ok")


@bp.post("/csp-report")
@public
@limiter.limit("30 per minute")
def csp_report():
    try:
        report = json.loads(request.get_data(cache=False, as_text=True)[:8192] or "{}")
    except ValueError:
        report = {}
    body = report.get("csp-report", report) if isinstance(report, dict) else {}
    log_security_event("csp_violation", directive=str(body.get("violated-directive", ""))[:100],
                       blocked=str(body.get("blocked-uri", ""))[:200])
    return ("", 204)

"""Request hygiene and response headers (SECURITY.md H1–H3, C3, S5).

Every response carries the CSP, nosniff, referrer and cache policies and ``Vary: HX-Request``. Unsafe
requests that a browser marks as cross-site are refused before they reach a view.
"""

import logging
import re
import secrets

from flask import abort, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

from core import logs

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'; "
    "report-uri /csp-report"
)

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


def _has_nul(values) -> bool:
    return any("\x00" in v for _key, items in values.lists() for v in items)
FORM_LIMIT = 1024 * 1024

# A token in a path (/e/<token>, /activar/<token>) must not reach a log: the server's request log shows "…".
_TOKEN_PATH = re.compile(r"(?<![^\s\"])(/(?:e|activar)/)([^/\s?#\"\x1b]+)")
_NOT_TOKENS = frozenset({"gracias", "baja"})


def redact_token_paths(text: str) -> str:
    return _TOKEN_PATH.sub(lambda m: m.group(0) if m.group(2) in _NOT_TOKENS else m.group(1) + "…", text)


class RedactTokens(logging.Filter):
    """On werkzeug's logger (``flask run``): request lines lose their link tokens."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact_token_paths(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact_token_paths(a) if isinstance(a, str) else a for a in record.args)
        return True


def init_app(app):
    werkzeug_log = logging.getLogger("werkzeug")
    if not any(isinstance(f, RedactTokens) for f in werkzeug_log.filters):
        werkzeug_log.addFilter(RedactTokens())
    if app.config["PROXY_HOPS"]:
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_prefix=0)

    @app.before_request
    def _request_id_and_fetch_metadata():
        g.request_id = logs.request_id() or secrets.token_hex(8)
        if request.mimetype != "multipart/form-data":
            request.max_content_length = FORM_LIMIT  # plain forms are small; only uploads may be large
        if _has_nul(request.args) or (request.method in UNSAFE and request.mimetype in FORM_TYPES and _has_nul(request.form)):
            abort(400)  # NUL never belongs in text, and PostgreSQL refuses it (SECURITY.md V1)
        if request.method in UNSAFE and request.headers.get("Sec-Fetch-Site") == "cross-site":
            from core.audit import log_security_event

            log_security_event("malicious_csrf", reason="cross-site")
            abort(403)

    @app.after_request
    def _headers(response):
        h = response.headers
        h.setdefault("Content-Security-Policy", CSP)
        h["X-Content-Type-Options"] = "nosniff"
        h.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        h["Cross-Origin-Opener-Policy"] = "same-origin"
        h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
        h["X-Frame-Options"] = "DENY"
        h.add("Vary", "HX-Request")
        h.add("Vary", "Cookie")
        if request.is_secure:
            h["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if not request.path.startswith("/static/"):
            # Authenticated and token pages must never be cached; public pages here carry nothing worth caching.
            h["Cache-Control"] = "no-store"
        h["Server"] = "Traza"
        return response

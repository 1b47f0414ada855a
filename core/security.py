"""Request hygiene and response headers (SECURITY.md H1–H3, C3, S5).

Every response carries the CSP, nosniff, referrer and cache policies and ``Vary: HX-Request``. Unsafe
requests that come from another site are refused before they reach a view (C3, defence in depth behind
the CSRF token): ``Sec-Fetch-Site: cross-site`` where the browser sends it; otherwise a present ``Origin``,
else a present ``Referer``, must be Traza's own origin. A request with neither header passes (the token
still guards it): the pages that carry a token in their address send ``Referrer-Policy: no-referrer``, so
their own forms post without a Referer, and older browsers then send ``Origin: null``, which is accepted
only on those addresses.
"""

import logging
import re
import secrets
from urllib.parse import urlsplit

from flask import current_app, g, request
from werkzeug.exceptions import BadRequest, Forbidden
from werkzeug.middleware.proxy_fix import ProxyFix

from core import logs
from core.i18n import lazy_gettext as _l

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

# Addresses that carry a token (the public survey, activation and password-reset links, the newsletter's
# unsubscribe). Their pages send ``Referrer-Policy: no-referrer``, and the token must not reach a log: the request
# log shows "…".
TOKEN_PATH_PREFIXES = ("e", "activar", "restablecer", "boletin")
_TOKEN_PATH = re.compile(r"(?<![^\s\"])(/(?:" + "|".join(TOKEN_PATH_PREFIXES) + r")/)([^/\s?#\"\x1b]+)")
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


class CrossSiteRequest(Forbidden):
    """403 for an unsafe request sent from another site; the error page says why."""

    page_message = _l("This form was sent from another website, so Traza did not accept it. "
                      "Open Traza directly and try again.")


class HttpsRequired(BadRequest):
    """400 for a production page reached over plain HTTP: the ``__Host-`` cookie is Secure, so the browser
    would drop it and every form would "expire". Say so instead, and where to go."""

    def __init__(self, base_url: str):
        super().__init__()
        self.page_message = _l("Traza only works over HTTPS: open %(url)s. If the address already starts with "
                               "https://, the server behind the proxy needs TRAZA_PROXY_HOPS: tell the system "
                               "administrator.", url=base_url)


# Reached over plain HTTP by load balancers and browsers' reports: they carry no session.
PLAIN_HTTP_ENDPOINTS = frozenset({"system.healthz", "system.csp_report", "static"})

_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(url: str) -> tuple | None:
    """(scheme, host, port) of an absolute http(s) URL, or None for anything else."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return scheme, parts.hostname.lower(), port or _DEFAULT_PORTS[scheme]


def own_origins() -> set:
    """The request's own origin (scheme as ProxyFix corrected it, host and port) and BASE_URL's, for a
    proxy that rewrites the Host header or terminates TLS without telling."""
    return {o for o in (_origin(request.host_url), _origin(current_app.config["BASE_URL"])) if o is not None}


def _on_token_page() -> bool:
    first = request.path.lstrip("/").split("/", 1)[0]
    return first in TOKEN_PATH_PREFIXES and request.path.count("/") >= 2


def cross_site_reason() -> str | None:
    """Why this unsafe request looks cross-site (SECURITY.md C3), or None when it may go on."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return "cross-site" if site.strip().lower() == "cross-site" else None
    mine = own_origins()
    origin = request.headers.get("Origin")
    referer = request.headers.get("Referer")
    if origin is not None and origin.strip().lower() != "null":
        return None if _origin(origin) in mine else "origin"
    if referer:
        return None if _origin(referer) in mine else "referer"
    if origin is not None and not _on_token_page():
        # An opaque origin (sandboxed frame, data: page, or a no-referrer page) with nothing else to go by:
        # only Traza's own no-referrer pages post like that.
        return "origin-null"
    return None


def init_app(app):
    werkzeug_log = logging.getLogger("werkzeug")
    if not any(isinstance(f, RedactTokens) for f in werkzeug_log.filters):
        werkzeug_log.addFilter(RedactTokens())
    if app.config["PROXY_HOPS"]:
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_prefix=0)

    production = app.config["ENV"] == "production"

    @app.before_request
    def _request_id_and_fetch_metadata():
        g.request_id = logs.request_id() or secrets.token_hex(8)
        if production and not request.is_secure and request.endpoint not in PLAIN_HTTP_ENDPOINTS:
            raise HttpsRequired(current_app.config["BASE_URL"])
        if request.mimetype != "multipart/form-data":
            request.max_content_length = FORM_LIMIT  # plain forms are small; only uploads may be large
        if _has_nul(request.args) or (request.method in UNSAFE and request.mimetype in FORM_TYPES and _has_nul(request.form)):
            raise BadRequest()  # NUL never belongs in text, and PostgreSQL refuses it (SECURITY.md V1)
        if request.method in UNSAFE and (reason := cross_site_reason()):
            from core.audit import log_security_event

            log_security_event("malicious_csrf", reason=reason, endpoint=request.endpoint or "")
            raise CrossSiteRequest()

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

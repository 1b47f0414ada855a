"""Per-IP rate limits (SECURITY.md R1–R3, G12). Memory store by default; RATELIMIT_STORAGE_URI for Redis."""

from flask import g
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, default_limits=[])

LOGIN_LIMIT = "10 per minute;100 per hour"
CODE_LIMIT = "10 per minute;100 per hour"


def only_failures(response) -> bool:
    """Count only failed attempts: the sign-in steps mark them (even a failure that redirects, like the
    fifth wrong code sending the person back to the password step); otherwise a redirect is a success."""
    return bool(g.get("auth_failed")) or response.status_code not in (302, 303)


def init_app(app):
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    limiter.init_app(app)

"""Application logs: time, level, logger and request id on every line; JSON lines for log collectors.

``TRAZA_LOG_FORMAT=json`` writes one JSON object a line (``ts``, ``level``, ``logger``, ``request_id``,
``message``); the default is one readable line. The request id is the one each request gets in
``core.security`` (or the proxy's ``X-Request-ID`` behind a trusted proxy); responses carry it back, so a
person reporting a problem can quote it.
"""

import json
import logging
import re
from datetime import UTC, datetime

from flask import g, has_request_context, request

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,32}")  # the audit log keeps 32 characters
_UUID = re.compile(r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")


class RequestId(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = (g.get("request_id") if has_request_context() else None) or "-"
        return True


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=True, default=str)


def formatter(kind: str) -> logging.Formatter:
    if kind == "json":
        return JsonLines()
    text = logging.Formatter(TEXT_FORMAT)
    text.default_msec_format = "%s.%03d"
    return text


def configure(app) -> None:
    """One handler on the root logger, added once per process whatever the number of apps."""
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    ours = [h for h in root.handlers if getattr(h, "traza", False)]
    handler = ours[0] if ours else logging.StreamHandler()
    handler.traza = True
    handler.setFormatter(formatter(app.config["LOG_FORMAT"]))
    if not any(isinstance(f, RequestId) for f in handler.filters):
        handler.addFilter(RequestId())
    if not ours:
        root.addHandler(handler)

    @app.after_request
    def _echo_request_id(response):
        if g.get("request_id"):
            response.headers["X-Request-ID"] = g.request_id
        return response


def request_id() -> str | None:
    """The id a trusted proxy gave this request, when it has a sane shape."""
    if not request.environ.get("werkzeug.proxy_fix.orig"):
        return None
    given = request.headers.get("X-Request-ID", "")
    if _UUID.fullmatch(given):  # Caddy's and nginx's ids: the 32 hex digits of the UUID
        given = given.replace("-", "").lower()
    return given if _REQUEST_ID.fullmatch(given) else None

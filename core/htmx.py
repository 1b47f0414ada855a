"""One render helper and the toast hook (DESIGN.md §3).

One URL serves the page and its partial: ``render(page, partial, **ctx)`` returns the partial only for an
htmx request that is neither boosted nor a history restore. Flashes become an ``HX-Trigger`` toast on
partial responses; full pages render them in the toast region.
"""

import json

from flask import get_flashed_messages, make_response, redirect, render_template, request
from flask_htmx import HTMX

htmx = HTMX()


def wants_partial() -> bool:
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render(page: str, partial: str | None = None, /, status: int = 200, **ctx):
    template = partial if partial and wants_partial() else page
    return make_response(render_template(template, **ctx), status)


def redirect_page(target: str):
    """Send the browser to a whole page (sign-in, password confirmation): under htmx a 401 with
    ``HX-Redirect``, so a partial never swaps that page into a fragment; otherwise a plain redirect."""
    response = redirect(target)
    if request.headers.get("HX-Request") == "true":
        response.status_code = 401
        response.headers["HX-Redirect"] = target
    return response


def toast(response, message: str, level: str = "info"):
    """Attach a toast to an htmx response by hand (flash() does it for you)."""
    _add_trigger(response, [{"level": level, "message": str(message)}])
    return response


def _add_trigger(response, toasts):
    current = response.headers.get("HX-Trigger")
    payload = json.loads(current) if current else {}
    payload.setdefault("toast", []).extend(toasts)
    # ensure_ascii keeps the header latin-1 safe; the browser decodes the \u escapes.
    response.headers["HX-Trigger"] = json.dumps(payload, ensure_ascii=True)


def init_app(app):
    htmx.init_app(app)

    @app.after_request
    def _flashes_to_toasts(response):
        is_partial = request.headers.get("HX-Request") == "true" and wants_partial()
        if is_partial and not response.headers.get("HX-Redirect"):
            messages = get_flashed_messages(with_categories=True)
            if messages:
                _add_trigger(response, [{"level": c, "message": m} for c, m in messages])
        return response

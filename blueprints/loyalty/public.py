"""The newsletter's unsubscribe, for the client (RFC 8058). ``GET /boletin/<token>`` only asks to confirm (mail scanners
and previews open links); ``POST`` to the same address unsubscribes: from that page's button, or straight from the mail
client's one-click unsubscribe (``List-Unsubscribe=One-Click``, no cookie, no CSRF token: the signed token is the
proof, so this endpoint alone is exempt from the CSRF token). Idempotent; a link tampered with answers 404."""

from flask import abort, redirect, request, url_for

from blueprints.loyalty import public_bp as bp
from core import crypto
from core.guard import public
from core.htmx import render
from core.limits import limiter
from services.loyalty import newsletter

PUBLIC_LIMIT = "30 per minute;300 per day"
_limit = limiter.shared_limit(PUBLIC_LIMIT, scope="newsletter-unsubscribe")
_token_limit = limiter.shared_limit(
    "20 per hour", scope="newsletter-link",
    key_func=lambda: "newsletter-link:" + crypto.token_hash((request.view_args or {}).get("token", "")))


@bp.after_request
def _public_headers(response):
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Cache-Control"] = "no-store"
    return response


def _delivery(token):
    delivery = newsletter.delivery_for_token(token)
    if delivery is None:
        abort(404)
    return delivery


@bp.get("/<token>")
@public
@_limit
@_token_limit
def unsubscribe_page(token):
    delivery = _delivery(token)
    return render("loyalty/public/unsubscribe.html", token=token, issue=delivery.issue)


@bp.post("/<token>")
@public
@_limit
@_token_limit
def unsubscribe(token):
    delivery = _delivery(token)
    one_click = request.form.get("List-Unsubscribe") == "One-Click"
    newsletter.unsubscribe(delivery, one_click, ip=request.remote_addr or "",
                           user_agent=request.headers.get("User-Agent", ""))
    if one_click:
        return render("loyalty/public/unsubscribed.html")
    return redirect(url_for("loyalty_public.unsubscribed"), 303)


@bp.get("/baja")
@public
def unsubscribed():
    return render("loyalty/public/unsubscribed.html")

"""The public survey form (``/e/<token>``): no sign-in, no staff session (SECURITY.md PS1–PS4).

- A GET shows the form and records the first opening; it never consumes the link (mail scanners open
  links too). The POST validates the answers and, in the transaction that stores them, consumes the
  invitation: of many racing posts exactly one stores a response. Then a token-free thanks page.
- Unknown, revoked, used, withdrawn and expired links all get the same page, status and body (PS3).
- Rate limited per IP (one budget shared by the form and the opt-out) and per link (``LINK_LIMIT``, keyed
  on the token's hash, so one link cannot be hammered from many addresses, SECURITY.md R3); excess answers
  429 and is logged like every other limit (``excess_rate_limit_exceeded`` plus a ``rate_limit`` audit row).
- Every answer here carries ``Referrer-Policy: no-referrer``, ``X-Robots-Tag: noindex`` and
  ``Cache-Control: no-store``; the page loads no script and nothing from another site, and shows the
  firm, the service evaluated and at most a greeting name. CSRF works through the anonymous session
  cookie that flask-wtf sets (it holds only the CSRF secret: nobody is signed in by it).
"""

from flask import current_app, redirect, request, url_for
from flask_wtf.csrf import CSRFError

from blueprints.surveys import bp
from core import audit, crypto, db
from core.guard import public
from core.htmx import render
from core.limits import limiter
from models.surveys import TEXT_MAX
from services import surveys
from services.surveys import answers as survey_answers

SURVEY_LIMIT = "30 per minute;300 per day"
PUBLIC_ENDPOINTS = frozenset({"surveys.public_form", "surveys.public_submit", "surveys.public_thanks",
                              "surveys.public_opt_out", "surveys.public_opt_out_confirm", "surveys.public_opted_out"})

LINK_LIMIT = "20 per hour"

_limit = limiter.shared_limit(SURVEY_LIMIT, scope="public-survey")


def _token_key() -> str:
    """The link's budget: its token's hash (never the token itself, not even in the limiter's store)."""
    return "survey-link:" + crypto.token_hash((request.view_args or {}).get("token", ""))


_token_limit = limiter.shared_limit(LINK_LIMIT, scope="public-survey-link", key_func=_token_key)


def _is_public() -> bool:
    return request.endpoint in PUBLIC_ENDPOINTS


@bp.after_request
def _public_headers(response):
    if _is_public():
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(429)
def _too_many(exc):
    if not _is_public():
        return current_app._find_error_handler(exc, [])(exc)  # the app's own page for staff pages
    audit.log_security_event("excess_rate_limit_exceeded", endpoint=request.endpoint or "")
    with db.transaction():
        audit.record("rate_limit", object_type="endpoint", object_id=request.endpoint or "")
    return render("surveys/public/too_many.html", status=429)


@bp.errorhandler(CSRFError)
def _csrf(exc):
    if not _is_public():
        return current_app._find_error_handler(exc, [])(exc)
    audit.log_security_event("malicious_csrf", reason=exc.description)
    with db.transaction():
        audit.record("csrf_fail", object_type="endpoint", object_id=request.endpoint or "")
    return render("surveys/public/expired_form.html", status=400)


def _gone():
    """The one page for every link that does not open a survey (PS3): same status, same body."""
    return render("surveys/public/link_invalid.html", status=404)


def _service(invitation) -> str:
    """What is being evaluated: the case's title, else the client's practice area."""
    if invitation.case_id:
        return invitation.case.title
    area = invitation.client.practice_area
    return area.name if area is not None else ""


def _form_page(invitation, token, questions, values=None, errors=None, status=200):
    template = invitation.template
    client = invitation.client
    greeting = client.name if client.kind == "person" and not template.anonymous else ""
    return render("surveys/public/form.html", survey=template, questions=questions, values=values or {},
                  errors=errors or {}, token=token, greeting=greeting, service=_service(invitation), text_max=TEXT_MAX,
                  status=status)


@bp.get("/e/<token>")
@public
@_limit
@_token_limit
def public_form(token):
    invitation = surveys.open_invitation(token)
    if invitation is None:
        return _gone()
    if invitation.opened_at is None:
        with db.transaction():
            surveys.mark_opened(invitation)
    return _form_page(invitation, token, survey_answers.questions_of(invitation.template_id))


@bp.post("/e/<token>")
@public
@_limit
@_token_limit
def public_submit(token):
    invitation = surveys.open_invitation(token)
    if invitation is None:
        return _gone()
    questions = survey_answers.questions_of(invitation.template_id)
    response, errors = survey_answers.submit(invitation, request.form, questions)
    if errors:
        return _form_page(invitation, token, questions, survey_answers.kept_values(questions, request.form), errors,
                          status=422)
    if response is None:
        return _gone()  # another submission of the same link won
    return redirect(url_for("surveys.public_thanks"), 303)


@bp.get("/e/gracias")
@public
def public_thanks():
    return render("surveys/public/thanks.html")


@bp.get("/e/<token>/baja")
@public
@_limit
@_token_limit
def public_opt_out(token):
    """The unsubscribe link of a survey mail (its footer and its List-Unsubscribe header): a page that asks
    to confirm, never the opt-out itself (link scanners and previews GET it). A link that no longer opens
    the survey gets the one page of every dead link (PS3)."""
    invitation = surveys.open_invitation(token)
    if invitation is None:
        return _gone()
    return render("surveys/public/opt_out.html", token=token)


@bp.post("/e/<token>/baja")
@public
@_limit
@_token_limit
def public_opt_out_confirm(token):
    """The confirmation, from the page or from the mail client's one-click unsubscribe (RFC 8058: a POST
    of ``List-Unsubscribe=One-Click`` with no cookie and no CSRF token; the link's 256-bit token is the
    proof, so this endpoint is exempt from the CSRF token). Any link ever sent for the invitation works,
    after the survey was answered, withdrawn or expired too, and a second POST changes nothing."""
    invitation = surveys.invitation_of_link(token)
    if invitation is None:
        return _gone()
    one_click = request.form.get("List-Unsubscribe") == "One-Click"
    survey_answers.opt_out(invitation, one_click=one_click)
    if one_click:
        return render("surveys/public/opted_out.html")
    return redirect(url_for("surveys.public_opted_out"), 303)


@bp.get("/e/baja")
@public
def public_opted_out():
    return render("surveys/public/opted_out.html")

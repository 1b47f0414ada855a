"""The periodic access review (``/privacidad/revision-accesos``, SECURITY.md A6): the list of reviews, opening one
for a period, its page with one line per staff member, deciding a line (a row of its own: htmx swaps it, a plain
form works too) and management's sign-off. A signed-off review answers any change with 409."""

from types import SimpleNamespace

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf

from core.forms import ActionForm
from core.guard import ROLES, require
from core.htmx import render
from core.i18n import event_writer, today_local
from core.web import me, or_404, status_for
from services.privacy import access_review as service

from . import bp
from .forms import AccessReviewForm, LineDecisionForm, LineFilterForm


def _load(review_id: int):
    return or_404(service.for_page(review_id))


@bp.get("/privacidad/revision-accesos")
@require("privacy.reads")
def access_reviews(form=None, status=200):
    today = today_local()
    if form is None:
        start, end = service.default_period(today)
        form = AccessReviewForm(formdata=None, desde=start, hasta=end)
    return render("privacy/access_reviews.html", status=status, reviews=list(service.reviews()), form=form,
                  due=service.due(today))


@bp.post("/privacidad/revision-accesos")
@require("privacy.reads")
def access_review_new():
    form = AccessReviewForm()
    if not form.validate_on_submit():
        return access_reviews(form=form, status=status_for(form) if form.errors else 400)
    review = service.open_review(form.desde.data, form.hasta.data, me())
    flash(_("Access review %(code)s opened.", code=review.code), "success")
    return redirect(url_for("privacy.access_review", review_id=review.id))


def _row_kit(review) -> SimpleNamespace:
    """What every line's row repeats, worked out once per request rather than once per row: the column
    labels, the decision words and the links' common parts (attributes, which Jinja reads at once)."""
    base = url_for("privacy.access_review", review_id=review.id)
    return SimpleNamespace(**{
        "person": _("Person"), "roles": _("Roles"), "teams": _("Case teams"), "last": _("Last sign-in"),
        "tfa": _("Two-step verification"), "reads": _("Confidential reads"), "decision": _("Decision"),
        "never": _("Never"), "yes": _("Yes"), "no": _("No"), "decide": _("Decide"), "confirm": _("Confirm"),
        "confirmed": _("Confirmed"), "adjusted": _("Adjusted"), "revoked": _("Revoked"),
        "undecided": _("Undecided"), "roles_removed": _("every role removed"),
        "deactivated": _("account deactivated"), "confirm_title": _("Confirm this access as it is"),
        "line_url": base + "/lineas/", "case_url": url_for("cases.show", case_id=0)[:-1],
        "reads_url": url_for("privacy.staff_reads") + "?persona=",
        "reads_period": f"&desde={review.period_start.isoformat()}&hasta={review.period_end.isoformat()}",
        "more": _("and %(num)d more"), "signed": review.is_signed, "csrf": generate_csrf(), "role_names": _role_names,
        "moment": _moment_writer(),
    })


def _moment_writer():
    """A stored (naive UTC) moment as the event style writes it, the language and zone looked up once."""
    write = event_writer()
    return lambda at: write(at)[1]


def _role_names(roles: str) -> str:
    """A line's roles (codes, comma-separated) as their names, or a dash."""
    return ", ".join(ROLES.get(r, r) for r in roles.split(",") if r) or "—"


def _page(review, status=200):
    """The review's page: its progress and a page of the lines the filter keeps, the undecided first (three
    queries). A filter value the form refuses is said beside its field and ignored."""
    filters = LineFilterForm(formdata=request.args if request.method == "GET" else None)
    filters.validate()
    state, role, q = ("" if f.errors else (f.data or "") for f in (filters.estado, filters.rol, filters.q))
    page, progress = service.lines_page(review, state, role, q)
    params = {name: value for name, value in (("estado", state), ("rol", role), ("q", q)) if value}
    if status == 200:
        status = status_for(filters)
    return render("privacy/access_review.html", "privacy/_access_lines.html", status=status, review=review,
                  page=page, progress=progress, filters=filters, params=params, k=_row_kit(review),
                  sign_form=ActionForm(formdata=None))


@bp.get("/privacidad/revision-accesos/<int:review_id>")
@require("privacy.reads")
def access_review(review_id):
    return _page(_load(review_id))


@bp.route("/privacidad/revision-accesos/<int:review_id>/lineas/<int:line_id>", methods=["GET", "POST"])
@require("privacy.reads")
def access_review_line(review_id, line_id):
    review = _load(review_id)
    line = or_404(service.line_of(review, line_id))
    form = LineDecisionForm(formdata=request.form if request.method == "POST" else None,
                            decision=line.decision or "confirmed", note=line.note, revoke=line.revoked)
    status = 200
    if request.method == "POST":
        if review.is_signed:
            flash(_("This access review is signed off: it can no longer change."), "error")
            return _page(review, status=409)
        if form.validate():
            try:
                service.decide(review, line, form.decision.data, form.note.data, form.revoke.data, me())
            except service.AccessReviewError as exc:
                flash(str(exc), "error")
                return _page(review, status=409)
            except service.LineInputError as exc:
                for name, message in exc.errors.items():
                    form[name].errors = [*form[name].errors, message]
            else:
                line = service.line_of(review, line_id)
                if request.headers.get("HX-Request"):
                    return render("privacy/_access_line.html", line=line, review=review, editing=False,
                                  k=_row_kit(review))
                flash(_("Line decided: %(name)s.", name=line.user_name), "success")
                return redirect(url_for("privacy.access_review", review_id=review.id) + f"#linea-{line.id}")
        status = status_for(form) if form.errors else 400
    if request.headers.get("HX-Request"):
        return render("privacy/_access_line.html", status=status, line=line, review=review, editing=True,
                      line_form=form, k=_row_kit(review))
    return render("privacy/access_review_line.html", status=status, line=line, review=review, line_form=form,
                  k=_row_kit(review))


@bp.post("/privacidad/revision-accesos/<int:review_id>/firmar")
@require("privacy.signoff")
def access_review_sign(review_id):
    review = _load(review_id)
    if not ActionForm().validate_on_submit():
        return _page(review, status=400)
    try:
        service.sign_off(review, me(), today_local())
    except service.AccessReviewError as exc:
        flash(str(exc), "error")
        return _page(review, status=409)
    flash(_("Access review %(code)s signed off.", code=review.code), "success")
    return redirect(url_for("privacy.access_review", review_id=review.id))

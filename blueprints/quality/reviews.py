"""The management review (``/calidad/revisiones``, ISO 9001 §9.3): the list, starting one for a period (by
default the last full quarter), the review page with its inputs compiled from live data while it is a draft,
editing a draft's texts, approving it (management only: its inputs are frozen in the row), its PDF made from
the same markup, and improvement actions opened from it.

Management and quality read reviews (``quality.view``) and prepare them (``reviews.prepare``); management
approves them (``reviews.approve``). An approved review is shown from its snapshot only and never changes:
editing it answers 409."""

from datetime import date

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _

from blueprints.quality.action_forms import ImprovementActionForm
from blueprints.quality.review_forms import ReviewForm
from core import pdf
from core.db import utcnow
from core.forms import ActionForm, staff_groups
from core.guard import require
from core.htmx import render
from core.i18n import today_local
from core.web import me, or_404, status_for
from models.quality import ImprovementAction
from models.reviews import TEXT_FIELDS, ManagementReview
from services.complaints import labels as complaint_labels
from services.quality import action_labels
from services.quality import actions as action_service
from services.quality import reviews as service
from services.surveys import labels as survey_labels

from . import bp

MAX_ID = 2**63 - 1


def _load(review_id: int) -> ManagementReview:
    return or_404(ManagementReview.for_page(review_id) if review_id <= MAX_ID else None)


def as_date(value):
    """A snapshot's ISO day as a date (for the |date filter); None stays None."""
    if not value:
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _context(review, **extra):
    today = today_local()
    inputs = service.inputs(review, today, utcnow())
    return {"review": review, "inputs": inputs, "actions": list(ImprovementAction.of_review(review.id)),
            "as_date": as_date, "complaint_labels": complaint_labels, "survey_labels": survey_labels,
            "action_labels": action_labels, "roles": _role_names(), **extra}


def _role_names():
    from core.guard import ROLES

    return ROLES


@bp.get("/calidad/revisiones")
@require("quality.view")
def reviews():
    today = today_local()
    return render("quality/reviews.html", rows=list(ManagementReview.register()), due=service.due(today))


@bp.route("/calidad/revisiones/nueva", methods=["GET", "POST"])
@require("reviews.prepare")
def review_new():
    start, end = service.default_period(today_local())
    form = ReviewForm(formdata=request.form if request.method == "POST" else None,
                      data={"period_start": start, "period_end": end})
    if form.validate_on_submit():
        try:
            review = service.create(form.period_start.data, form.period_end.data, me(), today_local(),
                                    {k: form[k].data for k in TEXT_FIELDS})
        except service.ReviewError as exc:
            form[exc.field if exc.field in form else "period_start"].errors.append(str(exc))
        else:
            flash(_("Management review %(code)s started: its inputs compile from live data until it is approved.",
                    code=review.code), "success")
            return redirect(url_for("quality.review_show", review_id=review.id), 303)
    return render("quality/review_new.html", form=form, status=status_for(form))


def _show(review, status=200, **extra):
    extra.setdefault("approve_errors", {})
    return render("quality/review_show.html", status=status, **_context(review, **extra))


@bp.get("/calidad/revisiones/<int:review_id>")
@require("quality.view")
def review_show(review_id):
    return _show(_load(review_id))


def _frozen(review):
    return _show(review, status=409, refused=_("This review is approved: it can no longer change."))


@bp.route("/calidad/revisiones/<int:review_id>/editar", methods=["GET", "POST"])
@require("reviews.prepare")
def review_edit(review_id):
    review = _load(review_id)
    if review.is_approved:
        return _frozen(review)
    form = ReviewForm(formdata=request.form if request.method == "POST" else None, obj=review)
    if form.validate_on_submit():
        try:
            service.save(review, form.period_start.data, form.period_end.data,
                         {k: form[k].data for k in TEXT_FIELDS}, me(), today_local())
        except service.ReviewError as exc:
            if review.is_approved or not exc.field:
                return _frozen(_load(review_id))
            form[exc.field if exc.field in form else "period_start"].errors.append(str(exc))
        else:
            flash(_("Review saved."), "success")
            return redirect(url_for("quality.review_show", review_id=review.id), 303)
    return render("quality/review_edit.html", review=review, form=form, status=status_for(form))


@bp.post("/calidad/revisiones/<int:review_id>/aprobar")
@require("reviews.approve")
def review_approve(review_id):
    review = _load(review_id)
    if review.is_approved:
        return _frozen(review)
    if not ActionForm().validate_on_submit():
        return _show(review, status=422, approve_errors={"": _("The form expired; reload the page.")})
    errors = service.approve_errors(review)
    if errors:
        return _show(review, status=422, approve_errors=errors)
    try:
        service.approve(review, me(), today_local())
    except service.ReviewError:
        return _frozen(_load(review_id))
    flash(_("Management review %(code)s approved: its inputs are frozen as they are today.", code=review.code),
          "success")
    return redirect(url_for("quality.review_show", review_id=review.id), 303)


@bp.get("/calidad/revisiones/<int:review_id>/pdf")
@require("quality.view")
def review_pdf(review_id):
    """The review on A4 from the same markup as its page (core/pdf.py)."""
    review = _load(review_id)
    return pdf.download(pdf.render("quality/review_pdf.html", **_context(review)),
                        f"revision-direccion-{review.id:05d}.pdf")


@bp.route("/calidad/revisiones/<int:review_id>/acciones/nueva", methods=["GET", "POST"])
@require("actions.manage")
def review_action_new(review_id):
    """An improvement action from the review's decisions: source "review", linked to it, prefilled."""
    review = _load(review_id)
    proposal = service.action_proposal(review)
    form = ImprovementActionForm(formdata=request.form if request.method == "POST" else None,
                                 data={**proposal, "owner": me().id})
    # The one writing and the one sent (found by the search under the picker); checked against all who may own one.
    form.owner.choices = staff_groups(action_service.owner_choices({me().id, form.owner.data}))
    if form.validate_on_submit():
        try:
            action = action_service.open_action(
                title=form.title.data, description=form.description.data, owner=form.owner.data,
                due_on=form.due_on.data, user=me(), source="review", review=review,
                source_ref=form.source_ref.data or proposal["source_ref"], cause_analysis=form.cause_analysis.data)
        except action_service.ActionError as exc:
            form[exc.field if exc.field in form else "title"].errors.append(str(exc))
        else:
            flash(_("Improvement action %(code)s opened.", code=action.code), "success")
            return redirect(url_for("quality.review_show", review_id=review.id) + "#review-actions", 303)
    return render("quality/review_action_new.html", review=review, form=form, status=status_for(form))

"""The newsletter ("Boletines informativos", PRO 008 §5.5.2): issues written here, previewed, tried on one's own
address, then sent one by one to the clients who consented; each issue's delivery figures. Commercial, client
service and management (``newsletter.manage``)."""

from flask import flash, redirect, url_for
from flask_babel import gettext as _

from blueprints.loyalty import bp
from blueprints.loyalty.newsletter_forms import IssueForm
from core.forms import ActionForm
from core.guard import require
from core.htmx import render
from core.web import get_or_404, me, status_for
from models.loyalty import NewsletterDelivery, NewsletterIssue
from services.loyalty import newsletter as service
from services.loyalty.labels import ISSUE_STATE_LABELS


@bp.get("/boletines")
@require("newsletter.manage")
def newsletters():
    service.settle()
    issues = list(NewsletterIssue.listing())
    # Each issue's delivery figures are on its own page: summing every issue's deliveries here would grow with them.
    return render("loyalty/newsletters.html", "loyalty/_newsletters.html", issues=issues,
                  subscribers=service.subscriber_count(), labels=ISSUE_STATE_LABELS)


def _edit_page(form, issue=None, status=200):
    return render("loyalty/newsletter_edit.html", form=form, issue=issue, status=status)


def _save(form, issue=None):
    form.offer(service.quality_items())
    if not form.validate_on_submit():
        return _edit_page(form, issue, status_for(form))
    try:
        if issue is None:
            issue = service.create(form.subject.data, form.body.data, me(), form.notes.data)
        else:
            service.update(issue, form.subject.data, form.body.data, me(), form.notes.data)
    except service.NewsletterError as exc:
        for name, message in exc.errors.items():
            getattr(form, name).errors = [message]
        if not exc.errors:
            flash(str(exc), "error")
        return _edit_page(form, issue, 422)
    flash(_("Draft saved."), "success")
    return redirect(url_for("loyalty.newsletter", issue_id=issue.id), 303)


@bp.route("/boletines/nuevo", methods=["GET", "POST"])
@require("newsletter.manage")
def newsletter_new():
    return _save(IssueForm())


@bp.route("/boletines/<int:issue_id>/editar", methods=["GET", "POST"])
@require("newsletter.manage")
def newsletter_edit(issue_id):
    issue = get_or_404(NewsletterIssue, NewsletterIssue.id == issue_id)
    if issue.status != "draft":
        flash(_("This issue has already been sent and can no longer change."), "error")
        return redirect(url_for("loyalty.newsletter", issue_id=issue.id), 303)
    return _save(IssueForm(obj=issue), issue)


@bp.get("/boletines/<int:issue_id>")
@require("newsletter.manage")
def newsletter(issue_id):
    issue = get_or_404(NewsletterIssue, NewsletterIssue.id == issue_id)
    if issue.status == "sending" and service.settle([issue.id]):
        issue = NewsletterIssue.get_by_id(issue.id)
    return render("loyalty/newsletter.html", "loyalty/_newsletter.html", issue=issue, html=service.html(issue), form=ActionForm(),
                  figures=NewsletterDelivery.figures([issue.id])[issue.id], labels=ISSUE_STATE_LABELS,
                  subscribers=service.subscriber_count() if issue.status == "draft" else None)


@bp.post("/boletines/<int:issue_id>/prueba")
@require("newsletter.manage")
def newsletter_test(issue_id):
    issue = get_or_404(NewsletterIssue, NewsletterIssue.id == issue_id)
    if ActionForm().validate_on_submit():
        service.send_test(issue, me())
        flash(_("Test sent to %(email)s.", email=me().email), "success")
    return redirect(url_for("loyalty.newsletter", issue_id=issue.id), 303)


@bp.post("/boletines/<int:issue_id>/enviar")
@require("newsletter.manage")
def newsletter_send(issue_id):
    issue = get_or_404(NewsletterIssue, NewsletterIssue.id == issue_id)
    if ActionForm().validate_on_submit():
        try:
            n = service.send(issue, me())
        except service.NewsletterError as exc:
            flash(str(exc), "error")
        else:
            flash(_("Issue %(number)d queued for %(n)d subscribers: each gets their own message.", number=issue.number,
                    n=n), "success")
    return redirect(url_for("loyalty.newsletter", issue_id=issue.id), 303)

"""The manual's review calendar, acknowledgements and confidentiality agreements (issue 17, items 3 and 4):
the review period and the roles a document concerns, a periodic review, "He leído y entiendo", who has read the
version in force with a once-a-day reminder, and the confidentiality agreements of staff and contractors."""

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _

from core import files
from core.forms import ActionForm, staff_groups
from core.guard import ROLES, require
from core.htmx import render
from core.i18n import said, today_local
from core.pagination import paginate
from core.web import me, or_404, status_for
from models.manual import ConfidentialityAgreement, ManualAck
from services import manual as service
from services.manual import agreements, follow, labels, training

from . import bp
from . import routes as base
from .forms import AgreementForm, PlanForm, ReviewForm

MAX_ID = 2**63 - 1


def _document(document_id):
    if not 0 < document_id <= MAX_ID:
        abort(404)
    return base._document(document_id)


def _fail(document, exc, form, name):
    if isinstance(exc, (service.ManualConflict, follow.FollowConflict)):
        return base._page(document, None, status=409, refused=str(exc))
    if exc.field in form:
        form[exc.field].errors.append(str(exc))
    return base._page(document, None, status=422, **{name: form})


@bp.post("/manual/<int:document_id>/calendario")
@require("manual.draft")
def plan(document_id):
    document = _document(document_id)
    form = PlanForm()
    if not form.validate_on_submit():
        return base._page(document, None, status=422, plan_form=form)
    try:
        changed = follow.set_plan(document, form.data, me())
    except follow.FollowError as exc:
        return _fail(document, exc, form, "plan_form")
    flash(_("Review calendar saved.") if changed else _("Nothing changed."), "success")
    return redirect(url_for("manual.document", document_id=document.id, _anchor="manual-calendar"), 303)


@bp.post("/manual/<int:document_id>/revisiones")
@require("manual.draft")
def review(document_id):
    document = _document(document_id)
    form = ReviewForm()
    if not form.validate_on_submit():
        return base._page(document, None, status=422, review_form=form)
    try:
        done = follow.record_review(document, form.data, me(), today_local())
    except (follow.FollowError, service.ManualError) as exc:
        return _fail(document, exc, form, "review_form")
    if done.new_version_id:
        flash(_("Review recorded; version %(number)s drafted.", number=f"{done.new_version.number:03d}"), "success")
        return redirect(url_for("manual.version_edit", document_id=document.id, version_id=done.new_version_id), 303)
    flash(_("Review recorded: the document still holds."), "success")
    return redirect(url_for("manual.document", document_id=document.id, _anchor="manual-calendar"), 303)


@bp.post("/manual/<int:document_id>/versiones/<int:version_id>/leido")
@require("manual.read")
def acknowledge(document_id, version_id):
    document = _document(document_id)
    version = base._version(document, version_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        done = follow.acknowledge(version, me())
    except follow.FollowConflict as exc:
        return base._page(document, version, status=409, refused=str(exc))
    flash(_("Thank you: your reading of %(code)s is recorded.", code=document.code) if done
          else _("Nothing to acknowledge here."), "success" if done else "info")
    return redirect(url_for("manual.version", document_id=document.id, version_id=version.id), 303)


READERS_PAGE_SIZE = 50


@bp.get("/manual/<int:document_id>/lecturas")
@require("manual.publish")
def readers(document_id):
    """Who was asked to read the version in force and who has: the counts, and those asked 50 a page (``?pagina=``),
    pending first, found by part of their name (``?q=``)."""
    document = _document(document_id)
    q = request.args.get("q", "").strip()[:100]
    reading = page = None
    if document.current_id:
        reading = follow.progress(document.current_id, q)
        page = paginate(ManualAck.of_version(document.current_id, q), READERS_PAGE_SIZE, total=reading["listed"])
    return render("manual/readers.html", "manual/_readers_list.html", document=document, reading=reading, page=page,
                  filters={"q": q}, action_form=ActionForm(formdata=None), role_labels=ROLES, today=today_local())


@bp.post("/manual/<int:document_id>/lecturas/recordar")
@require("manual.publish")
def remind(document_id):
    document = _document(document_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        n = follow.remind(document, me(), today_local())
    except follow.FollowConflict as exc:
        flash(str(exc), "error")
    else:
        flash(_("Reminder sent to %(n)d people.", n=n), "success")
    return redirect(url_for("manual.readers", document_id=document.id), 303)


# ----- confidentiality agreements -----

AGREEMENTS_PAGE_SIZE = 50


@bp.get("/manual/acuerdos")
@require("manual.agreements")
def agreements_list():
    """The agreements by person, 50 a page (``?pagina=``), found by part of the person's or company's name (``?q=``)."""
    q = request.args.get("q", "").strip()[:100]
    page = paginate(ConfidentialityAgreement.listing(q), AGREEMENTS_PAGE_SIZE,
                    total=lambda: ConfidentialityAgreement.count_named(q))
    return render("manual/agreements.html", "manual/_agreements_list.html", page=page, agreements=page.items,
                  filters={"q": q}, kind_words=said(labels.AGREEMENT_KINDS))


def _agreement_form():
    form = AgreementForm()
    # the one writing and the one sent; anyone else is found by name under the picker (not the whole staff each time)
    chosen = form.user.data if isinstance(form.user.data, int) else None
    form.user.choices = staff_groups([(0, _("Not a member of staff")), *training.people_choices([me().id, chosen])])
    form.policy_version.choices = [(0, _("None recorded"))] + agreements.policy_versions()
    return form


@bp.route("/manual/acuerdos/nuevo", methods=["GET", "POST"])
@require("manual.agreements")
def agreement_new():
    form = _agreement_form()
    if form.validate_on_submit():
        upload = form.file.data if getattr(form.file.data, "filename", "") else None
        try:
            checked = files.check(upload) if upload is not None else None
        except files.FileRejected as exc:
            form.file.errors.append(str(exc) or _("That file cannot be accepted."))
        else:
            try:
                agreements.create(form.data, checked, me(), today_local())
            except follow.FollowError as exc:
                form[exc.field].errors.append(str(exc))
            else:
                flash(_("Confidentiality agreement recorded."), "success")
                return redirect(url_for("manual.agreements_list"), 303)
    return render("manual/agreement_new.html", form=form, status=status_for(form) if form.is_submitted() else 200)


@bp.get("/manual/acuerdos/<int:agreement_id>/copia")
@require("manual.agreements")
def agreement_file(agreement_id):
    if not 0 < agreement_id <= MAX_ID:
        abort(404)
    agreement = or_404(ConfidentialityAgreement.get_or_none(ConfidentialityAgreement.id == agreement_id))
    if agreement.file_id is None:
        abort(404)
    return files.download(agreement.file)

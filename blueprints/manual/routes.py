"""The procedures manual (``/manual``): the index by kind, code and state; a document's page (the version in force
rendered, its version history as PRO 008 §9, its attachments); a version's page; the editor of a draft; sending for
review, sending back, approving, publishing and withdrawing; attachments; the comparison of two versions.

Every member of staff reads what was published; quality (manual.draft) and management (manual.approve) also see
drafts and versions in review. A version that is no longer a draft answers 409 to its editor."""

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _

from core import files
from core.forms import ActionForm, staff_groups
from core.guard import ROLES, can, require
from core.htmx import render
from core.i18n import said
from core.web import me, or_404, status_for
from models.manual import (
    DOCUMENT_KINDS,
    SECTIONS,
    VERSION_STATES,
    ManualAttachment,
    ManualDocument,
    ManualReview,
    ManualVersion,
)
from services import manual as service
from services.manual import diff, follow, labels
from services.manual.markdown import render as markdown

from . import bp
from .forms import (
    AttachmentForm,
    DocumentEditForm,
    DocumentForm,
    NoteForm,
    PlanForm,
    ReviewForm,
    VersionForm,
    WithdrawForm,
)

MAX_ID = 2**63 - 1


@bp.context_processor
def _words():
    return {"manual_labels": labels, "manual_sections": SECTIONS, "markdown": markdown}


def _document(document_id: int) -> ManualDocument:
    """The document, or 404; a reader who may not see drafts gets 404 for a document never published."""
    document = or_404(ManualDocument.for_page(document_id))
    if document.current_id is None and not service.sees_drafts(me()):
        abort(404)
    return document


def _version(document: ManualDocument, version_id: int) -> ManualVersion:
    if not 0 < version_id <= MAX_ID:
        abort(404)
    version = or_404(ManualVersion.get_or_none(ManualVersion.id == version_id, ManualVersion.document == document))
    if not version.is_readable and not service.sees_drafts(me()):
        abort(404)
    version.document = document
    return version


def _owners(form, current=None):
    """The owner picker offers nobody, the one writing, the owner so far (kept, marked, once inactive) and the one
    sent, found by the search under it; the id sent is checked against all the active staff, not what was listed."""
    choices = [(0, _("Nobody yet"))] + list(service.owner_choices({me().id, current, form.owner.data}))
    if current and current not in {i for i, _n in choices}:
        choices.append((current, _("(inactive)")))
    form.owner.choices = staff_groups(choices)


@bp.get("/manual")
@require("manual.read")
def index():
    kind = request.args.get("tipo", "")
    kind = kind if kind in DOCUMENT_KINDS else ""
    everything = service.sees_drafts(me())
    state = request.args.get("estado", "") if everything else ""
    state = state if state in VERSION_STATES else ""
    q = request.args.get("q", "").strip()[:100]
    documents = list(ManualDocument.index(kind=kind, state=state, q=q, everything=everything))
    return render("manual/index.html", "manual/_list.html", documents=documents, everything=everything,
                  filters={"kind": kind, "state": state, "q": q},
                  kind_words=said(labels.DOCUMENT_KINDS),
                  state_words=said(labels.VERSION_STATES))


@bp.route("/manual/nuevo", methods=["GET", "POST"])
@require("manual.draft")
def document_new():
    form = DocumentForm(data={"owner": me().id, "change_summary": _("Original")})
    _owners(form)
    if form.validate_on_submit():
        try:
            document = service.create_document(form.data, me())
        except service.ManualError as exc:
            form[exc.field].errors.append(str(exc))
        else:
            flash(_("Document %(code)s created; its first version is a draft.", code=document.code), "success")
            return redirect(url_for("manual.document", document_id=document.id), 303)
    return render("manual/document_new.html", form=form, status=status_for(form))


@bp.route("/manual/<int:document_id>/editar", methods=["GET", "POST"])
@require("manual.draft")
def document_edit(document_id):
    document = _document(document_id)
    form = DocumentEditForm(data={"code": document.code, "title": document.title, "kind": document.kind,
                                  "owner": document.owner_id or 0, "created_label": document.created_label,
                                  "approved_label": document.approved_label})
    _owners(form, document.owner_id)
    if form.validate_on_submit():
        try:
            changed = service.update_document(document, form.data, me())
        except service.ManualError as exc:
            form[exc.field].errors.append(str(exc))
        else:
            flash(_("Document saved.") if changed else _("Nothing changed."), "success")
            return redirect(url_for("manual.document", document_id=document.id), 303)
    return render("manual/document_edit.html", form=form, document=document, status=status_for(form))


def _page(document, version, status=200, **extra):
    """The document's page for ``version`` (a ManualVersion, or None for the one in force, else the latest)."""
    everything = service.sees_drafts(me())
    versions = list(ManualVersion.of_document(document.id, everything=everything))
    if version is None:
        version = next((v for v in versions if v.id == document.current_id), versions[0] if versions else None)
    else:  # the same row with its author and approver
        version = next((v for v in versions if v.id == version.id), version)
    if version is not None:
        version.document = document
    open_version = next((v for v in versions if v.state in ("draft", "in_review", "approved")), None)
    ctx = {"document": document, "version": version, "versions": versions, "open_version": open_version,
           "everything": everything, "history": sorted((v for v in versions if v.published_on), key=lambda v: v.number),
           "attachments": list(ManualAttachment.of_version(version.id)) if version else []}
    if everything:  # a reader has no step to take: no forms to build
        ctx.update(action_form=ActionForm(formdata=None),
                   note_form=extra.pop("note_form", None) or NoteForm(formdata=None),
                   withdraw_form=extra.pop("withdraw_form", None) or WithdrawForm(formdata=None),
                   attachment_form=extra.pop("attachment_form", None) or AttachmentForm(formdata=None))
    ctx.update(_follow_context(document, version, extra))
    ctx.update(extra)
    return render("manual/document.html", status=status, **ctx)


def _follow_context(document, version, extra: dict) -> dict:
    """What the document's page shows of the calendar and the reading: my pending acknowledgement of the version
    shown, and for those who follow the manual the plan, the reviews and the progress (constant queries)."""
    ctx = {"my_ack": follow.pending_ack(version.id, me().id) if version is not None and version.state == "published"
           else None, "role_labels": ROLES}
    if ctx["my_ack"] is not None:
        ctx["ack_form"] = ActionForm(formdata=None)
    if can("manual.publish"):
        ctx["reviews"] = list(ManualReview.of_document(document.id, limit=5))
        ctx["reading"] = follow.counts(document.current_id) if document.current_id else None
    if can("manual.draft"):
        ctx["plan_form"] = extra.pop("plan_form", None) or PlanForm(formdata=None, data={
            "review_months": document.review_months, "next_review_on": document.next_review_on,
            "concerned_roles": document.role_list})
        ctx["review_form"] = extra.pop("review_form", None) or ReviewForm(formdata=None)
    return ctx


@bp.get("/manual/<int:document_id>")
@require("manual.read")
def document(document_id):
    return _page(_document(document_id), None)  # the version in force; never published: its latest


@bp.get("/manual/<int:document_id>/versiones/<int:version_id>")
@require("manual.read")
def version(document_id, version_id):
    document = _document(document_id)
    return _page(document, _version(document, version_id))


@bp.post("/manual/<int:document_id>/versiones/nueva")
@require("manual.draft")
def version_new(document_id):
    document = _document(document_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        version = service.new_version(document, me())
    except service.ManualConflict as exc:
        flash(str(exc), "error")
        return redirect(url_for("manual.document", document_id=document.id), 303)
    flash(_("Version %(number)s drafted from the one in force.", number=version.label), "success")
    return redirect(url_for("manual.version_edit", document_id=document.id, version_id=version.id), 303)


@bp.route("/manual/<int:document_id>/versiones/<int:version_id>/editar", methods=["GET", "POST"])
@require("manual.draft")
def version_edit(document_id, version_id):
    document = _document(document_id)
    version = _version(document, version_id)
    if not version.is_draft:
        return _page(document, version, status=409,
                     refused=_("This version is no longer a draft: it can no longer change."))
    form = VersionForm(data={**version.sections(), "change_summary": version.change_summary,
                             "justification": version.justification})
    if form.validate_on_submit():
        try:
            changed = service.save_draft(version, form.data, me())
        except service.ManualConflict as exc:
            return _page(document, version, status=409, refused=str(exc))
        except service.ManualError as exc:
            form[exc.field].errors.append(str(exc))
        else:
            flash(_("Draft saved.") if changed else _("Nothing changed."), "success")
            return redirect(url_for("manual.version", document_id=document.id, version_id=version.id), 303)
    return render("manual/version_edit.html", form=form, document=document, version=version, status=status_for(form))


def _step(document_id, version_id, step, message, form=None, form_name=""):
    """One state change of a version: 303 to its page, 409 when its state does not allow it, 422 beside a field."""
    document = _document(document_id)
    version = _version(document, version_id)
    if form is not None and not form.validate_on_submit():
        return _page(document, version, status=422, **{form_name: form})
    if form is None and not ActionForm().validate_on_submit():
        abort(400)
    try:
        step(version)
    except service.ManualConflict as exc:
        return _page(document, version, status=409, refused=str(exc))
    except service.ManualError as exc:
        if form is not None and exc.field in form:
            form[exc.field].errors.append(str(exc))
            return _page(document, version, status=422, **{form_name: form})
        return _page(document, version, status=422, refused=str(exc))
    flash(message, "success")
    return redirect(url_for("manual.version", document_id=document.id, version_id=version.id), 303)


@bp.post("/manual/<int:document_id>/versiones/<int:version_id>/enviar")
@require("manual.draft")
def version_submit(document_id, version_id):
    return _step(document_id, version_id, lambda v: service.submit(v, me()), _("Version sent to management for review."))


@bp.post("/manual/<int:document_id>/versiones/<int:version_id>/devolver")
@require("manual.approve")
def version_return(document_id, version_id):
    form = NoteForm()
    return _step(document_id, version_id, lambda v: service.send_back(v, form.review_note.data, me()),
                 _("Version sent back to draft."), form, "note_form")


@bp.post("/manual/<int:document_id>/versiones/<int:version_id>/aprobar")
@require("manual.approve")
def version_approve(document_id, version_id):
    return _step(document_id, version_id, lambda v: service.approve(v, me()), _("Version approved."))


@bp.post("/manual/<int:document_id>/versiones/<int:version_id>/publicar")
@require("manual.publish")
def version_publish(document_id, version_id):
    return _step(document_id, version_id, lambda v: service.publish(v, me()), _("Version published: it is in force."))


@bp.post("/manual/<int:document_id>/versiones/<int:version_id>/retirar")
@require("manual.approve")
def version_withdraw(document_id, version_id):
    form = WithdrawForm()
    return _step(document_id, version_id, lambda v: service.withdraw(v, form.end_reason.data, me()),
                 _("Version withdrawn."), form, "withdraw_form")


@bp.post("/manual/<int:document_id>/versiones/<int:version_id>/adjuntos")
@require("manual.draft")
def attachment_add(document_id, version_id):
    document = _document(document_id)
    version = _version(document, version_id)
    form = AttachmentForm()
    if not version.is_draft:
        return _page(document, version, status=409, refused=_("Attachments change only while the version is a draft."))
    if form.validate_on_submit():
        upload = form.file.data if getattr(form.file.data, "filename", "") else None
        if upload is None:
            form.file.errors.append(_("Choose the file to attach."))
        else:
            try:
                checked = files.check(upload)
            except files.FileRejected as exc:
                form.file.errors.append(str(exc) or _("That file cannot be accepted."))
            else:
                service.attach(version, form.title.data, checked, me())
                flash(_("Attachment added."), "success")
                return redirect(url_for("manual.version", document_id=document.id, version_id=version.id), 303)
    return _page(document, version, status=422, attachment_form=form)


def _attachment(document_id, version_id, attachment_id) -> tuple:
    document = _document(document_id)
    version = _version(document, version_id)
    if not 0 < attachment_id <= MAX_ID:
        abort(404)
    attachment = or_404(ManualAttachment.get_or_none(ManualAttachment.id == attachment_id,
                                                     ManualAttachment.version == version))
    attachment.version = version
    return document, version, attachment


@bp.post("/manual/<int:document_id>/versiones/<int:version_id>/adjuntos/<int:attachment_id>/quitar")
@require("manual.draft")
def attachment_remove(document_id, version_id, attachment_id):
    document, version, attachment = _attachment(document_id, version_id, attachment_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        service.detach(attachment, me())
    except service.ManualConflict as exc:
        return _page(document, version, status=409, refused=str(exc))
    flash(_("Attachment removed."), "success")
    return redirect(url_for("manual.version", document_id=document.id, version_id=version.id), 303)


@bp.get("/manual/<int:document_id>/versiones/<int:version_id>/adjuntos/<int:attachment_id>")
@require("manual.read")
def attachment_download(document_id, version_id, attachment_id):
    _document_, _version_, attachment = _attachment(document_id, version_id, attachment_id)
    return files.download(attachment.file)


@bp.get("/manual/codigo/<code>")
@require("manual.read")
def by_code(code):
    """A document by its code (``/manual/codigo/PRO 008?seccion=procedure``), for the screens that carry out one of
    its steps to link to it without knowing its id: to the version in force, at the section named."""
    code = " ".join(code.upper().split())[:20]
    found = ManualDocument.select(ManualDocument.id, ManualDocument.current).where(ManualDocument.code == code).first()
    if found is None or (found.current_id is None and not service.sees_drafts(me())):
        flash(_("%(code)s is not in the manual yet.", code=code), "info")
        return redirect(url_for("manual.index", q=code), 303)
    document = _document(found.id)
    section = request.args.get("seccion", "")
    return redirect(url_for("manual.document", document_id=document.id) + (f"#s-{section}" if section in SECTIONS
                                                                            else ""), 303)


@bp.get("/manual/<int:document_id>/comparar")
@require("manual.read")
def compare(document_id):
    document = _document(document_id)
    everything = service.sees_drafts(me())
    versions = list(ManualVersion.of_document(document.id, everything=everything))
    if len(versions) < 2:
        return render("manual/compare.html", document=document, versions=versions, old=None, new=None, sections=[])
    by_id = {v.id: v for v in versions}
    new = by_id.get(request.args.get("a", type=int)) or versions[0]
    old = by_id.get(request.args.get("de", type=int)) or next((v for v in versions if v.number < new.number),
                                                              versions[1])
    return render("manual/compare.html", document=document, versions=versions, old=old, new=new,
                  sections=diff.compare(old, new))

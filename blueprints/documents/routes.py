"""Document checklists and files per case, requirement templates, deadlines, holidays and calendar feeds.

This module: the checklist tab of a case (items, versions, upload, review, download) and the admin catalog
of requirement templates per practice area. Deadlines, holidays, the work queue and the calendar feed live
in blueprints/documents/deadlines.py (imported at the end).
"""

from flask import abort, flash, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.exceptions import RequestEntityTooLarge

from blueprints.documents.forms import (
    ItemForm,
    MoveForm,
    ReviewForm,
    TemplateForm,
    UploadForm,
)
from core import files
from core.forms import ActionForm
from core.guard import can, require
from core.htmx import render, toast, wants_partial
from core.i18n import today_local
from core.web import get_or_404, me, or_404, toggle_active
from models.cases import Case
from models.catalog import PracticeArea
from models.documents import DocumentItem, RequirementTemplate
from services import documents as service
from services.cases import check_team, header
from services.documents import labels

from . import bp


@bp.context_processor
def _labels():
    return {"doc_labels": labels}


# ----- the checklist of a case -----

def _rows(items, versions, item_forms=None) -> list[dict]:
    """One row per item; a blank upload and review form serve them all (the template gives their fields the
    item's ids), an item whose submission was refused keeps its own with the reasons."""
    blank = {"upload_form": UploadForm(formdata=None), "review_form": ReviewForm(formdata=None)}
    forms = item_forms or {}
    return [{"item": i, "versions": versions[i.id], **blank, **forms.get(i.id, {})} for i in items]


def _checklist_context(case, item_forms=None, add_form=None, **extra) -> dict:
    """Header, items (required first) and all their versions: the same few queries for any number of items."""
    ctx = header(case, me())
    items = list(DocumentItem.of_case(case))
    ctx.update(rows=_rows(items, service.versions_by_item([i.id for i in items], case=case), item_forms), today=today_local(),
               add_form=add_form or ItemForm(formdata=None), **extra)
    return ctx


def _item_context(case, item, oob_progress=False, **forms) -> dict:
    ctx = header(case, me())
    ctx.update(row=_rows([item], service.versions_by_item([item.id]), {item.id: forms})[0], today=today_local(),
               oob_progress=oob_progress)
    return ctx


def _item_for_work(item_id):
    """The item and its case; a confidential item answers 404 to staff off the case team (A3)."""
    item = get_or_404(DocumentItem, DocumentItem.id == item_id)
    case = or_404(Case.for_page(item.case_id))
    if item.confidential and not check_team(case, me(), "document"):
        abort(404)
    return item, case


def _item_done(case, item):
    """Under htmx the item again plus the header's progress out-of-band; otherwise back to the tab."""
    if wants_partial():
        item = DocumentItem.get_by_id(item.id)
        return render("documents/_item.html", **_item_context(case, item, oob_progress=True))
    return redirect(url_for("documents.checklist", case_id=case.id, _anchor=f"document-item-{item.id}"), 303)


def _item_invalid(case, item, status=422, **forms):
    """The item's form with the reason beside the field (the whole tab without JavaScript)."""
    if wants_partial():
        return render("documents/_item.html", status=422, **_item_context(case, item, **forms))
    return render("documents/checklist.html", status=status, **_checklist_context(case, {item.id: forms}))


@bp.get("/casos/<int:case_id>")
@require("cases.view")
def checklist(case_id):
    case = or_404(Case.for_page(case_id))
    return render("documents/checklist.html", "documents/_checklist.html", **_checklist_context(case))


@bp.post("/casos/<int:case_id>/items")
@require("documents.manage")
def add_item(case_id):
    case = or_404(Case.for_page(case_id))
    form = ItemForm()
    if form.validate_on_submit():
        try:
            item = service.add_item(case, form.item_data(), me())
        except service.DocumentError as exc:
            form.name.errors.append(str(exc))
        else:
            flash(_("“%(name)s” added to the checklist.", name=item.name), "success")
            if wants_partial():
                return render("documents/_checklist.html", **_checklist_context(case, oob_progress=True))
            return redirect(url_for("documents.checklist", case_id=case.id), 303)
    return render("documents/checklist.html", "documents/_checklist.html", status=422,
                  **_checklist_context(case, add_form=form))


@bp.post("/items/<int:item_id>/archivo")
@require("documents.manage")
def upload(item_id):
    item, case = _item_for_work(item_id)
    form, status = UploadForm(), 422
    if form.validate_on_submit():
        try:
            version = service.upload(item, case, form.file.data, (form.note.data or "").strip(), me())
        except (files.FileRejected, service.DocumentError) as exc:
            form.file.errors.append(str(exc))
            status = 413 if isinstance(exc, files.FileTooLarge) else 422
        else:
            flash(_("Version %(number)d of “%(name)s” stored.", number=version.number, name=item.name), "success")
            return _item_done(case, item)
    return _item_invalid(case, item, status, upload_form=form)


@bp.post("/items/<int:item_id>/revision")
@require("documents.manage")
def review(item_id):
    item, case = _item_for_work(item_id)
    form = ReviewForm()
    if form.validate_on_submit():
        try:
            service.review(item, case, form.decision.data, form.reason.data or "", form.review_on.data, me(),
                           today_local())
        except service.DocumentError as exc:
            form.decision.errors.append(str(exc))
        else:
            flash(_("“%(name)s”: %(status)s.", name=item.name, status=labels.ITEM_STATES[item.status]), "success")
            return _item_done(case, item)
    return _item_invalid(case, item, review_form=form)


@bp.get("/versiones/<int:version_id>")
@require("cases.view")
def download(version_id):
    """Through here only (F4); a confidential item's file only for the case team, and each read audited (L1)."""
    version = or_404(service.version_for_download(version_id))
    if version.item.confidential and not check_team(Case.get_by_id(version.item.case_id), me(), "document"):
        abort(404)
    return service.download(version, me())


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(exc):
    """Bodies over MAX_CONTENT_LENGTH (25 MB) stop before the view: say what happened, beside the field
    when the upload's item can be shown, and that nothing was stored. (The whole blueprint's handler: other
    endpoints get the app's usual answer.)"""
    title = _("The file or form is too large")
    message = _("The file is larger than 20 MB. Nothing was stored.") if request.endpoint == "documents.upload" else None
    item = None
    if message and can("documents.manage"):
        item = DocumentItem.get_or_none(DocumentItem.id == (request.view_args or {}).get("item_id"))
    if item is not None:
        case = Case.for_page(item.case_id)
        if case is not None and (not item.confidential or case.on_team(me())):
            form = UploadForm(formdata=None)
            form.file.errors = [message]
            return _item_invalid(case, item, 413, upload_form=form)
    if request.headers.get("HX-Request") == "true":
        response = make_response("", 413)
        response.headers["HX-Reswap"] = "none"
        return toast(response, message or title, "error")
    return render("errors/error.html", status=413, code=413, title=title, message=message)


# ----- the requirement catalog (admin) -----

def _catalog(area, form=None, editing=None) -> dict:
    areas = list(PracticeArea.all_ordered())
    area = area or (areas[0] if areas else None)
    rows = list(RequirementTemplate.of_area(area.id, only_active=False)) if area else []
    suggested = len(service.default_requirements().get(area.name, [])) if area and not rows else 0
    return {"areas": areas, "area": area, "rows": rows, "editing": editing, "suggested": suggested,
            "form": form or TemplateForm(formdata=None, obj=editing)}


def _catalog_done(area):
    if wants_partial():
        return render("documents/_templates.html", **_catalog(area))
    return redirect(url_for("documents.templates", area=area.id), 303)


@bp.get("/requisitos")
@require("catalog.manage")
def templates():
    area_id = request.args.get("area", type=int)
    area = get_or_404(PracticeArea, PracticeArea.id == area_id) if area_id else None
    editing_id = request.args.get("editar", type=int)
    editing = get_or_404(RequirementTemplate, RequirementTemplate.id == editing_id) if editing_id else None
    if editing is not None:
        area = get_or_404(PracticeArea, PracticeArea.id == editing.practice_area_id)
    return render("documents/templates.html", "documents/_templates.html", **_catalog(area, editing=editing))


@bp.post("/areas/<int:area_id>/requisitos")
@require("catalog.manage")
def template_create(area_id):
    area = get_or_404(PracticeArea, PracticeArea.id == area_id)
    form = TemplateForm()
    if form.validate_on_submit():
        service.save_template(area, form.template_data(), me())
        flash(_("Requirement added. Cases of this area opened from now on include it."), "success")
        return _catalog_done(area)
    return render("documents/templates.html", "documents/_templates.html", status=422, **_catalog(area, form))


@bp.post("/requisitos/<int:template_id>")
@require("catalog.manage")
def template_save(template_id):
    template = get_or_404(RequirementTemplate, RequirementTemplate.id == template_id)
    area = get_or_404(PracticeArea, PracticeArea.id == template.practice_area_id)
    form = TemplateForm()
    if form.validate_on_submit():
        service.save_template(area, form.template_data(), me(), template)
        flash(_("Requirement saved. Checklists of cases already open do not change."), "success")
        return _catalog_done(area)
    return render("documents/templates.html", "documents/_templates.html", status=422,
                  **_catalog(area, form, editing=template))


@bp.post("/requisitos/<int:template_id>/estado")
@require("catalog.manage")
def template_toggle(template_id):
    template = get_or_404(RequirementTemplate, RequirementTemplate.id == template_id)
    if toggle_active(template):
        flash(_("Requirement restored.") if template.is_active
              else _("Requirement retired: new cases no longer include it."), "success")
    return _catalog_done(get_or_404(PracticeArea, PracticeArea.id == template.practice_area_id))


@bp.post("/requisitos/<int:template_id>/orden")
@require("catalog.manage")
def template_move(template_id):
    template = get_or_404(RequirementTemplate, RequirementTemplate.id == template_id)
    form = MoveForm()
    if form.validate_on_submit():
        service.move_template(template, form.direction.data, me())
    return _catalog_done(get_or_404(PracticeArea, PracticeArea.id == template.practice_area_id))


@bp.post("/areas/<int:area_id>/requisitos/sugeridos")
@require("catalog.manage")
def template_suggested(area_id):
    area = get_or_404(PracticeArea, PracticeArea.id == area_id)
    if ActionForm().validate_on_submit():
        added = service.add_suggested(area, me())
        flash(ngettext("%(num)d suggested requirement added; adjust it as you need.",
                       "%(num)d suggested requirements added; adjust them as you need.", added) if added
              else _("This area already has requirements."), "success" if added else "info")
    return _catalog_done(area)


from blueprints.documents import deadlines  # noqa: E402,F401

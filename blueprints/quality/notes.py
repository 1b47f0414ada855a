"""Notes to the staff about the results (``/calidad/comunicados``): the list, publishing one (quality and
management: ``notes.manage``), the note's page with its acknowledgement progress and the client-facing preview,
and each person's "Leído" (every signed-in staff member: ``notes.read``). The start page lists the notes the
person has not acknowledged yet (blueprints/home/routes.py)."""

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _

from blueprints.quality.note_forms import NoteForm
from core.forms import ActionForm
from core.guard import can, require
from core.htmx import render
from core.i18n import today_local
from core.pagination import paginate
from core.web import me, or_404, status_for
from models.quality import QualityNote
from services.quality import notes as service
from services.quality.summary import previous_month

from . import bp

PAGE_SIZE = 25
NOT_ACKNOWLEDGED_SHOWN = 200  # names listed on the note's page; the count is whole


@bp.get("/calidad/comunicados")
@require("notes.read")
def notes():
    # How many read each note is on the note's page: counting two thousand acknowledgements per row would make
    # this list cost as much as the staff is large.
    page = paginate(QualityNote.listing(me()), PAGE_SIZE, total=lambda: QualityNote.select().count())
    return render("quality/notes.html", "quality/_note_list.html", page=page, manage=can("notes.manage"))


def _form(formdata=None):
    period = previous_month(today_local())
    form = NoteForm(formdata=formdata, data={"period_start": period.start, "period_end": period.end})
    form.indicator.choices = [("", _("Nothing")), *service.link_choices()]
    return form


@bp.route("/calidad/comunicados/nuevo", methods=["GET", "POST"])
@require("notes.manage")
def note_new():
    form = _form(request.form if request.method == "POST" else None)
    if form.validate_on_submit():
        problems = service.errors(title=form.title.data, body=form.body.data, period_start=form.period_start.data,
                                  period_end=form.period_end.data, indicator=form.indicator.data,
                                  client_summary=form.client_summary.data, for_newsletter=form.for_newsletter.data)
        if not problems:
            try:
                note = service.publish(title=form.title.data, body=form.body.data, user=me(),
                                       period_start=form.period_start.data, period_end=form.period_end.data,
                                       indicator=form.indicator.data, client_summary=form.client_summary.data,
                                       for_newsletter=form.for_newsletter.data)
            except service.NoteError as exc:
                problems = {exc.field or "title": str(exc)}
            else:
                flash(_("Note published: the staff see it on their start page."), "success")
                return redirect(url_for("quality.note_show", note_id=note.id), 303)
        for name, message in problems.items():
            (form[name] if name in form else form.title).errors = [message]
    return render("quality/note_new.html", form=form, status=status_for(form))


@bp.get("/calidad/comunicados/<int:note_id>")
@require("notes.read")
def note_show(note_id):
    note = or_404(QualityNote.for_page(note_id))
    user, manage = me(), can("notes.manage")
    ctx = {"note": note, "manage": manage, "mine": note.acknowledgement_of(user),
           "audience": service.is_audience(note, user), "link_name": service.link_name(note.indicator),
           "form": ActionForm(formdata=None)}
    if manage:
        ctx["acknowledged"], ctx["audience_size"] = note.progress()
        ctx["pending"] = list(note.not_acknowledged(NOT_ACKNOWLEDGED_SHOWN))
    return render("quality/note_show.html", **ctx)


@bp.post("/calidad/comunicados/<int:note_id>/leido")
@require("notes.read")
def note_ack(note_id):
    note = or_404(QualityNote.get_or_none(QualityNote.id == note_id))
    back = url_for("home.index") if request.form.get("volver") == "inicio" else url_for("quality.note_show",
                                                                                        note_id=note.id)
    if not ActionForm().validate_on_submit():
        flash(_("The form expired; reload the page."), "warning")
        return redirect(back, 303)
    if service.is_audience(note, me()) and service.acknowledge(note, me()):
        flash(_("Marked as read: %(title)s.", title=note.title), "success")
    return redirect(back, 303)

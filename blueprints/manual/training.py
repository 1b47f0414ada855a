"""Training on the manual and the staff's feedback on it (issue 17, items 5 and 6).

``/manual/formacion``: the register of sessions (upcoming or past, by document), a new session with its attendees
(invited by email), a session's page with attendance and the post-training evaluation marked after it, and each
person's training record; quality and management (``training.manage``) run them. ``/manual/mi-formacion``: one's
own record, for everyone (linked from Mi cuenta).

``/manual/<id>/comentarios``: any member of staff sends feedback on a document in force; its owner, quality and
management read it there and on the draft of the next version, and mark it considered in that version or set it
aside."""

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _

from core.db import utcnow
from core.forms import staff_groups
from core.guard import require
from core.htmx import render
from core.i18n import said
from core.pagination import paginate
from core.web import me, or_404, status_for
from models.manual import ManualDocument
from models.training import DEFAULT_PASS_MARK, ManualFeedback, TrainingAttendee, TrainingSession
from models.users import User
from services.manual import feedback as feedback_service
from services.manual import labels as manual_labels
from services.manual import training as service

from . import bp
from .training_forms import LIMITS, FeedbackForm, OutcomeForm, SessionForm, SettleForm, attendance_form


@bp.context_processor
def _training_words():
    return {"training_kinds": service.KINDS, "attendance_labels": service.ATTENDANCE_LABELS,
            "attendance_badges": service.ATTENDANCE_BADGES, "feedback_states": feedback_service.STATES,
            "feedback_badges": feedback_service.STATE_BADGES}


# ----- training -----

@bp.get("/manual/formacion")
@require("training.manage")
def training_index():
    when = request.args.get("cuando", "proximas")
    when = when if when in ("proximas", "pasadas", "todas") else "proximas"
    document_id = request.args.get("documento", type=int) or 0
    document_id = document_id if 0 < document_id < 2**31 else 0
    sessions = list(TrainingSession.register(
        when={"proximas": "upcoming", "pasadas": "past"}.get(when, ""), document_id=document_id, now=utcnow()))
    return render("manual/training.html", "manual/_training_list.html", sessions=sessions,
                  documents=list(service.document_choices()), filters={"when": when, "document": document_id},
                  kind_words=said(service.KINDS))


def _session_form_choices(form):
    chosen = [i for i in (form.attendees.data or []) if isinstance(i, int)]
    offered = service.people_choices([me().id, *chosen, form.trainer.data if isinstance(form.trainer.data, int) else 0])
    form.attendees.choices = service.people_choices(chosen)
    form.trainer.choices = {_("Nobody on the staff"): [(0, _("External trainer"))], **staff_groups(offered)}
    form.document.choices = [(0, _("None"))] + [(i, f"{code} · {title}") for i, code, title in service.document_choices()]


@bp.route("/manual/formacion/nueva", methods=["GET", "POST"])
@require("training.manage")
def training_new():
    form = SessionForm(data={"trainer": me().id, "pass_mark": DEFAULT_PASS_MARK, "duration_minutes": 60,
                             "document": request.args.get("documento", type=int) or 0})
    _session_form_choices(form)
    if form.validate_on_submit():
        try:
            session = service.plan(form.data, me())
        except service.TrainingError as exc:
            form[exc.field].errors.append(str(exc))
        else:
            flash(_("Session planned; %(num)s invitations sent.", num=len(form.attendees.data)), "success")
            return redirect(url_for("manual.training_show", training_id=session.id), 303)
    return render("manual/training_new.html", form=form, status=status_for(form))


def _session(training_id: int) -> TrainingSession:
    return or_404(TrainingSession.for_page(training_id))


def _session_page(session, form=None, status=200):
    """The session; once it has started, its attendance form: each attendee's row as stored, or as submitted when
    ``form`` (the attendance) came back with errors."""
    attendees = list(TrainingAttendee.of_session(session.id))
    started = session.starts_at <= utcnow()
    marks = None
    if started:
        marks = _marks(attendees, form)
        form = form or OutcomeForm(outcome=session.outcome)
    return render("manual/training_show.html", training=session, attendees=attendees, form=form, started=started,
                  marks=marks, limits=LIMITS,
                  summary=service.summary(attendees, session.pass_mark),
                  attendance_words=said(service.ATTENDANCE_LABELS), status=status)


def _marks(attendees, form=None) -> list[tuple]:
    """Per attendee: (attendee, status, score, comment, errors by field). The table writes the three controls
    itself, as the floor of a page does: one WTForms field per control costed more than the rest of the page."""
    if form is None:
        return [(a, a.status, "" if a.score is None else a.score, a.comment or "", {}) for a in attendees]
    rows = []
    for a in attendees:
        status, score, comment = form[f"status_{a.id}"], form[f"score_{a.id}"], form[f"comment_{a.id}"]
        rows.append((a, status.data, score._value(), comment._value(),
                     {"status": status.errors, "score": score.errors, "comment": comment.errors}))
    return rows


@bp.get("/manual/formacion/<int:training_id>")
@require("training.manage")
def training_show(training_id):
    return _session_page(_session(training_id))


@bp.post("/manual/formacion/<int:training_id>/asistencia")
@require("training.manage")
def training_record(training_id):
    session = _session(training_id)
    if session.starts_at > utcnow():
        flash(_("Attendance is marked once the session has started."), "error")
        return redirect(url_for("manual.training_show", training_id=session.id), 303)
    attendees = list(TrainingAttendee.of_session(session.id))
    form = attendance_form(attendees, session.outcome)
    if not form.validate_on_submit():
        return _session_page(session, form, 422)
    rows = {a.id: (form[f"status_{a.id}"].data, form[f"score_{a.id}"].data, form[f"comment_{a.id}"].data)
            for a in attendees}
    try:
        service.record(session, rows, form.outcome.data, me())
    except service.TrainingError as exc:
        name = "_".join(reversed(exc.field.split(":"))) if ":" in exc.field else (exc.field or "outcome")
        form[name].errors.append(str(exc))
        return _session_page(session, form, 422)
    flash(_("Attendance and evaluation saved."), "success")
    return redirect(url_for("manual.training_show", training_id=session.id), 303)


def _record_page(person):
    rows = list(TrainingAttendee.record_of(person.id))
    return render("manual/training_person.html", person=person, rows=rows, now=utcnow(),
                  kind_words=said(service.KINDS), attendance_words=said(service.ATTENDANCE_LABELS))


@bp.get("/manual/formacion/personas/<int:user_id>")
@require("training.manage")
def training_person(user_id):
    if not 0 < user_id < 2**63:
        abort(404)
    return _record_page(or_404(User.get_or_none(User.id == user_id)))


@bp.get("/manual/mi-formacion")
@require("manual.read")
def my_training():
    return _record_page(me())


# ----- feedback -----

def _published(document_id: int) -> ManualDocument:
    document = or_404(ManualDocument.for_page(document_id))
    if document.current_id is None and not feedback_service.handles(document, me()):
        abort(404)
    return document


@bp.post("/manual/<int:document_id>/comentarios/nuevo")
@require("manual.read")
def feedback_send(document_id):
    document = _published(document_id)
    form = FeedbackForm()
    if form.validate_on_submit():
        try:
            feedback_service.send(document, form.data, me())
        except feedback_service.FeedbackError as exc:
            form[exc.field].errors.append(str(exc))
        else:
            flash(_("Thank you: your feedback goes to the document's owner for its next review."), "success")
            return redirect(url_for("manual.document", document_id=document.id), 303)
    return render("manual/feedback_new.html", document=document, form=form, status=422)


@bp.get("/manual/<int:document_id>/comentarios/nuevo")
@require("manual.read")
def feedback_new(document_id):
    document = _published(document_id)
    if document.current_id is None:
        abort(404)
    return render("manual/feedback_new.html", document=document, form=FeedbackForm(formdata=None))


FEEDBACK_PAGE_SIZE = 25
ITEM_MARK = "{item}"  # where an item's id goes in the blank settle form's ids, rendered once for the page


def _feedback_page(document, status=200, failing=None, form=None):
    """The document's feedback, open items first, 25 a page (``?pagina=``). A settle form that failed (422) is
    shown with its errors on the page it was sent from (its action keeps ``?pagina=``); its item comes first when
    it is no longer on that page (settled or moved meanwhile). The blank settle form is rendered once, its ids
    marked with ``ITEM_MARK``, which the template swaps for each open item's id."""
    total, still_open = ManualFeedback.counts(document.id)
    page = paginate(ManualFeedback.of_document(document.id), FEEDBACK_PAGE_SIZE, total=total)
    items = page.items
    if failing is not None and all(f.id != failing.id for f in items):
        items = [failing, *items]
    return render("manual/feedback.html", "manual/_feedback_list.html", document=document, page=page, items=items,
                  still_open=still_open, into=feedback_service.open_version(document),
                  forms={failing.id: form} if failing is not None else {},
                  settle_form=SettleForm(formdata=None, item=ITEM_MARK), item_mark=ITEM_MARK, status=status,
                  state_words=said(feedback_service.STATES), section_words=said(manual_labels.SECTIONS))


@bp.get("/manual/<int:document_id>/comentarios")
@require("manual.read")
def feedback_list(document_id):
    document = _published(document_id)
    if not feedback_service.handles(document, me()):
        abort(404)
    return _feedback_page(document)


@bp.post("/manual/<int:document_id>/comentarios/<int:feedback_id>/resolver")
@require("manual.read")
def feedback_settle(document_id, feedback_id):
    document = _published(document_id)
    if not feedback_service.handles(document, me()) or not 0 < feedback_id < 2**63:
        abort(404)
    item = or_404(ManualFeedback.one_of(document.id, feedback_id))
    item.document = document
    form = SettleForm(item=item.id)
    if form.validate_on_submit():
        try:
            feedback_service.settle(item, form.decision.data, form.note.data, me())
        except feedback_service.FeedbackError as exc:
            form[exc.field].errors.append(str(exc))
        else:
            flash(_("Feedback marked: %(state)s.", state=feedback_service.STATES[form.decision.data]), "success")
            return redirect(url_for("manual.feedback_list", document_id=document.id,
                                    pagina=request.args.get("pagina", type=int)), 303)
    return _feedback_page(document, 422, item, form)


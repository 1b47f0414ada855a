"""The start page: what the signed-in person needs first; and their work queue."""

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _

from core import auth, mail
from core.audit import EVENT_LABELS
from core.forms import ActionForm
from core.guard import ROLES, can, require
from core.htmx import render, wants_partial
from core.i18n import today_local
from core.web import me, or_404
from models.audit import AuditEvent
from models.quality import QualityNote
from models.tasks import Task
from models.users import RecoveryCode, User, UserSession
from services.documents import labels as doc_labels
from services.home import work as queue
from services.privacy import access_review

from . import bp


@bp.get("/")
@require("home.view")
def index():
    user = me()
    recent = AuditEvent.recent_sign_ins(user.id)
    admin = User.admin_summary() if can("users.manage") else None
    if admin is not None:
        admin["mail_delay"] = mail.delay()
    return render("home/index.html", recent=recent, admin=admin, roles=ROLES, event_labels=EVENT_LABELS,
                  remaining_codes=RecoveryCode.remaining(user),
                  session_count=UserSession.live_count(user), current=auth.current_session(),
                  for_today=queue.queue_for(user, today_local(), limit=0) if can("work.view") else None,
                  quality_notes=QualityNote.pending_for(user))  # one query: the notes not yet read


@bp.get("/mi-trabajo")
@require("work.view")
def work():
    context = queue.page_context(me(), today_local(), only=request.args.get("ver"))
    # Management and quality: the periodic access review when it is overdue (SECURITY.md A6; one query).
    overdue = access_review.due(context["today"]) if can("privacy.reads") else None
    return render("home/work.html", "home/_work_queue.html", doc_labels=doc_labels,
                  access_review_due=overdue if overdue and overdue["due"] else None, **context)


@bp.get("/mi-trabajo/<section>/mas")
@require("work.view")
def work_tail(section):
    """A section's "Ver N más": its rows after the first ``desde``, for htmx to put in place of the link; a browser
    without it is sent to the whole section."""
    if section not in queue.SECTIONS:
        abort(404)
    if not wants_partial():
        return redirect(url_for("home.work", ver=section))
    start = min(max(request.args.get("desde", queue.PER_SECTION, type=int), 0), queue.FULL_LIST)
    return render("home/_work_tail.html", doc_labels=doc_labels, **queue.tail_context(me(), today_local(), section, start))


@bp.post("/mi-trabajo/tareas/<int:task_id>/hecha")
@require("work.view")
def task_done(task_id):
    user = me()
    task = or_404(Task.mine(task_id, user.id))  # someone else's task: as if none
    if ActionForm().validate_on_submit():
        if queue.mark_task_done(task, user):
            flash(_("Done: %(title)s.", title=task.title), "success")
    if wants_partial():
        return work()
    return redirect(url_for("home.work"), 303)

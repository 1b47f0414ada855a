"""Administration of staff accounts (role ``admin``) and the audit log browser (``admin``, ``quality``)."""

from datetime import datetime, time, timedelta

from flask import current_app, flash, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.admin.forms import (
    AuditFilterForm,
    InviteForm,
    PracticeAreaForm,
    PrivacyNoticeForm,
    ResetTwoFactorForm,
    RolesForm,
    UserFilterForm,
)
from core import audit
from core.auth import fresh_required
from core.db import transaction
from core.forms import ActionForm
from core.guard import ROLES, can, require
from core.htmx import render
from core.i18n import to_utc
from core.pagination import keyset, paginate, paginate_with
from core.web import get_or_404, me, status_for, toggle_active
from models.audit import AuditEvent
from models.catalog import PracticeArea
from models.consent import PrivacyNotice
from models.users import User, UserSession
from services.admin import accounts, audit_view
from services.auth import password_reset

from . import bp


@bp.get("/usuarios")
@require("users.manage")
def users():
    form = UserFilterForm(formdata=request.args)
    form.validate()
    q, role, status = form.q.data or "", form.role.data or "", form.status.data or ""
    if q or role or status:
        page = paginate(User.search(q, role, status))
    else:  # the list as it opens: its page from a prepared statement
        page = paginate_with(User.listed, 25, User.count_all())
    return render("admin/users.html", "admin/_users_table.html", form=form, page=page,
                  roles=User.roles_for(page.items), role_labels=ROLES)


@bp.route("/usuarios/nuevo", methods=["GET", "POST"])
@require("users.manage")
@fresh_required
def invite():
    form = InviteForm()
    if form.validate_on_submit():
        try:
            user, _link = accounts.invite(form.email.data, form.name.data, form.roles.data, actor=me())
        except accounts.AccountError as exc:
            form.email.errors.append(str(exc))
        else:
            # No names or addresses in flashes: they ride in the session cookie (SECURITY.md S1).
            flash(_("Account created. An activation link valid for 24 hours was sent by email."), "success")
            return redirect(url_for("admin.user", user_id=user.id), 303)
    return render("admin/invite.html", form=form, status=status_for(form))


def _roles_form(user: User, formdata=None) -> RolesForm:
    form = RolesForm(formdata=formdata, roles=user.role_names, supervisor=user.supervisor_id or 0)
    form.supervisor.choices = [(0, _("No supervisor"))] + [(u.id, u.display_name) for u in User.supervisor_choices(user)]
    return form


def _user_page(user: User, roles_form=None, status=200):
    events = AuditEvent.browse(object_type="app_user").where(AuditEvent.object_id == str(user.id)).limit(10)
    return render("admin/user.html", event_labels=audit.EVENT_LABELS, user=user, roles_form=roles_form or _roles_form(user), action=ActionForm(),
                  sessions=UserSession.live_for(user), events=list(events), role_labels=ROLES, status=status,
                  words=audit_view)


@bp.get("/usuarios/<int:user_id>")
@require("users.manage")
def user(user_id):
    return _user_page(get_or_404(User, User.id == user_id))


@bp.post("/usuarios/<int:user_id>/roles")
@require("users.manage")
@fresh_required
def user_roles(user_id):
    user = get_or_404(User, User.id == user_id)
    form = _roles_form(user, formdata=request.form)
    if form.validate_on_submit():
        if user.id == current_user.id and "admin" not in form.roles.data:
            form.roles.errors.append(_("You cannot remove your own administrator role."))
        else:
            try:
                accounts.set_roles(user, form.roles.data, actor=me())
            except accounts.AccountError as exc:
                form.roles.errors.append(str(exc))
    if form.errors or not form.is_submitted():
        return _user_page(user, form, status=422)
    supervisor = form.supervisor.data or None
    if supervisor != user.supervisor_id:
        with transaction():
            user.set_supervisor(supervisor)
            audit.record("user_update", user, actor=me(), fields=["supervisor"])
    flash(_("Roles saved."), "success")
    return redirect(url_for("admin.user", user_id=user.id), 303)


def _user_action(user_id, action, done_message):
    user = get_or_404(User, User.id == user_id)
    if ActionForm().validate_on_submit():
        try:
            action(user)
        except accounts.AccountError as exc:
            flash(str(exc), "error")
        else:
            flash(done_message, "success")
    return redirect(url_for("admin.user", user_id=user.id), 303)


@bp.post("/usuarios/<int:user_id>/desactivar")
@require("users.manage")
@fresh_required
def deactivate(user_id):
    def act(user):
        if user.id == current_user.id:
            raise accounts.AccountError(_("You cannot deactivate your own account."))
        accounts.deactivate(user, actor=me())

    return _user_action(user_id, act, _("Account deactivated and its sessions closed."))


@bp.post("/usuarios/<int:user_id>/reactivar")
@require("users.manage")
@fresh_required
def reactivate(user_id):
    return _user_action(user_id, lambda u: accounts.reactivate(u, actor=me()), _("Account reactivated."))


@bp.post("/usuarios/<int:user_id>/desbloquear")
@require("users.manage")
@fresh_required
def unlock(user_id):
    return _user_action(user_id, lambda u: accounts.unlock(u, actor=me()), _("Account unlocked."))


@bp.post("/usuarios/<int:user_id>/cerrar-sesiones")
@require("users.manage")
@fresh_required
def end_sessions(user_id):
    return _user_action(user_id, lambda u: accounts.end_sessions(u, actor=me()), _("All sessions of the account were closed."))


@bp.post("/usuarios/<int:user_id>/enlace-activacion")
@require("users.manage")
@fresh_required
def resend_activation(user_id):
    return _user_action(user_id, lambda u: accounts.resend_activation(u, actor=me()),
                        _("A new activation link was sent. Earlier links no longer work."))


@bp.post("/usuarios/<int:user_id>/enlace-contrasena")
@require("users.manage")
@fresh_required
def send_password_reset(user_id):
    """The person chooses the new password through the emailed link; nobody else learns it (SECURITY.md P6)."""
    return _user_action(user_id, lambda u: password_reset.send_link(u, actor=me()),
                        _("A link to choose a new password was sent by email. It works for 30 minutes; earlier links no "
                          "longer work."))


@bp.route("/usuarios/<int:user_id>/restablecer-2fa", methods=["GET", "POST"])
@require("users.manage")
@fresh_required
def reset_2fa(user_id):
    user = get_or_404(User, User.id == user_id)
    form = ResetTwoFactorForm()
    if form.validate_on_submit():
        accounts.reset_2fa(user, actor=me(), reason=form.reason.data)
        flash(_("Two-step verification was reset. The person will set it up again at the next sign-in."), "success")
        return redirect(url_for("admin.user", user_id=user.id), 303)
    return render("admin/reset_2fa.html", form=form, user=user, status=status_for(form))


def _local_midnight_utc(day):
    """The start of a day in the firm's time zone, as the naive UTC the database stores."""
    return to_utc(datetime.combine(day, time.min))


# The page that shows each kind of record named in the audit log (services.admin.audit_view says which record);
# a link appears only to a reader whose roles open that page, and the page itself still scopes its rows.
_RECORD_PAGES = {
    "data_subject_request": ("privacy.request_show", "dsr_id"),
    "user": ("admin.user", "user_id"), "client": ("clients.show", "client_id"),
    "client_interactions": ("interactions.client_log", "client_id"), "case": ("cases.show", "case_id"),
    "case_documents": ("documents.checklist", "case_id"), "case_deadlines": ("documents.deadlines", "case_id"),
    "case_interventions": ("cases.interventions", "case_id"), "meeting": ("interactions.meeting", "meeting_id"),
    "complaint": ("complaints.show", "complaint_id"), "crisis": ("complaints.crisis_show", "incident_id"),
    "quotation": ("commercial.quotation", "quotation_id"), "contract": ("commercial.contract", "contract_id"),
    "survey_template": ("surveys.edit_template", "template_id"),
    "survey_invitation": ("surveys.invitation", "invitation_id"), "survey_response": ("surveys.response", "response_id"),
    "practice_areas": ("admin.practice_areas", None), "requirement_templates": ("documents.templates", None),
    "complaint_categories": ("complaints.categories", None), "complaint_sla": ("complaints.sla", None),
    "privacy_notice": ("admin.privacy_notice", None), "holidays": ("documents.holidays", None),
    "improvement_action": ("quality.action_show", "action_id"), "quality_note": ("quality.note_show", "note_id"),
}


def _record_link(shown) -> str | None:
    endpoint, arg = _RECORD_PAGES.get(shown.page, (None, None))
    if endpoint is None or (arg and shown.page_id is None):
        return None
    if not can(getattr(current_app.view_functions[endpoint], "_required_permission", "")):
        return None
    return url_for(endpoint, **({arg: shown.page_id} if arg else {}))


def _endpoint_path(endpoint: str) -> str:
    try:
        return next(current_app.url_map.iter_rules(endpoint)).rule
    except KeyError:
        return endpoint


_SORTED_LABELS: dict[tuple[str, str], list] = {}


def _sorted_labels(kind: str, labels: dict) -> list[tuple[str, str]]:
    """A filter's options in the reader's language, translated and sorted once per language: the 176 event and
    object labels, translated for the sort and again for the options on every view, were a fifth of the log's time."""
    key = (kind, str(get_locale()))
    if key not in _SORTED_LABELS:
        _SORTED_LABELS[key] = sorted(((value, str(label)) for value, label in labels.items()), key=lambda kv: kv[1])
    return _SORTED_LABELS[key]


@bp.get("/auditoria")
@require("audit.read")
def audit_log():
    form = AuditFilterForm(formdata=request.args)
    form.action.choices = [("", _("All events"))] + _sorted_labels("events", audit.EVENT_LABELS)
    form.object_type.choices = [("", _("All kinds"))] + _sorted_labels("objects", audit.OBJECT_LABELS)
    form.validate()
    since = _local_midnight_utc(form.since.data) if form.since.data else None
    until = _local_midnight_utc(form.until.data + timedelta(days=1)) if form.until.data else None
    query = AuditEvent.browse(form.action.data or "", None, form.object_type.data or "", since, until)
    page = keyset(query, AuditEvent.id, size=50)
    with transaction():
        audit.record("audit_read", object_type="audit_event", detail=f"before={page.before or ''}")
    objects = audit_view.describe(page.items, endpoint_path=_endpoint_path)
    return render("admin/audit.html", "admin/_audit_table.html", form=form, page=page, event_labels=audit.EVENT_LABELS,
                  objects=objects, links={i: _record_link(o) for i, o in objects.items()}, words=audit_view)


@bp.route("/areas", methods=["GET", "POST"])
@require("catalog.manage")
def practice_areas():
    form = PracticeAreaForm()
    if form.validate_on_submit():
        name = form.name.data.strip()
        if PracticeArea.get_or_none(PracticeArea.name == name):
            form.name.errors.append(_("There is already a practice area with that name."))
        else:
            with transaction():
                area = PracticeArea.create(name=name, description=form.description.data.strip())
                audit.record("catalog_create", area, actor=me(), fields=["name", "description"])
            flash(_("Practice area added."), "success")
            return redirect(url_for("admin.practice_areas"), 303)
    return render("admin/areas.html", form=form, areas=list(PracticeArea.all_ordered()), action=ActionForm(),
                  status=status_for(form))


@bp.post("/areas/<int:area_id>/estado")
@require("catalog.manage")
def toggle_practice_area(area_id):
    if toggle_active(get_or_404(PracticeArea, PracticeArea.id == area_id)):
        flash(_("Practice area updated."), "success")
    return redirect(url_for("admin.practice_areas"), 303)


@bp.route("/aviso-privacidad", methods=["GET", "POST"])
@require("catalog.manage")
def privacy_notice():
    current = PrivacyNotice.current()
    form = PrivacyNoticeForm(text=current.text if current else "")
    if form.validate_on_submit():
        text = form.text.data.strip()
        if current and PrivacyNotice.digest(text) == current.sha256:
            form.text.errors.append(_("The text is the same as the current version."))
        else:
            with transaction():
                notice = PrivacyNotice.publish(text, me())
                audit.record("privacy_notice_published", notice, actor=me(), detail=notice.version)
            flash(_("New version of the privacy notice published."), "success")
            return redirect(url_for("admin.privacy_notice"), 303)
    return render("admin/privacy.html", form=form, current=current, status=status_for(form))

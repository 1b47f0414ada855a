"""The start page: what the signed-in person needs first."""

from flask_login import current_user

from core import auth
from core.audit import EVENT_LABELS
from core.guard import ROLES, can, require
from core.htmx import render
from models.audit import AuditEvent
from models.users import RecoveryCode, User, UserSession

from . import bp


@bp.get("/")
@require("home.view")
def index():
    user = current_user._get_current_object()
    recent = list(AuditEvent.browse(actor_id=user.id).where(
        AuditEvent.action.in_(("login_success", "password_change", "mfa_enrol", "recovery_code_used"))).limit(5))
    admin = User.admin_summary() if can("users.manage") else None
    return render("home/index.html", recent=recent, admin=admin, roles=ROLES, event_labels=EVENT_LABELS,
                  remaining_codes=RecoveryCode.remaining(user),
                  session_count=UserSession.live_for(user).count(), current=auth.current_session())

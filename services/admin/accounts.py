"""Provisioning staff accounts: the admin screen and the CLI share this (no admin-chosen passwords)."""

from datetime import timedelta

from flask_babel import gettext as _

from core import audit, auth, crypto, links, mail
from core.db import db, is_sqlite, transaction, utcnow
from core.guard import ROLES
from models.users import ActivationToken, User, UserSession, normalise_email

ACTIVATION_TTL = timedelta(hours=24)


class AccountError(ValueError):
    pass


def activation_link(user: User) -> str:
    """A new single-use link (24 h); earlier unused links of the user stop working."""
    ActivationToken.update(used_at=utcnow()).where(ActivationToken.user == user, ActivationToken.used_at.is_null()).execute()
    token = crypto.new_token()
    ActivationToken.create(token_hash=crypto.token_hash(token), user=user, expires_at=utcnow() + ACTIVATION_TTL)
    return links.absolute("auth.activate", token=token)


def invite(email: str, name: str, roles, actor=None, send=True) -> tuple[User, str]:
    email = normalise_email(email)
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise AccountError(_("Unknown role: %(role)s", role=", ".join(sorted(unknown))))
    with transaction():
        if User.by_email(email):
            raise AccountError(_("There is already an account with that email."))
        user = User.create(email=email, name=name.strip() or email.split("@")[0])
        user.set_roles(roles)
        link = activation_link(user)
        audit.record("user_create", user, actor=actor, fields=["email", "name", "roles"], detail=",".join(sorted(roles)))
        if send:
            mail.queue(user.email, _("Activate your Traza account"), "mail/activation", user=user, link=link)
    return user, link


def _serialise_admin_changes() -> None:
    """Two admins demoting each other at once must not leave none (SQLite's IMMEDIATE already serialises)."""
    if not is_sqlite():
        db.execute_sql("SELECT pg_advisory_xact_lock(7352)")


def set_roles(user: User, roles, actor) -> None:
    with transaction():
        _serialise_admin_changes()
        user = User.get_by_id(user.id)  # re-read inside the lock: another admin may have just changed it
        if "admin" in user.role_names and "admin" not in roles and user.is_active and User.active_admin_count() <= 1:
            raise AccountError(_("There must be at least one active administrator."))
        added, removed = user.set_roles(roles)
        if added or removed:
            audit.record("authz_change", user, actor=actor, fields=["roles"],
                         detail=f"+{','.join(sorted(added))} -{','.join(sorted(removed))}")
        if removed:
            ended = UserSession.revoke_all(user, "role_removed")
            if ended:
                audit.record("session_end", user, actor=actor, detail=f"role_removed:{ended}")


def deactivate(user: User, actor) -> None:
    with transaction():
        _serialise_admin_changes()
        if "admin" in user.role_names and user.is_active and User.active_admin_count() <= 1:
            raise AccountError(_("You cannot deactivate the last active administrator."))
        User.update(is_active=False).where(User.id == user.id).execute()
        UserSession.revoke_all(user, "deactivated")
        audit.record("user_deactivate", user, actor=actor, fields=["is_active"])


def reactivate(user: User, actor) -> None:
    with transaction():
        User.update(is_active=True).where(User.id == user.id).execute()
        audit.record("user_reactivate", user, actor=actor, fields=["is_active"])


def unlock(user: User, actor) -> None:
    with transaction():
        User.update(locked_at=None).where(User.id == user.id).execute()
        auth.clear_failures(user)
        audit.record("user_unlock", user, actor=actor, fields=["locked_at", "failed_logins"])


def reset_2fa(user: User, actor, reason: str) -> None:
    """Wipe factors, recovery codes and sessions; the user enrols again at next sign-in (SECURITY.md T9)."""
    from models.users import RecoveryCode

    with transaction():
        User.update(totp_secret=None, totp_pending=None, totp_enrolled_at=None, last_totp_timecode=None).where(
            User.id == user.id
        ).execute()
        RecoveryCode.delete().where(RecoveryCode.user == user).execute()
        UserSession.revoke_all(user, "2fa_reset")
        audit.record("mfa_reset", user, actor=actor, fields=["totp_secret", "recovery_codes"], detail=reason)
        mail.queue(user.email, _("Your two-step verification was reset"), "mail/mfa_reset", user=user)


def end_sessions(user: User, actor) -> int:
    with transaction():
        ended = UserSession.revoke_all(user, "admin_ended")
        audit.record("session_end", user, actor=actor, detail=f"admin:{ended}")
    return ended


def resend_activation(user: User, actor) -> None:
    if user.password_hash and user.totp_secret:
        raise AccountError(_("This account is already active."))
    with transaction():
        link = activation_link(user)
        audit.record("activation_link", user, actor=actor)
        mail.queue(user.email, _("Activate your Traza account"), "mail/activation", user=user, link=link)

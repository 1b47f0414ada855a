"""A forgotten password (SECURITY.md P5, P6, R3, S6): an emailed single-use link to choose a new one.

- Asked for on the sign-in page, or sent by an administrator from the person's page (who never chooses
  the password). The link carries 256 random bits; only its SHA-256 is stored; it works once and for 30
  minutes, and a newer link of the same person replaces the older ones.
- Asking answers the same whether or not the address has an account, with comparable work in the request:
  one transaction with its audit row (the mail is only queued; the outbox worker sends it, so no SMTP round
  trip shows in the answer). At most ``LINKS_PER_HOUR`` links per person and hour, so nobody can flood a
  mailbox; the per-IP limit of the sign-in applies on top.
- Choosing the new password ends every session of the person and tells them by email. The second factor is
  untouched: the person then signs in as always, with the new password and the authenticator's code.
"""

from datetime import timedelta

from flask_babel import force_locale
from flask_babel import gettext as _

from core import audit, auth, crypto, links, mail
from core.db import transaction, utcnow
from models.users import ActivationToken, PasswordResetToken, User, UserSession
from services.admin.accounts import AccountError

RESET_TTL = timedelta(minutes=30)
LINKS_PER_HOUR = 3


def _new_link(user: User) -> str:
    PasswordResetToken.retire_all(user)
    token = crypto.new_token()
    PasswordResetToken.create(token_hash=crypto.token_hash(token), user=user, expires_at=utcnow() + RESET_TTL)
    return links.absolute("auth.reset_password", token=token)


def _mail_link(user: User, link: str, by_admin: bool) -> None:
    with force_locale(user.locale):
        mail.queue(user.email, _("Choose a new password for Traza"), "mail/password_reset", user=user, link=link,
                   minutes=int(RESET_TTL.total_seconds() // 60), by_admin=by_admin)


def request_link(email: str) -> None:
    """Someone on the sign-in page forgot a password. Nothing here depends on the answer the person sees."""
    user = User.by_email(email)
    with transaction():
        if user is None:
            audit.record("password_reset_request", object_type="app_user", actor=None)
            return
        if not user.is_active:
            outcome = "inactive"
        elif PasswordResetToken.issued_since(user, utcnow() - timedelta(hours=1)) >= LINKS_PER_HOUR:
            outcome = "limit"
        else:
            outcome = "sent"
            _mail_link(user, _new_link(user), by_admin=False)
        audit.record("password_reset_request", user, actor=None, detail=outcome)


def send_link(user: User, actor: User) -> None:
    """The administrator's button on the person's page: the same link, audited with who sent it."""
    if not user.is_active:
        raise AccountError(_("This account is deactivated. Reactivate it first."))
    with transaction():
        _mail_link(user, _new_link(user), by_admin=True)
        audit.record("password_reset_link", user, actor=actor)


def complete(link: PasswordResetToken, password: str) -> bool:
    """Set the new password with the link; False when the link was used meanwhile (a double submit)."""
    password_hash = auth.hash_password(password)  # slow on purpose: outside the write transaction
    user = link.user
    with transaction():
        if not link.consume():
            return False
        user.set_password_hash(password_hash)
        PasswordResetToken.retire_all(user)
        # An activation link still unused would set a password too: the person has one now.
        ActivationToken.update(used_at=utcnow()).where(ActivationToken.user == user,
                                                       ActivationToken.used_at.is_null()).execute()
        ended = UserSession.revoke_all(user, "password_reset")
        auth.clear_password_failures(user)  # the old password's failures; the lock and code failures stay
        audit.record("password_reset", user, actor=user, fields=["password_hash"], detail=f"sessions:{ended}")
        with force_locale(user.locale):
            mail.queue(user.email, _("Your Traza password was changed"), "mail/password_changed", user=user,
                       when=utcnow())
    return True

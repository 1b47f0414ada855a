"""The sign-in steps as outcomes the views turn into pages (SECURITY.md P5, T1, T6–T8, R1, R2, S2).

password → (enrol |) code → active session. Each step's state lives in a server-side ``UserSession`` row
whose stage grants nothing until the second factor is done.
"""

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlparse

from flask import g
from flask_babel import gettext as _
from flask_babel import ngettext

from core import audit, auth, mail
from core.db import transaction, utcnow
from models.users import LoginThrottle, User, UserSession

MAX_CODE_FAILURES = 5


@dataclass
class Outcome:
    ok: bool
    message: str = ""
    restart: bool = False  # the challenge is over: back to the password step


def wait_message(wait: timedelta) -> str:
    minutes = int(wait.total_seconds() // 60)
    if minutes >= 1:
        return ngettext("Too many failed attempts. Try again in %(num)d minute.",
                        "Too many failed attempts. Try again in %(num)d minutes.", minutes + 1)
    seconds = max(1, int(wait.total_seconds()))
    return ngettext("Too many failed attempts. Try again in %(num)d second.",
                    "Too many failed attempts. Try again in %(num)d seconds.", seconds)


def safe_next(target: str | None) -> str | None:
    """Only same-site relative paths (SECURITY.md V4)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ord(ch) < 32 for ch in target):
        return None
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc:
        return None
    return target


def failed():
    """Mark this request as a failed attempt for the per-IP limiter, whatever its status code."""
    g.auth_failed = True


def password_step(email: str, password: str) -> Outcome:
    if wait := LoginThrottle.wait(email):
        # Known or unknown address alike, and with the same hashing work (SECURITY.md P5).
        auth.check_password(None, password)
        failed()
        return Outcome(False, wait_message(wait))
    user = User.by_email(email)
    if user is not None and user.is_locked:
        auth.check_password(None, password)
        with transaction():
            audit.record("login_locked", user, actor=None)
        failed()
        return Outcome(False, _("This account is locked after too many failed attempts. Ask an administrator to unlock it."))
    if not auth.check_password(user, password) or not user.is_active:
        with transaction():
            LoginThrottle.fail(email, auth.backoff)
            if user is not None:
                lock_notice(user, auth.register_login_failure(user))
            audit.record("login_fail", object_type="app_user", object_id=user.id if user else "", actor=None)
        failed()
        return Outcome(False, _("The email or the password is not correct."))
    with transaction():
        auth.clear_password_failures(user)  # code failures stay until the second factor succeeds
        stage = UserSession.STAGE_PASSWORD if user.has_totp else UserSession.STAGE_ENROL
        auth.start_session(user, stage)
        audit.record("login_password_ok", user, actor=user)
    return Outcome(True)


def lock_notice(user: User, locked_now: bool) -> None:
    """When a failure has just locked the account: audit it and tell the person by email."""
    if locked_now:
        audit.record("lockout", user, actor=None)
        mail.queue(user.email, _("Your Traza account was locked"), "mail/locked", user=user)


def _code_failure(row: UserSession, action: str) -> Outcome:
    user = row.user
    failed()
    with transaction():
        lock_notice(user, auth.register_otp_failure(user))
        UserSession.update(code_failures=UserSession.code_failures + 1).where(UserSession.id == row.id).execute()
        failures = UserSession.get_by_id(row.id).code_failures
        audit.record(action, user, actor=user)
        if failures >= MAX_CODE_FAILURES:
            auth.end_session("code_failures")
            return Outcome(False, _("Too many wrong codes. Enter your password again."), restart=True)
    return Outcome(False, _("The code is not correct or was already used. Try the current code."))


def code_step(code: str) -> Outcome:
    row = auth.pending_session()
    if row is None or row.stage != UserSession.STAGE_PASSWORD:
        return Outcome(False, _("Your verification expired. Sign in again."), restart=True)
    if wait := auth.otp_wait(row.user):
        return Outcome(False, wait_message(wait))
    if not auth.accept_totp(row.user, code):
        return _code_failure(row, "mfa_fail")
    _complete(row.user, "login_success")
    return Outcome(True)


def recovery_step(code: str) -> Outcome:
    row = auth.pending_session()
    if row is None or row.stage != UserSession.STAGE_PASSWORD:
        return Outcome(False, _("Your verification expired. Sign in again."), restart=True)
    if wait := auth.otp_wait(row.user):
        return Outcome(False, wait_message(wait))
    with transaction():
        used = auth.use_recovery_code(row.user, code)
        if used:
            audit.record("recovery_code_used", row.user, actor=row.user)
            mail.queue(row.user.email, _("A recovery code was used to sign in"), "mail/recovery_used", user=row.user,
                       remaining=auth.RecoveryCode.remaining(row.user))
    if not used:
        return _code_failure(row, "recovery_code_fail")
    _complete(row.user, "login_success")
    return Outcome(True)


def _complete(user: User, action: str) -> None:
    with transaction():
        auth.clear_failures(user)
        User.update(last_login_at=utcnow()).where(User.id == user.id).execute()
        auth.start_session(user, UserSession.STAGE_ACTIVE)
        audit.record(action, user, actor=user)


def enrolment_secret(user: User) -> str:
    """The seed being enrolled, kept encrypted on the server (never in the cookie, SECURITY.md T2)."""
    if user.totp_pending:
        return auth.open_totp(user, "totp_pending")
    secret = auth.new_totp_secret()
    user.totp_pending = auth.seal_totp(user, secret, "totp_pending")
    User.update(totp_pending=user.totp_pending).where(User.id == user.id).execute()
    return secret


def enrol(user: User, code: str) -> list[str] | None:
    """Activate the pending seed if the code matches it; returns the new recovery codes, shown once."""
    if not user.totp_pending:
        return None
    secret = auth.open_totp(user, "totp_pending")
    timecode = auth.matching_timecode(secret, code)
    if timecode is None:
        with transaction():
            audit.record("mfa_enrol_fail", user, actor=user)
        return None
    with transaction():
        User.update(
            totp_secret=auth.seal_totp(user, secret), totp_pending=None, totp_enrolled_at=utcnow(),
            last_totp_timecode=timecode,
        ).where(User.id == user.id).execute()
        codes = auth.new_recovery_codes(user)
        audit.record("mfa_enrol", user, actor=user, fields=["totp_secret", "recovery_codes"])
    return codes


def finish_enrolment(user: User) -> None:
    _complete(User.get_by_id(user.id), "login_success")



def recheck_password(user: User, password: str, action: str) -> str | None:
    """A signed-in person re-entering their password (confirmation, password change): the same
    throttling, counting and lock as at sign-in (SECURITY.md R1). None when it is right."""
    if wait := LoginThrottle.wait(user.email):
        failed()
        return wait_message(wait)
    if auth.check_password(user, password):
        return None
    failed()
    with transaction():
        LoginThrottle.fail(user.email, auth.backoff)
        locked = auth.register_login_failure(user)
        lock_notice(user, locked)
        audit.record(action, user, actor=user)
    if locked:
        auth.end_session("locked")
    return _("The password is not correct.")

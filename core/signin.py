"""The sign-in steps as outcomes the views turn into pages (SECURITY.md P5, T1, T6–T8, R1, R2, S2).

password → (enrol |) code → active session. Each step's state lives in a server-side ``UserSession`` row
whose stage grants nothing until the second factor is done.
"""

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlparse

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from core import audit, auth, mail
from core.db import transaction, utcnow
from models.users import User, UserSession

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


def password_step(email: str, password: str) -> Outcome:
    user = User.by_email(email)
    generic = _("The email or the password is not correct.")
    if user is not None and user.is_locked:
        with transaction():
            audit.record("login_locked", user, actor=None)
        return Outcome(False, _("This account is locked after too many failed attempts. Ask an administrator to unlock it."))
    if user is not None and (wait := auth.login_wait(user)):
        return Outcome(False, wait_message(wait))
    if not auth.check_password(user, password) or not user.is_active:
        with transaction():
            if user is not None:
                locked = auth.register_login_failure(user)
                if locked:
                    audit.record("lockout", user, actor=None)
                    mail.queue(user.email, _("Your Traza account was locked"), "mail/locked", user=user)
            audit.record("login_fail", object_type="app_user", object_id=user.id if user else "", actor=None)
        return Outcome(False, generic)
    with transaction():
        User.update(failed_logins=0, throttled_until=None).where(User.id == user.id).execute()
        stage = UserSession.STAGE_PASSWORD if user.has_totp else UserSession.STAGE_ENROL
        auth.start_session(user, stage)
        audit.record("login_password_ok", user, actor=user)
    return Outcome(True)


def _code_failure(row: UserSession, action: str) -> Outcome:
    user = row.user
    with transaction():
        auth.register_otp_failure(user)
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


def home_url() -> str:
    return url_for("home.index")


def challenge_ttl() -> timedelta:
    return current_app.config["LOGIN_CHALLENGE_TTL"]

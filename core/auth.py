"""Authentication: passwords, TOTP, recovery codes, server-side sessions and throttling.

SECURITY.md P, T, S and R. The Flask cookie holds only the opaque session id (and the CSRF token);
everything else is a ``UserSession`` row, checked on every request.
"""

import hashlib
import secrets
import unicodedata
from datetime import timedelta

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app, g, request, session
from flask_login import AnonymousUserMixin, LoginManager

from core import crypto
from core.db import Prepared, utcnow
from models.users import LoginThrottle, RecoveryCode, User, UserSession

login_manager = LoginManager()
login_manager.session_protection = None  # our own server-side sessions bind and revoke


class Anonymous(AnonymousUserMixin):
    role_names: list[str] = []
    locale = None


login_manager.anonymous_user = Anonymous

# Argon2id (SECURITY.md P4): argon2-cffi defaults in production; cheap parameters for tests only.
_HASHERS = {
    "default": PasswordHasher(),
    "fast": PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1),
}
# Recovery codes have 80 bits: a low-cost Argon2id is what ASVS asks below 112 bits (SECURITY.md T8).
_CODE_HASHERS = {
    "default": PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1),
    "fast": PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1),
}


def _hasher():
    return _HASHERS[current_app.config["ARGON2_PROFILE"]]


def normalise_password(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


def hash_password(password: str) -> str:
    return _hasher().hash(normalise_password(password))


_DUMMY = {}


def check_password(user: User | None, password: str) -> bool:
    """Constant work whether or not the account exists (SECURITY.md P5); rehash outdated parameters."""
    hasher = _hasher()
    if user is None or not user.password_hash:
        profile = current_app.config["ARGON2_PROFILE"]
        _DUMMY.setdefault(profile, hasher.hash("traza-dummy-password"))
        try:
            hasher.verify(_DUMMY[profile], normalise_password(password))
        except VerificationError:
            pass
        return False
    try:
        hasher.verify(user.password_hash, normalise_password(password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(user.password_hash):
        User.update(password_hash=hash_password(password)).where(User.id == user.id).execute()
    return True


# ----- TOTP (SECURITY.md T2–T6) -----

TOTP_ISSUER = "Traza"


def new_totp_secret() -> str:
    return pyotp.random_base32()  # 32 base32 characters = 160 bits


def seal_totp(user: User, secret: str, column: str = "totp_secret") -> str:
    return crypto.keys.totp.encrypt(secret, f"app_user|{column}|{user.id}")


def open_totp(user: User, column: str = "totp_secret") -> str:
    return crypto.keys.totp.decrypt(getattr(user, column), f"app_user|{column}|{user.id}")


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=TOTP_ISSUER)


def grouped_key(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def matching_timecode(secret: str, code: str) -> int | None:
    """The time step the code belongs to (±1 step around now), or None."""
    code = "".join(code.split())
    if len(code) != 6 or not code.isdigit():
        return None
    try:
        return pyotp.TOTP(secret).verify_and_get_timecode(code, valid_window=1)
    except pyotp.exceptions.OTPVerificationError:
        return None


def accept_totp(user: User, code: str) -> bool:
    """True once per time step: the conditional update makes replays and races fail (SECURITY.md T6)."""
    if not user.has_totp:
        return False
    timecode = matching_timecode(open_totp(user), code)
    if timecode is None:
        return False
    claimed = (
        User.update(last_totp_timecode=timecode)
        .where(User.id == user.id, (User.last_totp_timecode.is_null()) | (User.last_totp_timecode < timecode))
        .execute()
    )
    return claimed == 1


# ----- Recovery codes (SECURITY.md T8) -----

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RECOVERY_CODE_COUNT = 10


def _code_hasher():
    return _CODE_HASHERS[current_app.config["ARGON2_PROFILE"]]


def normalise_code(code: str) -> str:
    code = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    return code.translate(str.maketrans("OIL", "011"))


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's codes with 10 new ones of 80 bits; return them once, formatted."""
    codes = ["".join(secrets.choice(_CROCKFORD) for _ in range(16)) for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.delete().where(RecoveryCode.user == user).execute()
    hasher = _code_hasher()
    RecoveryCode.insert_many([{"user": user, "code_hash": hasher.hash(c)} for c in codes]).execute()
    return ["-".join(c[i : i + 4] for i in range(0, 16, 4)) for c in codes]


def use_recovery_code(user: User, code: str) -> bool:
    code = normalise_code(code)
    if len(code) != 16:
        return False
    hasher = _code_hasher()
    # Materialise first: an open read cursor in SQLite cannot upgrade to the write below.
    for row in list(RecoveryCode.select().where(RecoveryCode.user == user)):
        try:
            hasher.verify(row.code_hash, code)
        except (VerificationError, InvalidHashError):
            continue
        # Deleting is the single use: exactly one concurrent caller sees a row go.
        return RecoveryCode.delete().where(RecoveryCode.id == row.id).execute() == 1
    return False


# ----- Throttling (SECURITY.md R1, R2) -----

FREE_FAILURES = 5
HARD_LOCK_AT = 50


def backoff(failures: int) -> timedelta:
    """No delay for the first 5 failures, then 30 s doubling up to 1 h."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    return min(timedelta(seconds=30 * 2 ** min(failures - FREE_FAILURES, 8)), timedelta(hours=1))


def _remaining(until) -> timedelta | None:
    return until - utcnow() if until is not None and until > utcnow() else None


def otp_wait(user: User) -> timedelta | None:
    return _remaining(user.otp_throttled_until)


def register_login_failure(user: User) -> bool:
    """Count a wrong password against the account; True when this failure locked it (at 50)."""
    User.update(failed_logins=User.failed_logins + 1).where(User.id == user.id).execute()
    return _lock_if_over(user, User.get_by_id(user.id).failed_logins)


def register_otp_failure(user: User) -> bool:
    """Count a wrong code: back-off after 5, lock at 50 (SECURITY.md R2); True when this locked it."""
    User.update(otp_failures=User.otp_failures + 1).where(User.id == user.id).execute()
    failures = User.get_by_id(user.id).otp_failures
    if failures >= FREE_FAILURES:
        User.update(otp_throttled_until=utcnow() + backoff(failures)).where(User.id == user.id).execute()
    return _lock_if_over(user, failures)


def _lock_if_over(user: User, failures: int) -> bool:
    if failures < HARD_LOCK_AT:
        return False
    locked = User.update(locked_at=utcnow()).where(User.id == user.id, User.locked_at.is_null()).execute() == 1
    if locked:
        UserSession.revoke_all(user, "locked")
    return locked


def clear_password_failures(user: User) -> None:
    LoginThrottle.clear(user.email)
    User.update(failed_logins=0).where(User.id == user.id).execute()


def clear_failures(user: User) -> None:
    clear_password_failures(user)
    User.update(otp_failures=0, otp_throttled_until=None).where(User.id == user.id).execute()


# ----- Sessions (SECURITY.md S1–S7) -----


def _sid_hash(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


def start_session(user: User, stage: str) -> UserSession:
    """A fresh session id for a new stage; the previous one is revoked and pre-login keys dropped (S2)."""
    previous = current_session()
    if previous is not None:
        previous.revoke("regenerated")
    sid = secrets.token_urlsafe(32)
    ttl = current_app.config["LOGIN_CHALLENGE_TTL"] if stage != UserSession.STAGE_ACTIVE else current_app.config["SESSION_ABSOLUTE"]
    row = UserSession.create(
        sid_hash=_sid_hash(sid),
        user=user,
        stage=stage,
        expires_at=utcnow() + ttl,
        ip=request.remote_addr or "",
        user_agent=(request.user_agent.string or "")[:255],
    )
    session.clear()
    session["sid"] = sid
    g.user_session = row
    return row


# The session row and its person, by the cookie's hash, on every request: the statement is built once (peewee took
# longer building this select of two wide tables than SQLite took running it).
_SESSION_BY_HASH = Prepared(lambda sid_hash: UserSession.select(UserSession, User).join(User)
                            .where(UserSession.sid_hash == sid_hash).limit(1), "\x00sid-hash-sample")


def current_session() -> UserSession | None:
    """The live session row for this request's cookie (any stage), or None."""
    if "user_session" in g:
        return g.user_session
    sid = session.get("sid")
    row = None
    if sid:
        rows = _SESSION_BY_HASH(_sid_hash(sid))
        row = rows[0] if rows else None
        if row is not None and not _alive(row):
            row = None
    g.user_session = row
    return row


def _alive(row: UserSession) -> bool:
    now = utcnow()
    if row.revoked_at is not None or row.expires_at <= now or not row.user.is_active:
        return False
    if row.stage == UserSession.STAGE_ACTIVE and now - row.last_seen > current_app.config["SESSION_IDLE"]:
        row.revoke("idle")
        return False
    return True


def end_session(reason: str) -> None:
    row = current_session()
    if row is not None:
        row.revoke(reason)
    session.clear()
    g.user_session = None


def touch(row: UserSession) -> None:
    """Record activity at most once a minute (keeps writes off most requests)."""
    if utcnow() - row.last_seen > timedelta(minutes=1):
        UserSession.update(last_seen=utcnow()).where(UserSession.id == row.id).execute()
        row.last_seen = utcnow()


def mark_fresh(row: UserSession) -> None:
    UserSession.update(authenticated_at=utcnow()).where(UserSession.id == row.id).execute()
    row.authenticated_at = utcnow()


def reset_request_state():
    """Per-request caches must not outlive the request, even where an app context is shared."""
    g.pop("user_session", None)


@login_manager.request_loader
def _load_user_from_session(_request):
    row = current_session()
    if row is None or row.stage != UserSession.STAGE_ACTIVE:
        return None
    touch(row)
    return row.user


def pending_session() -> UserSession | None:
    """The session of a sign-in that still owes its second factor or its enrolment."""
    row = current_session()
    if row is None or row.stage == UserSession.STAGE_ACTIVE:
        return None
    return row


def fresh_required(view):
    """Sensitive actions need a password confirmation within the last 10 minutes (SECURITY.md S7)."""
    from functools import wraps

    from flask import flash, url_for
    from flask_babel import gettext as _

    from core.htmx import redirect_page

    @wraps(view)
    def wrapped(*args, **kwargs):
        row = current_session()
        if row is None or not row.is_fresh(current_app.config["SESSION_FRESH"]):
            back = request.path if request.method == "GET" else _same_site_path(request.referrer)
            flash(_("Confirm your password to continue."), "info")
            return redirect_page(url_for("auth.confirm", next=back))
        return view(*args, **kwargs)

    return wrapped


def _same_site_path(url: str | None) -> str | None:
    from urllib.parse import urlparse

    if not url:
        return None
    parsed = urlparse(url)
    if parsed.netloc and parsed.netloc != request.host:
        return None
    return parsed.path or None


def touch_now(row: UserSession) -> None:
    UserSession.update(last_seen=utcnow()).where(UserSession.id == row.id).execute()
    row.last_seen = utcnow()

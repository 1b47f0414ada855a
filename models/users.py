"""Staff accounts, their roles, server-side sessions, recovery codes and activation links."""

from datetime import datetime, timedelta

from peewee import (
    SQL,
    BigIntegerField,
    BooleanField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    fn,
)
from peewee import Case as SqlCase

from core.db import BaseModel, Prepared, count, utcnow


class User(BaseModel):
    email = CharField(max_length=254, unique=True)
    name = CharField(max_length=120)
    password_hash = CharField(max_length=255, null=True)
    is_active = BooleanField(default=True)
    locale = CharField(max_length=5, default="es")
    supervisor = ForeignKeyField("self", null=True, backref="reports", on_delete="SET NULL")
    # TOTP seed and the seed being enrolled, both encrypted with the TOTP key (SECURITY.md T2, T4).
    totp_secret = CharField(max_length=255, null=True)
    totp_pending = CharField(max_length=255, null=True)
    totp_enrolled_at = DateTimeField(null=True)
    last_totp_timecode = BigIntegerField(null=True)
    # Throttling (SECURITY.md R1, R2).
    failed_logins = IntegerField(default=0)  # consecutive, for this account: locks at 50
    locked_at = DateTimeField(null=True)
    otp_failures = IntegerField(default=0)
    otp_throttled_until = DateTimeField(null=True)
    last_login_at = DateTimeField(null=True)

    class Meta:
        table_name = "app_user"

    # Flask-Login protocol (the user object; the session itself lives in UserSession).
    @property
    def is_authenticated(self):
        return True

    @property
    def is_anonymous(self):
        return False

    def get_id(self):
        return str(self.id)

    @property
    def display_name(self):
        return self.name or self.email

    @classmethod
    def shown(cls, source=None) -> tuple:
        """The columns a page shows of a person joined to its rows (the author, the responsible): id, name, e-mail
        (``display_name``) and whether the account is active. Joins take these instead of the whole row, so a
        list does not load every author's password hash and sealed TOTP seed, nor pay peewee to build them;
        ``source`` is an alias of User when the statement joins it twice."""
        source = source or cls
        return source.id, source.name, source.email, source.is_active

    @property
    def is_locked(self):
        return self.locked_at is not None

    @property
    def has_totp(self):
        return self.totp_secret is not None

    @property
    def role_names(self) -> list[str]:
        if not hasattr(self, "_roles"):
            self._roles = sorted(r.role for r in _ROLES_OF(self.id))
        return self._roles

    @classmethod
    def by_email(cls, email: str):
        return cls.get_or_none(cls.email == normalise_email(email))

    @classmethod
    def search(cls, q: str = "", role: str = "", status: str = ""):
        """The accounts list: what it shows of each account and what its state is read from."""
        query = cls.select(cls.id, cls.name, cls.email, cls.is_active, cls.locked_at, cls.password_hash,
                           cls.totp_secret, cls.last_login_at).order_by(cls.name, cls.id)
        if q:
            term = q.strip().lower()
            # contains() is ILIKE on PostgreSQL and LIKE on SQLite, both already blind to case: a LOWER() around the
            # name made each of the two scans (the page and its count) read every name through a function.
            query = query.where(cls.name.contains(term) | cls.email.contains(term))
        if role:
            query = query.where(cls.id.in_(UserRole.select(UserRole.user).where(UserRole.role == role)))
        if status == "active":
            query = query.where(cls.is_active == True)  # noqa: E712
        elif status == "inactive":
            query = query.where(cls.is_active == False)  # noqa: E712
        elif status == "locked":
            query = query.where(cls.locked_at.is_null(False))
        return query

    @classmethod
    def active_admin_count(cls) -> int:
        return count(
            cls.select()
            .join(UserRole, on=(UserRole.user == cls.id))
            .where(UserRole.role == "admin", cls.is_active == True)  # noqa: E712
        )

    @classmethod
    def roles_for(cls, users) -> dict[int, list[str]]:
        """Roles of many users in one query (lists stay constant in queries); a page's worth (up to ``PAGE_IDS``)
        through a statement prepared once per number of accounts, as the accounts list asks on every view."""
        ids = [u.id for u in users]
        out: dict[int, list[str]] = {i: [] for i in ids}
        if not ids:
            return out
        if len(ids) > PAGE_IDS:
            rows = _roles_of(ids)
        else:
            prepared = _ROLES_OF_MANY.get(len(ids))
            if prepared is None:
                prepared = _ROLES_OF_MANY[len(ids)] = Prepared(lambda *some: _roles_of(list(some)),
                                                          *(-7_701_000 - i for i in range(len(ids))))
            rows = prepared(*ids)
        for row in rows:
            out[row.user_id].append(row.role)
        return out

    @classmethod
    def listed(cls, offset: int, size: int) -> list:
        """``size`` accounts from ``offset``, as ``search()`` unfiltered lists them (one prepared query: the
        accounts list as it opens)."""
        return _ACCOUNTS_PAGE(size, offset)

    @classmethod
    def count_all(cls) -> int:
        """Every account (one prepared query)."""
        return int(_ACCOUNTS_COUNT()[0][0])

    @classmethod
    def admin_summary(cls) -> dict:
        """Active, locked and not yet set-up accounts: one pass over the staff (three counts read it three times)."""
        [(users, locked, pending)] = _ADMIN_SUMMARY()
        return {"users": int(users or 0), "locked": int(locked or 0), "pending": int(pending or 0)}

    @classmethod
    def supervisor_choices(cls, user):
        return (cls.select(cls.id, cls.name, cls.email)
                .where(cls.id != user.id, cls.is_active == True).order_by(cls.name))  # noqa: E712

    def set_password_hash(self, password_hash: str) -> None:
        type(self).update(password_hash=password_hash).where(type(self).id == self.id).execute()
        self.password_hash = password_hash

    def set_locale(self, locale: str) -> None:
        type(self).update(locale=locale).where(type(self).id == self.id).execute()
        self.locale = locale

    def set_supervisor(self, supervisor_id) -> None:
        type(self).update(supervisor=supervisor_id).where(type(self).id == self.id).execute()
        self.supervisor_id = supervisor_id

    def set_roles(self, roles) -> tuple[set, set]:
        current = set(self.role_names)
        wanted = set(roles)
        added, removed = wanted - current, current - wanted
        if removed:
            UserRole.delete().where(UserRole.user == self, UserRole.role.in_(sorted(removed))).execute()
        for role in sorted(added):
            UserRole.create(user=self, role=role)
        self._roles = sorted(wanted)
        return added, removed


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


class LoginThrottle(BaseModel):
    """Failed sign-ins per email address, known or not, so a throttled account and an unknown address
    answer alike (SECURITY.md P5, R1). The key is a keyed hash of the address, not the address."""

    key = CharField(max_length=64, unique=True)
    failures = IntegerField(default=0)
    until = DateTimeField(null=True)

    @staticmethod
    def key_for(email: str) -> str:
        from core import crypto

        return crypto.blind_index(normalise_email(email), "login")

    @classmethod
    def wait(cls, email: str):
        row = cls.get_or_none(cls.key == cls.key_for(email))
        if row is not None and row.until is not None and row.until > utcnow():
            return row.until - utcnow()
        return None

    @classmethod
    def fail(cls, email: str, backoff) -> int:
        key = cls.key_for(email)
        cls.insert(key=key).on_conflict_ignore().execute()
        cls.update(failures=cls.failures + 1).where(cls.key == key).execute()
        failures = cls.get(cls.key == key).failures
        delay = backoff(failures)
        cls.update(until=utcnow() + delay if delay else None).where(cls.key == key).execute()
        return failures

    @classmethod
    def clear(cls, email: str) -> None:
        cls.delete().where(cls.key == cls.key_for(email)).execute()


class UserRole(BaseModel):
    user = ForeignKeyField(User, backref="roles", on_delete="CASCADE")
    role = CharField(max_length=32)

    class Meta:
        indexes = ((("user", "role"), True),)


# A signed-in request reads its person's roles: the statement is built once (core.db.Prepared).
_ROLES_OF = Prepared(lambda user_id: UserRole.select(UserRole.role).where(UserRole.user == user_id), -7_700_001)


def _how_many(condition):
    return fn.COALESCE(fn.SUM(SqlCase(None, [(condition, 1)], 0)), 0)


PAGE_IDS = 100  # the most accounts whose roles are read with a statement prepared for their number


def _roles_of(ids):
    return UserRole.select(UserRole.user, UserRole.role).where(UserRole.user.in_(ids)).order_by(UserRole.role)


_ROLES_OF_MANY: dict[int, Prepared] = {}  # by how many accounts
# The accounts list as it opens: its count and its page.
_ACCOUNTS_COUNT = Prepared(lambda: User.select(fn.COUNT(SQL("*"))).tuples())
_ACCOUNTS_PAGE = Prepared(lambda limit, offset: User.search().limit(limit).offset(offset), -7_701_201, -7_701_202)
# The start page's figures, read on every visit to it, are built once too.
_ADMIN_SUMMARY = Prepared(lambda: User.select(
    _how_many(User.is_active == True),  # noqa: E712
    _how_many(User.locked_at.is_null(False)),
    _how_many(User.password_hash.is_null() | User.totp_secret.is_null())).tuples())


class UserSession(BaseModel):
    """One sign-in. The cookie carries only the random id; its SHA-256 is stored here (SECURITY.md S1)."""

    STAGE_PASSWORD = "password"  # noqa: S105 — password accepted, second factor pending: grants nothing
    STAGE_ENROL = "enrol"  # password accepted, authenticator to be enrolled: grants nothing else
    STAGE_ACTIVE = "active"

    sid_hash = CharField(max_length=64, unique=True)
    user = ForeignKeyField(User, backref="sessions", on_delete="CASCADE")
    stage = CharField(max_length=16)
    last_seen = DateTimeField(default=utcnow)
    expires_at = DateTimeField()
    authenticated_at = DateTimeField(default=utcnow)
    revoked_at = DateTimeField(null=True)
    end_reason = CharField(max_length=32, null=True)
    code_failures = IntegerField(default=0)
    ip = CharField(max_length=45, default="")
    user_agent = CharField(max_length=255, default="")

    @classmethod
    def live_count(cls, user) -> int:
        """How many sessions of this person are signed in now (the start page's figure)."""
        return _LIVE_COUNT(user.id, utcnow())[0][0]

    @classmethod
    def live_for(cls, user) -> list:
        """This person's sessions signed in now, the latest active first."""
        return _LIVE_SESSIONS(getattr(user, "id", user), utcnow())

    @classmethod
    def revoke_all(cls, user, reason: str, except_id=None) -> int:
        query = cls.update(revoked_at=utcnow(), end_reason=reason).where(cls.user == user, cls.revoked_at.is_null())
        if except_id is not None:
            query = query.where(cls.id != except_id)
        return query.execute()

    def revoke(self, reason: str) -> None:
        type(self).update(revoked_at=utcnow(), end_reason=reason).where(type(self).id == self.id).execute()
        self.revoked_at = utcnow()

    def is_fresh(self, window: timedelta) -> bool:
        return utcnow() - self.authenticated_at <= window


class RecoveryCode(BaseModel):
    """A single-use recovery code, stored as an Argon2id hash (SECURITY.md T8)."""

    user = ForeignKeyField(User, backref="recovery_codes", on_delete="CASCADE")
    code_hash = CharField(max_length=255)

    @classmethod
    def remaining(cls, user) -> int:
        return _CODES_LEFT(getattr(user, "id", user))[0][0]


_LIVE_COUNT = Prepared(lambda user_id, now: UserSession.select(fn.COUNT(SQL("*"))).where(
    UserSession.user == user_id, UserSession.revoked_at.is_null(), UserSession.stage == UserSession.STAGE_ACTIVE,
    UserSession.expires_at > now).tuples(), -7_700_002, datetime(1900, 1, 2, 3, 4, 5))
_LIVE_SESSIONS = Prepared(lambda user_id, now: UserSession.select().where(
    UserSession.user == user_id, UserSession.revoked_at.is_null(), UserSession.stage == UserSession.STAGE_ACTIVE,
    UserSession.expires_at > now).order_by(UserSession.last_seen.desc()), -7_700_004, datetime(1900, 1, 2, 3, 4, 7))
_CODES_LEFT = Prepared(lambda user_id: RecoveryCode.select(fn.COUNT(SQL("*"))).where(RecoveryCode.user == user_id)
                       .tuples(), -7_700_003)


class _SingleUseLink(BaseModel):
    """A link sent by email: only the SHA-256 of its token is stored; it expires and works once."""

    token_hash = CharField(max_length=64, unique=True)
    expires_at = DateTimeField()
    used_at = DateTimeField(null=True)

    def consume(self) -> bool:
        """Atomically mark as used: True for exactly one caller."""
        cls = type(self)
        return cls.update(used_at=utcnow()).where(cls.id == self.id, cls.used_at.is_null()).execute() == 1


class ActivationToken(_SingleUseLink):
    """Single-use link to set a password and enrol 2FA (SECURITY.md P5, P6)."""

    user = ForeignKeyField(User, backref="activation_tokens", on_delete="CASCADE")

    @classmethod
    def valid(cls, token_hash: str):
        return cls.get_or_none(cls.token_hash == token_hash, cls.used_at.is_null(), cls.expires_at > utcnow())


class PasswordResetToken(_SingleUseLink):
    """Single-use link to choose a new password (SECURITY.md P6): it lasts 30 minutes, and a newer link of
    the same person replaces it. It never touches the second factor."""

    user = ForeignKeyField(User, backref="reset_tokens", on_delete="CASCADE")

    @classmethod
    def valid(cls, token_hash: str):
        return (cls.select(cls, User).join(User)
                .where(cls.token_hash == token_hash, cls.used_at.is_null(), cls.expires_at > utcnow(),
                       User.is_active == True)  # noqa: E712
                .first())

    @classmethod
    def issued_since(cls, user, since) -> int:
        return count(cls.select().where(cls.user == user, cls.created_at > since))

    @classmethod
    def retire_all(cls, user) -> int:
        """Earlier unused links of the person stop working."""
        return cls.update(used_at=utcnow()).where(cls.user == user, cls.used_at.is_null()).execute()

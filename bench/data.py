"""The benchmark firm: a seeded generator registry, bulk inserts, and the cached database file.

The database is built by the real migrations, then each registered generator fills its tables with
``insert_many`` in chunks, many chunks per transaction. The result is cached per scale in
``bench/.cache/bench-<scale>.db`` next to a ``.json`` sidecar (fingerprint, sizes, row counts, build
time); a run works on a fresh copy so it never mutates the cache. The cache is rebuilt when the
migrations, the generators' code, the sizes or the seed change (or with ``BENCH_REBUILD=1``).

Only the bulk is generated here. The accounts the benchmark signs in with (one per role,
``bench.<role>@bench.traza.test``) get their real password hash and TOTP seed on the working copy at run
time (``bench.run``), sealed with that run's keys.
"""

import base64
import hashlib
import inspect
import json
import os
import shutil
import sqlite3
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice
from pathlib import Path

from argon2 import PasswordHasher
from faker import Faker

from core import migrate
from core.db import close_all, db, init_database, utcnow
from core.guard import ROLES
from models.audit import AuditEvent
from models.users import RecoveryCode, User, UserRole, UserSession

BENCH_DIR = Path(__file__).resolve().parent
CACHE_DIR = BENCH_DIR / ".cache"
SEED = 82026
FIRM_DOMAIN = "duarte-asociados.com.co"
BENCH_DOMAIN = "bench.traza.test"
HISTORY_DAYS = 730  # the audit log and sessions span two years

# Full sizes (BENCH_SCALE multiplies them). Keys without a generator are the sizes DESIGN.md §8 sets
# for features not built yet: their generators register under these names when the models exist.
SIZES: dict[str, int] = {
    "users": 2_000,  # staff accounts, with roles and recovery codes
    "user_sessions": 20_000,  # past sign-ins: ended, idle or expired
    "audit_events": 1_000_000,
    "clients": 100_000,
    "cases": 300_000,
    "interactions": 1_000_000,
    "documents": 200_000,
    "survey_responses": 50_000,
    "complaints": 20_000,
}

Generator = Callable[[object, Faker, dict[str, int]], None]
GENERATORS: list[tuple[str, Generator]] = []


def generator(name: str):
    """Register ``fn(db, fake, sizes)``; generators run in registration order."""

    def decorator(fn: Generator) -> Generator:
        if any(existing == name for existing, _fn in GENERATORS):
            raise ValueError(f"generator already registered: {name}")
        GENERATORS.append((name, fn))
        return fn

    return decorator


# ----- sizes and scale -----


def scale_from_env() -> float:
    raw = os.environ.get("BENCH_SCALE", "1.0")
    try:
        scale = float(raw)
    except ValueError:
        raise SystemExit(f"BENCH_SCALE must be a number, got {raw!r}") from None
    if not 0 < scale <= 100:
        raise SystemExit(f"BENCH_SCALE must be in (0, 100], got {raw!r}")
    return scale


def scaled_sizes(scale: float) -> dict[str, int]:
    sizes = {key: max(1, round(value * scale)) for key, value in SIZES.items()}
    sizes["users"] = max(sizes["users"], 2 * len(ROLES))  # at least the sign-in accounts and some staff
    return sizes


def scale_label(scale: float) -> str:
    return f"{scale:g}"


def bench_email(role: str) -> str:
    return f"bench.{role}@{BENCH_DOMAIN}"


# ----- the cached database -----


@dataclass
class Dataset:
    path: Path  # the cached, read-only file
    scale: float
    sizes: dict[str, int]
    counts: dict[str, int]  # rows per table after generation
    build_seconds: float
    steps: dict[str, float]  # seconds per generator (and "migrations")
    built_now: bool


def fingerprint(sizes: dict[str, int]) -> str:
    digest = hashlib.sha256()
    digest.update(json.dumps({"seed": SEED, "sizes": sizes}, sort_keys=True).encode())
    for path in sorted(Path(migrate.DIRECTORY).glob("*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    for name, fn in GENERATORS:
        digest.update(name.encode() + inspect.getsource(fn).encode())
    digest.update(inspect.getsource(bulk_insert).encode())
    return digest.hexdigest()[:16]


def ensure_dataset(scale: float, rebuild: bool = False, log=print) -> Dataset:
    """Return the cached database for this scale, generating it first when absent or stale."""
    sizes = scaled_sizes(scale)
    label = scale_label(scale)
    path = CACHE_DIR / f"bench-{label}.db"
    meta_path = path.with_suffix(".json")
    wanted = fingerprint(sizes)
    if not rebuild and path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if meta.get("fingerprint") == wanted:
            log(f"reusing {path.relative_to(BENCH_DIR.parent)} (built {meta['built_at']}, {meta['build_seconds']:.0f} s)")
            return Dataset(path, scale, sizes, meta["counts"], meta["build_seconds"], meta["steps"], False)
        log(f"{path.name} is stale (migrations, generators or sizes changed): rebuilding")
    seconds, steps, counts = _build(path, sizes, log)
    meta = {
        "fingerprint": wanted,
        "scale": scale,
        "sizes": sizes,
        "counts": counts,
        "build_seconds": seconds,
        "steps": steps,
        "built_at": utcnow().strftime("%Y-%m-%d %H:%M UTC"),
    }
    meta_path.write_text(json.dumps(meta, indent=2) + "\n")
    return Dataset(path, scale, sizes, counts, seconds, steps, True)


def working_copy(dataset: Dataset) -> Path:
    """A fresh copy of the cached file for this run (the cache itself is never opened for writing);
    ``remove_db()`` it when done."""
    work = CACHE_DIR / f"work-{scale_label(dataset.scale)}-{os.getpid()}.db"
    remove_db(work)
    shutil.copyfile(dataset.path, work)
    return work


def remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _build(path: Path, sizes: dict[str, int], log) -> tuple[float, dict[str, float], dict[str, int]]:
    CACHE_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    remove_db(tmp)
    started = time.perf_counter()
    steps: dict[str, float] = {}
    init_database(f"sqlite:///{tmp}")
    try:
        with db.connection_context():
            migrate.runner().up()
        steps["migrations"] = time.perf_counter() - started
        db.connect()
        db.execute_sql("PRAGMA synchronous = OFF")  # a throwaway file until renamed: durability is moot
        db.execute_sql("PRAGMA cache_size = -200000")
        fake = Faker("es_CO")
        fake.seed_instance(SEED)
        for name, fn in GENERATORS:
            t0 = time.perf_counter()
            log(f"generating {name}…")
            fn(db, fake, sizes)
            steps[name] = time.perf_counter() - t0
            log(f"  {name}: {steps[name]:.1f} s")
        counts = {table: db.execute_sql(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] for table in db.get_tables()}
        db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        db.close()
    finally:
        close_all()
    remove_db(path)
    tmp.rename(path)
    remove_db(tmp)
    seconds = time.perf_counter() - started
    log(f"built {path.name} in {seconds:.1f} s")
    return seconds, steps, counts


# ----- bulk inserts -----


def _chunks(rows: Iterable, size: int) -> Iterator[list]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def _max_variables() -> int:
    connection = db.connection()
    if isinstance(connection, sqlite3.Connection):
        return connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return 32_000


def bulk_insert(model, fields: list, rows: Iterable[tuple], chunks_per_transaction: int = 50) -> int:
    """insert_many in chunks as large as the bound-parameter limit allows, many chunks per transaction."""
    size = max(1, min(1_000, _max_variables() // len(fields)))
    batches = _chunks(rows, size)
    total = 0
    while True:
        done = 0
        with db.atomic():
            for batch in islice(batches, chunks_per_transaction):
                model.insert_many(batch, fields=fields).as_rowcount().execute()
                total += len(batch)
                done += 1
        if done < chunks_per_transaction:
            return total


# ----- shared helpers for generators -----


def anchor() -> datetime:
    """"Now" for generated data: the start of the current hour, so a build is stable within it."""
    return utcnow().replace(minute=0, second=0, microsecond=0)


def hex_digits(rnd, chars: int) -> str:
    return f"{rnd.getrandbits(chars * 4):0{chars}x}"


def fake_sealed(rnd, plaintext_bytes: int) -> str:
    """Looks like core.crypto's ``v1.<kid>.<b64(nonce ‖ ct+tag)>``; decrypts to nothing."""
    blob = rnd.randbytes(12 + plaintext_bytes + 16)
    return f"v1.{hex_digits(rnd, 8)}.{base64.urlsafe_b64encode(blob).decode()}"


def ascii_slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "".join(ch for ch in folded if ch.isalnum())


# An office's browsers (Faker's user agents span decades of oddities).
USER_AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36 Edg/140.0.0.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:144.0) Gecko/20100101 Firefox/144.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.6 Safari/605.1.15",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0.0.0 Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/139.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.6 Mobile/15E148 Safari/604.1",
]


def timecode(moment: datetime) -> int:
    return int((moment - datetime(1970, 1, 1)).total_seconds()) // 30


# ----- generators for today's models -----

# Primary role weights of the firm's staff; ~15 % have a second role.
ROLE_WEIGHTS = {"admin": 1, "management": 4, "commercial": 28, "operations": 36, "service": 25, "quality": 6}


@generator("users")
def generate_users(database, fake: Faker, sizes: dict[str, int]) -> None:
    rnd = fake.random
    now = anchor()
    password_hash = PasswordHasher().hash(fake.password(length=20))  # one real hash at production cost
    roles, weights = list(ROLE_WEIGHTS), list(ROLE_WEIGHTS.values())
    emails: set[str] = set()
    people = []  # (row, roles)
    for i in range(sizes["users"]):
        name = fake.name()[:120]
        if i < len(ROLES):
            role = list(ROLES)[i]
            email, user_roles, state = bench_email(role), [role], "active"
        else:
            parts = name.split()
            surname = parts[2] if len(parts) >= 4 else parts[-1]  # first surname of "Nombre Nombre Apellido Apellido"
            base = f"{ascii_slug(parts[0])}.{ascii_slug(surname)}"
            email, n = f"{base}@{FIRM_DOMAIN}", 1
            while email in emails:
                n += 1
                email = f"{base}{n}@{FIRM_DOMAIN}"
            user_roles = [rnd.choices(roles, weights)[0]]
            if rnd.random() < 0.15:
                second = rnd.choices(roles, weights)[0]
                if second not in user_roles:
                    user_roles.append(second)
            draw = rnd.random()
            state = "pending" if draw < 0.02 else "inactive" if draw < 0.05 else "locked" if draw < 0.055 else "active"
        emails.add(email)
        created = now - timedelta(days=rnd.uniform(20, 6 * 365))
        enrolled = created + timedelta(hours=rnd.uniform(1, 72))
        last_login = None if state == "pending" else now - timedelta(minutes=rnd.uniform(10, 60 * 24 * 40))
        if state == "inactive":
            last_login = now - timedelta(days=rnd.uniform(60, 500))
        pending = state == "pending"
        row = (
            created,
            max(created, last_login or created),
            email,
            name,
            None if pending else password_hash,
            state != "inactive",
            "en" if rnd.random() < 0.05 else "es",
            None if pending else fake_sealed(rnd, 32),
            None if pending else enrolled,
            None if last_login is None else timecode(last_login),
            50 if state == "locked" else 0,
            now - timedelta(days=rnd.uniform(0, 20)) if state == "locked" else None,
            0,
            last_login,
        )
        people.append((row, user_roles))
    fields = [User.created_at, User.updated_at, User.email, User.name, User.password_hash, User.is_active,
              User.locale, User.totp_secret, User.totp_enrolled_at, User.last_totp_timecode, User.failed_logins,
              User.locked_at, User.otp_failures, User.last_login_at]
    bulk_insert(User, fields, (row for row, _roles in people))

    ids = dict(User.select(User.email, User.id).tuples())
    role_rows = [(row[0], row[0], ids[row[2]], role) for row, user_roles in people for role in user_roles]
    bulk_insert(UserRole, [UserRole.created_at, UserRole.updated_at, UserRole.user, UserRole.role], role_rows)

    # Supervisors: management and some senior operations staff lead teams of about 25.
    leads = [ids[row[2]] for row, user_roles in people if "management" in user_roles or
             ("operations" in user_roles and rnd.random() < 0.05)] or [ids[people[0][0][2]]]
    teams: dict[int, list[int]] = {}
    for row, _roles in people[len(ROLES):]:
        uid = ids[row[2]]
        if uid not in leads and rnd.random() < 0.85:
            teams.setdefault(rnd.choice(leads), []).append(uid)
    with db.atomic():
        for lead, members in teams.items():
            for batch in _chunks(members, 500):
                User.update(supervisor=lead).where(User.id.in_(batch)).execute()

    # Recovery codes: ten per enrolled account, some already used.
    code_hash = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1).hash(hex_digits(rnd, 16))
    codes = ((row[8], row[8], ids[row[2]], code_hash) for row, _roles in people if row[7] is not None
             for _ in range(10 if rnd.random() < 0.8 else rnd.randint(3, 9)))
    bulk_insert(RecoveryCode, [RecoveryCode.created_at, RecoveryCode.updated_at, RecoveryCode.user,
                               RecoveryCode.code_hash], codes)


@generator("user_sessions")
def generate_sessions(database, fake: Faker, sizes: dict[str, int]) -> None:
    rnd = fake.random
    now = anchor()
    agents = USER_AGENTS
    ips = [fake.ipv4_public() for _ in range(400)]
    users = [uid for (uid,) in User.select(User.id).where(User.totp_secret.is_null(False)).tuples()]
    n = sizes["user_sessions"]
    starts = sorted(now - timedelta(minutes=rnd.uniform(60, HISTORY_DAYS * 24 * 60)) for _ in range(n))

    def rows():
        for start in starts:
            abandoned = rnd.random() < 0.04  # password accepted, code never entered
            stage = UserSession.STAGE_PASSWORD if abandoned else UserSession.STAGE_ACTIVE
            expires = start + (timedelta(minutes=10) if abandoned else timedelta(hours=10))
            last_seen = start + timedelta(minutes=0 if abandoned else rnd.uniform(1, 480))
            draw = rnd.random()
            ended = None if abandoned or draw < 0.25 else last_seen + timedelta(minutes=rnd.uniform(0, 15))
            reason = None if ended is None else "logout" if draw < 0.7 else "idle" if draw < 0.95 else "regenerated"
            yield (start, last_seen, hex_digits(rnd, 64), rnd.choice(users), stage, last_seen, expires, start, ended,
                   reason, 0, rnd.choice(ips), rnd.choice(agents))

    fields = [UserSession.created_at, UserSession.updated_at, UserSession.sid_hash, UserSession.user,
              UserSession.stage, UserSession.last_seen, UserSession.expires_at, UserSession.authenticated_at,
              UserSession.revoked_at, UserSession.end_reason, UserSession.code_failures, UserSession.ip,
              UserSession.user_agent]
    bulk_insert(UserSession, fields, rows())


# (action, weight, actor, object): actor "self" = any active account, "admin"/"auditor" = accounts with
# that permission, None = anonymous; object "self", "user" (another account), "endpoint", "audit" or None.
AUDIT_MIX = [
    ("login_password_ok", 22.0, "self", "self"),
    ("login_success", 21.0, "self", "self"),
    ("logout", 10.0, "self", "self"),
    ("session_end", 2.0, "self", "self"),
    ("login_fail", 5.0, None, "self"),
    ("mfa_fail", 1.5, "self", "self"),
    ("reauth", 3.0, "self", "self"),
    ("reauth_fail", 0.3, "self", "self"),
    ("audit_read", 6.0, "auditor", "audit"),
    ("user_update", 3.0, "admin", "user"),
    ("authz_change", 1.0, "admin", "user"),
    ("user_create", 0.6, "admin", "user"),
    ("activation_link", 0.3, "admin", "user"),
    ("password_set", 0.5, "self", "self"),
    ("password_change", 1.0, "self", "self"),
    ("mfa_enrol", 0.6, "self", "self"),
    ("mfa_enrol_fail", 0.3, "self", "self"),
    ("recovery_code_used", 0.2, "self", "self"),
    ("recovery_codes_regenerated", 0.2, "self", "self"),
    ("authz_fail", 1.5, "self", "endpoint"),
    ("csrf_fail", 0.3, "self", "endpoint"),
    ("rate_limit", 0.2, None, "endpoint"),
    ("lockout", 0.05, None, "self"),
    ("login_locked", 0.1, None, "self"),
    ("user_deactivate", 0.2, "admin", "user"),
    ("user_reactivate", 0.05, "admin", "user"),
    ("user_unlock", 0.05, "admin", "user"),
    ("mfa_reset", 0.1, "admin", "user"),
]
AUDIT_FIELDS = {
    "user_update": ["locale", "supervisor", "name"],
    "authz_change": ["roles"],
    "user_create": ["email,name,roles"],
    "password_set": ["password_hash"],
    "password_change": ["password_hash"],
    "mfa_enrol": ["recovery_codes,totp_secret"],
    "recovery_codes_regenerated": ["recovery_codes"],
    "user_deactivate": ["is_active"],
    "user_reactivate": ["is_active"],
    "user_unlock": ["failed_logins,locked_at"],
    "mfa_reset": ["recovery_codes,totp_secret"],
}
ENDPOINTS = ["admin.users", "admin.audit_log", "admin.user", "admin.invite", "auth.profile", "auth.sessions"]


@generator("audit_events")
def generate_audit_events(database, fake: Faker, sizes: dict[str, int]) -> None:
    rnd = fake.random
    now = anchor()
    agents = USER_AGENTS
    ips = [fake.ipv4_public() for _ in range(3_000)]
    roles_of: dict[int, list[str]] = {}
    for uid, role in UserRole.select(UserRole.user, UserRole.role).order_by(UserRole.role).tuples():
        roles_of.setdefault(uid, []).append(role)
    active = [uid for (uid,) in User.select(User.id).where(User.totp_secret.is_null(False)).tuples()]
    pools = {
        "self": active,
        "admin": [uid for uid in active if "admin" in roles_of.get(uid, [])] or active[:1],
        "auditor": [uid for uid in active if {"admin", "quality"} & set(roles_of.get(uid, []))] or active[:1],
    }
    everyone = list(roles_of)
    home_ip = {uid: rnd.choice(ips) for uid in everyone}
    roles_text = {uid: ",".join(sorted(r)) for uid, r in roles_of.items()}
    weights = [spec[1] for spec in AUDIT_MIX]
    n = sizes["audit_events"]
    start = now - timedelta(days=HISTORY_DAYS)
    step = (now - start) / n

    def rows():
        prev_hash = ""
        picks = rnd.choices(AUDIT_MIX, weights, k=n)
        for i, (action, _w, who, obj) in enumerate(picks):
            at = start + step * i + step * rnd.random() * 0.9  # increasing, like an append-only log
            subject = rnd.choice(pools["self"])
            actor = None if who is None else subject if who == "self" else rnd.choice(pools[who])
            if obj == "self":
                object_type, object_id = "app_user", str(subject)
            elif obj == "user":
                object_type, object_id = "app_user", str(rnd.choice(everyone))
            elif obj == "endpoint":
                object_type, object_id = "endpoint", rnd.choice(ENDPOINTS)
            elif obj == "audit":
                object_type, object_id = "audit_event", ""
            else:
                object_type, object_id = "", ""
            fields = rnd.choice(AUDIT_FIELDS[action]) if action in AUDIT_FIELDS else ""
            if action == "audit_read":
                detail = f"page={1 if rnd.random() < 0.7 else rnd.randint(2, 40)}"
            elif action == "session_end":
                detail = rnd.choice(["one", "others:1", "others:2", "admin:1"])
            elif action == "authz_fail":
                detail = rnd.choice(["users.manage", "audit.read", "mail.read"])
            else:
                detail = ""
            ip = home_ip[actor] if actor is not None and rnd.random() < 0.8 else rnd.choice(ips)
            digest = hex_digits(rnd, 64)
            yield (at, at, at, actor, roles_text.get(actor, ""), action, object_type, object_id,
                   fields, detail, ip, rnd.choice(agents), hex_digits(rnd, 16), prev_hash, digest)
            prev_hash = digest

    fields = [AuditEvent.created_at, AuditEvent.updated_at, AuditEvent.at, AuditEvent.actor, AuditEvent.actor_roles,
              AuditEvent.action, AuditEvent.object_type, AuditEvent.object_id, AuditEvent.fields, AuditEvent.detail,
              AuditEvent.ip, AuditEvent.user_agent, AuditEvent.request_id, AuditEvent.prev_hash, AuditEvent.hash]
    bulk_insert(AuditEvent, fields, rows())

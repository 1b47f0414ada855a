"""The benchmark firm: a seeded generator registry, bulk inserts, and the cached database file.

The database is built by the real migrations, then each registered generator fills its tables with
``insert_many`` in chunks, many chunks per transaction. The result is cached per scale in
``bench/.cache/bench-<scale>.db`` next to a ``.json`` sidecar (fingerprint, sizes, row counts, build
time); a run works on a fresh copy so it never mutates the cache. The cache is rebuilt when the
migrations, the generators' code, the sizes or the seed change (or with ``BENCH_REBUILD=1``).

Only the bulk is generated here. The accounts the benchmark signs in with (one per role,
``bench.<role>@bench.traza.test``) get their real password hash and TOTP seed on the working copy at run
time (``bench.run``).

Keys: confidential columns (clients' document numbers) are real ciphertext and blind indexes, bound to
the keys they were made with. The benchmark has its own key set, created once in ``bench/.cache/keys.json``
(mode 0600, bench-only, never a deployment's): the generators seal with it and ``bench.run`` starts the
app with it, so the app decrypts and finds what was generated. Its hash is part of the fingerprint: new
keys mean a rebuilt cache.
"""

import base64
import hashlib
import inspect
import json
import os
import secrets
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
from peewee import fn
from stdnum.co import nit

from core import crypto, migrate, text
from core.config import KEY_NAMES
from core.db import close_all, db, init_database, utcnow
from core.guard import ROLES
from models.audit import AuditEvent
from models.catalog import PracticeArea
from models.clients import Client, ClientStatusChange, ConflictCheck, Party, SearchToken, document_index
from models.users import RecoveryCode, User, UserRole, UserSession

BENCH_DIR = Path(__file__).resolve().parent
CACHE_DIR = BENCH_DIR / ".cache"
KEYS_PATH = CACHE_DIR / "keys.json"
SEED = 82026
FIRM_DOMAIN = "duarte-asociados.com.co"
BENCH_DOMAIN = "bench.traza.test"
HISTORY_DAYS = 730  # the audit log and sessions span two years

# Full sizes (BENCH_SCALE multiplies them). Keys without a generator are the sizes DESIGN.md §8 sets
# for features not built yet: their generators register under these names when the models exist.
# Practice areas are a fixed list (PRACTICE_AREAS); conflict checks are a share of the clients.
SIZES: dict[str, int] = {
    "users": 2_000,  # staff accounts, with roles and recovery codes
    "user_sessions": 20_000,  # past sign-ins: ended, idle or expired
    "audit_events": 1_000_000,
    "clients": 100_000,
    "parties": 30_000,  # counterparties declared at intake
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

    def decorator(generate: Generator) -> Generator:
        if any(existing == name for existing, _generate in GENERATORS):
            raise ValueError(f"generator already registered: {name}")
        GENERATORS.append((name, generate))
        return generate

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


def bench_keys() -> dict[str, str]:
    """The benchmark's key set ({SECRET_KEY: …, FIELD_KEY: …, …}), created on first use."""
    if KEYS_PATH.exists():
        return json.loads(KEYS_PATH.read_text())
    CACHE_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    keys = {name: base64.urlsafe_b64encode(secrets.token_bytes(32)).decode() for name in KEY_NAMES}
    fd = os.open(KEYS_PATH, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(keys, fh, indent=2)
    return keys


# Application code the generated rows depend on (besides the migrations): when it changes, so would the
# data (search tokens, name keys, blind indexes, ciphertexts), and the cache is rebuilt.
DEPENDS_ON = (text, Client.index_words, SearchToken.replace_for, document_index, crypto.blind_index, crypto.Cipher)


def fingerprint(sizes: dict[str, int]) -> str:
    digest = hashlib.sha256()
    digest.update(json.dumps({"seed": SEED, "sizes": sizes}, sort_keys=True).encode())
    digest.update(hashlib.sha256(json.dumps(bench_keys(), sort_keys=True).encode()).digest())
    for path in sorted(Path(migrate.DIRECTORY).glob("*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    for name, generate in GENERATORS:
        digest.update(name.encode() + inspect.getsource(generate).encode())
    for helper in (bulk_insert, *HELPERS, *DEPENDS_ON):
        digest.update(inspect.getsource(helper).encode())
    for table in TABLES:
        digest.update(repr(table).encode())
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
        crypto.configure(bench_keys())  # what the generators seal and index with is what the app runs with
        fake = Faker("es_CO")
        fake.seed_instance(SEED)
        for name, generate in GENERATORS:
            t0 = time.perf_counter()
            log(f"generating {name}…")
            generate(db, fake, sizes)
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


# ----- clients, parties and conflict checks (models/catalog.py, models/clients.py) -----

# (name, description, share of clients)
PRACTICE_AREAS = [
    ("Derecho laboral", "Despidos, salarios y prestaciones sociales, acoso laboral, contratos de trabajo.", 24),
    ("Seguridad social y pensiones", "Pensiones de vejez e invalidez, tutelas en salud, riesgos laborales.", 14),
    ("Derecho de familia", "Divorcios, custodia y visitas, cuota alimentaria, sucesiones.", 18),
    ("Derecho civil y contratos", "Contratos, arrendamientos, responsabilidad civil, procesos ejecutivos.", 16),
    ("Derecho comercial y societario", "Sociedades, contratos mercantiles, cobro de cartera, insolvencia.", 11),
    ("Derecho penal", "Defensa técnica y representación de víctimas.", 7),
    ("Derecho administrativo", "Contratación estatal, reparación directa, nulidad y restablecimiento.", 6),
    ("Derecho tributario", "Declaraciones, fiscalización y cobro coactivo ante la DIAN y los municipios.", 4),
]
NEEDS = {
    "Derecho laboral": ["Lo despidieron sin justa causa y no le pagaron la liquidación.",
                        "Reclamo de horas extras y recargos dominicales no pagados.",
                        "Acoso laboral por parte del jefe inmediato; quiere saber qué hacer.",
                        "La empresa necesita revisar sus contratos de trabajo y el reglamento interno."],
    "Seguridad social y pensiones": ["Colpensiones le negó la pensión de vejez.",
                                     "La EPS no autoriza un tratamiento: tutela.",
                                     "Calificación de pérdida de capacidad laboral después de un accidente."],
    "Derecho de familia": ["Divorcio de mutuo acuerdo con hijos menores.", "Fijación de cuota alimentaria.",
                           "Sucesión de los padres con un inmueble en común.", "Custodia y régimen de visitas."],
    "Derecho civil y contratos": ["El arrendatario no paga hace cuatro meses: restitución del inmueble.",
                                  "Revisión de una promesa de compraventa antes de firmar.",
                                  "Cobro de un pagaré vencido.", "Daños en un accidente de tránsito."],
    "Derecho comercial y societario": ["Constitución de una S.A.S. con dos socios.",
                                       "Cobro de cartera a clientes morosos.",
                                       "Reforma de estatutos y cesión de acciones.",
                                       "Reorganización empresarial (Ley 1116)."],
    "Derecho penal": ["Denuncia por estafa en la venta de un vehículo.", "Defensa en un proceso por lesiones personales.",
                      "Representación como víctima en un proceso por hurto."],
    "Derecho administrativo": ["Demanda de reparación directa contra el municipio.",
                               "Licitación pública: observaciones al pliego de condiciones.",
                               "Nulidad y restablecimiento del derecho por una sanción."],
    "Derecho tributario": ["Requerimiento especial de la DIAN por el impuesto de renta.",
                           "Cobro coactivo del impuesto predial.", "Planeación tributaria del próximo año."],
}
STATUS_MIX = {"prospect": 12, "evaluating": 6, "accepted": 4, "rejected": 13, "active": 38, "former": 27}
PREVIOUS_STATUS = {"prospect": "", "evaluating": "prospect", "accepted": "evaluating", "rejected": "evaluating",
                   "active": "accepted", "former": "active"}
CHANNEL_MIX = {"whatsapp": 38, "phone": 24, "email": 22, "in_person": 10, "video": 6}
SOURCE_MIX = {"referral": 30, "web": 22, "social": 18, "visit": 12, "alliance": 8, "other": 10}
CUSTOMER_TYPE_MIX = {"": 55, "talkative": 10, "impatient": 10, "sceptical": 10, "shy": 8, "aggressive": 7}
# (city, weight, landline prefix); "" = a smaller town from Faker
CITIES = [("Bogotá", 38, "601"), ("Medellín", 14, "604"), ("Cali", 10, "602"), ("Barranquilla", 7, "605"),
          ("Bucaramanga", 5, "607"), ("Cartagena", 4, "605"), ("Cúcuta", 3, "607"), ("Pereira", 3, "606"),
          ("Manizales", 2, "606"), ("Ibagué", 2, "608"), ("Villavicencio", 2, "608"), ("Santa Marta", 2, "605"),
          ("Soacha", 2, "601"), ("Chía", 2, "601"), ("", 4, "601")]
MOBILE_PREFIXES = ["300", "301", "302", "304", "305", "310", "311", "312", "313", "314", "315", "316", "317",
                   "318", "319", "320", "321", "322", "323", "324", "350", "351"]
EMAIL_DOMAINS = {"gmail.com": 55, "hotmail.com": 18, "outlook.com": 8, "yahoo.com": 6, "live.com": 4,
                 "yahoo.es": 3, "hotmail.es": 3, "une.net.co": 3}
COMPANY_WORDS = ["Inversiones", "Comercializadora", "Constructora", "Transportes", "Distribuidora", "Agropecuaria",
                 "Inmobiliaria", "Grupo", "Servicios", "Consultores", "Importadora", "Industrias", "Ferretería",
                 "Soluciones", "Logística", "Alimentos", "Textiles", "Ingeniería", "Clínica", "Laboratorios"]
COMPANY_PLACES = ["Andina", "del Caribe", "del Valle", "de la Sabana", "del Pacífico", "de Oriente", "Santandereana",
                  "Antioqueña", "Nacional", "Colombiana", "del Sur", "del Llano", "Cafetera", "Costeña"]
COMPANY_SUFFIXES = {"S.A.S.": 62, "Ltda.": 18, "S.A.": 10, "& Cía. S. en C.": 4, "S.A.S. BIC": 2, "E.S.P.": 1}
COMPANY_EMAILS = ["contacto", "gerencia", "info", "administracion", "contabilidad", "juridica"]
PARTY_RELATIONS = {"company": ["empleador", "demandado", "aseguradora", "arrendador", "contratante", "acreedor",
                               "entidad"],
                   "person": ["cónyuge", "excónyuge", "demandado", "arrendatario", "deudor", "heredero", "socio"]}
COMPANY_SHARE = 1 / 3
CONFLICT_CHECK_SHARE = 0.20
HISTORY_YEARS = 6  # clients span six years of intake


def _weighted(mix: dict):
    return list(mix), list(mix.values())


def _name_pools(fake: Faker, size: int = 4_000) -> dict[str, list[str]]:
    """Names drawn from Faker es_CO once (its frequencies kept), then sampled: Faker costs ~20 µs a name."""
    return {"female": [fake.first_name_female() for _ in range(size)],
            "male": [fake.first_name_male() for _ in range(size)],
            "last": [fake.last_name() for _ in range(size)]}


def _person_name(rnd, pools) -> tuple[str, str, str]:
    """'Nombre [Nombre] Apellido Apellido' → (name, first name, first surname)."""
    firsts = pools["female"] if rnd.random() < 0.52 else pools["male"]
    first = rnd.choice(firsts)
    middle = rnd.choice(firsts) if rnd.random() < 0.45 else ""
    last1 = rnd.choice(pools["last"])
    last2 = rnd.choice(pools["last"]) if rnd.random() < 0.95 else ""
    name = " ".join(part for part in (first, "" if middle == first else middle, last1, last2) if part)
    return name, first, last1


def _company_name(rnd, pools) -> tuple[str, str]:
    """'Inversiones Gómez Ltda.', 'Gómez Rodríguez S.A.S.', 'Martínez & Asociados'… → (name, name without suffix)."""
    last1, last2 = rnd.choice(pools["last"]), rnd.choice(pools["last"])
    suffixes, weights = _weighted(COMPANY_SUFFIXES)
    suffix = rnd.choices(suffixes, weights)[0]
    draw = rnd.random()
    if draw < 0.35:
        core = f"{rnd.choice(COMPANY_WORDS)} {last1}"
    elif draw < 0.6:
        core = f"{last1} {last2}"
    elif draw < 0.75:
        core, suffix = f"{last1} & Asociados", "" if rnd.random() < 0.5 else "S.A.S."
    elif draw < 0.9:
        core = f"{rnd.choice(COMPANY_WORDS)} {last1} {last2}"
    else:
        core = f"{rnd.choice(COMPANY_WORDS)} {rnd.choice(COMPANY_PLACES)}"
    return f"{core} {suffix}".strip(), core


def _unique(candidate: str, seen: set[str], rnd) -> str:
    value = candidate
    while value in seen:
        local, at, domain = candidate.partition("@")
        value = f"{local}{rnd.randint(2, 999)}{at}{domain}"
    seen.add(value)
    return value


def _person_email(rnd, first: str, last: str, seen: set[str]) -> str:
    f, last_slug = ascii_slug(first), ascii_slug(last)
    local = rnd.choice([f"{f}.{last_slug}", f"{f}{last_slug}", f"{f[:1]}{last_slug}", f"{f}_{last_slug}",
                        f"{f}.{last_slug}{rnd.randint(60, 99)}", f"{f}{last_slug}{rnd.randint(1, 30)}"])
    domains, weights = _weighted(EMAIL_DOMAINS)
    return _unique(f"{local}@{rnd.choices(domains, weights)[0]}", seen, rnd)


def _company_email(rnd, core: str, seen: set[str]) -> str:
    domain = ascii_slug(core)[:24] + rnd.choice([".com.co", ".com.co", ".com", ".co"])
    return _unique(f"{rnd.choice(COMPANY_EMAILS)}@{domain}", seen, rnd)


def _mobile(rnd) -> str:
    """E.164: +57 3xx xxx xxxx."""
    return f"+57{rnd.choice(MOBILE_PREFIXES)}{rnd.randrange(10**7):07d}"


def _document(rnd, kind: str, seen: set[str]) -> tuple[str, str]:
    """(type, number) as the intake form stores it: compact, upper case; NIT with its check digit."""
    while True:
        if kind == "company":
            base = str(rnd.randint(800_000_000, 901_999_999))
            doc_type, number = "NIT", base + nit.calc_check_digit(base)
        else:
            draw = rnd.random()
            digits = rnd.randint(1_000_000_000, 1_129_999_999) if draw < 0.55 else \
                rnd.randint(10_000_000, 99_999_999) if draw < 0.95 else rnd.randint(1_000_000, 9_999_999)
            doc_type, number = "CC", str(digits)
        if number not in seen:
            seen.add(number)
            return doc_type, number


def _token_rows(kind: str, ref_id: int, words, at: datetime) -> list[tuple]:
    """SearchToken rows exactly as ``SearchToken.replace_for`` writes them."""
    return [(at, at, kind, ref_id, word) for word in sorted({w[:60] for w in words if w})]


def _staff(roles: tuple[str, ...]) -> list[int]:
    return [uid for (uid,) in User.select(User.id).join(UserRole, on=(UserRole.user == User.id))
            .where(UserRole.role.in_(roles), User.is_active == True).distinct().order_by(User.id).tuples()]  # noqa: E712


def _next_id(model) -> int:
    return (model.select(fn.MAX(model.id)).scalar() or 0) + 1


HELPERS = (_weighted, _name_pools, _person_name, _company_name, _unique, _person_email, _company_email, _mobile,
           _document, _token_rows, _staff, _next_id)
TABLES = (PRACTICE_AREAS, NEEDS, STATUS_MIX, PREVIOUS_STATUS, CHANNEL_MIX, SOURCE_MIX, CUSTOMER_TYPE_MIX, CITIES,
          MOBILE_PREFIXES, EMAIL_DOMAINS, COMPANY_WORDS, COMPANY_PLACES, COMPANY_SUFFIXES, COMPANY_EMAILS,
          PARTY_RELATIONS, COMPANY_SHARE, CONFLICT_CHECK_SHARE, HISTORY_YEARS)


@generator("practice_areas")
def generate_practice_areas(database, fake: Faker, sizes: dict[str, int]) -> None:
    at = anchor() - timedelta(days=HISTORY_YEARS * 365 + 30)
    bulk_insert(PracticeArea, [PracticeArea.created_at, PracticeArea.updated_at, PracticeArea.name,
                               PracticeArea.description, PracticeArea.is_active],
                [(at, at, name, description, True) for name, description, _share in PRACTICE_AREAS])


@generator("clients")
def generate_clients(database, fake: Faker, sizes: dict[str, int]) -> None:
    """Clients with real ciphertext and blind index for the document, their search tokens and the status
    change that brought each to its current status."""
    rnd = fake.random
    now = anchor()
    pools = _name_pools(fake)
    area_ids = dict(PracticeArea.select(PracticeArea.name, PracticeArea.id).tuples())
    areas = [area_ids[name] for name, _d, _share in PRACTICE_AREAS]
    area_weights = [share for _n, _d, share in PRACTICE_AREAS]
    area_names = {area_ids[name]: name for name, _d, _share in PRACTICE_AREAS}
    commercial = _staff(("commercial", "management"))
    operations = _staff(("operations",)) or commercial
    statuses, status_weights = _weighted(STATUS_MIX)
    channels, channel_weights = _weighted(CHANNEL_MIX)
    sources, source_weights = _weighted(SOURCE_MIX)
    ctypes, ctype_weights = _weighted(CUSTOMER_TYPE_MIX)
    city_weights = [w for _c, w, _p in CITIES]
    field_cipher = crypto.keys.field
    n = sizes["clients"]
    first_id = _next_id(Client)
    starts = sorted(now - timedelta(minutes=rnd.uniform(60, HISTORY_YEARS * 365 * 24 * 60)) for _ in range(n))
    emails: set[str] = set()
    documents: set[str] = set()

    clients, tokens, changes = [], [], []
    for i, created in enumerate(starts):
        cid = first_id + i
        kind = "company" if rnd.random() < COMPANY_SHARE else "person"
        if kind == "company":
            name, core = _company_name(rnd, pools)
            email = _company_email(rnd, core, emails) if rnd.random() < 0.95 else ""
        else:
            name, first, last = _person_name(rnd, pools)
            email = _person_email(rnd, first, last, emails) if rnd.random() < 0.88 else ""
        status = rnd.choices(statuses, status_weights)[0]
        has_document = status != "prospect" or rnd.random() < 0.5
        if has_document:
            doc_type, number = _document(rnd, kind, documents)
            sealed = field_cipher.encrypt(number, f"client|document_number|{cid}")  # as Client.set_document
            index, last4 = document_index(doc_type, number), number[-4:]
        else:
            doc_type, sealed, index, last4 = "", None, None, ""
        city, _w, area_code = rnd.choices(CITIES, city_weights)[0]
        phone = _mobile(rnd) if rnd.random() < 0.96 else ""
        phone_alt = f"+57{area_code}{rnd.randrange(2_000_000, 8_000_000)}" if rnd.random() < 0.12 else ""
        area = rnd.choices(areas, area_weights)[0]
        source = rnd.choices(sources, source_weights)[0]
        referred_by = rnd.randrange(first_id, cid) if source == "referral" and i > 50 and rnd.random() < 0.6 else None
        responsible = None if status == "prospect" and rnd.random() < 0.3 else \
            rnd.choice(operations if status in ("active", "former") and rnd.random() < 0.5 else commercial)
        creator = rnd.choice(commercial)
        changed = created if status == "prospect" else min(now, created + timedelta(days=rnd.uniform(1, 120)))
        clients.append((
            created, changed, cid, kind, name[:200], text.name_key(name), doc_type, sealed, index, last4, email,
            phone, phone_alt, fake.street_address()[:200] if rnd.random() < 0.7 else "", city or fake.city(), "CO",
            rnd.choices(channels, channel_weights)[0], source, referred_by, area, responsible,
            rnd.choices(ctypes, ctype_weights)[0], rnd.choice(NEEDS[area_names[area]]),
            "Requiere intérprete de lengua de señas." if rnd.random() < 0.01 else
            "Prefiere atención en la tarde." if rnd.random() < 0.05 else "",
            rnd.random() < 0.3, status, creator,
        ))
        words = Client(name=name, email=email, phone=phone, phone_alt=phone_alt).index_words()
        tokens.extend(_token_rows("client", cid, words, created))
        changes.append((changed, changed, cid, PREVIOUS_STATUS[status], status,
                        "No se aceptó el caso: no es viable." if status == "rejected" else "",
                        responsible or creator))

    fields = [Client.created_at, Client.updated_at, Client.id, Client.kind, Client.name, Client.name_key,
              Client.document_type, Client.document_number, Client.document_index, Client.document_last4,
              Client.email, Client.phone, Client.phone_alt, Client.address, Client.city, Client.country,
              Client.preferred_channel, Client.source, Client.referred_by, Client.practice_area, Client.responsible,
              Client.customer_type, Client.need, Client.special_requirements, Client.newsletter, Client.status,
              Client.created_by]
    bulk_insert(Client, fields, clients)
    bulk_insert(SearchToken, [SearchToken.created_at, SearchToken.updated_at, SearchToken.kind, SearchToken.ref_id,
                              SearchToken.token], tokens)
    bulk_insert(ClientStatusChange, [ClientStatusChange.created_at, ClientStatusChange.updated_at,
                                     ClientStatusChange.client, ClientStatusChange.from_status,
                                     ClientStatusChange.to_status, ClientStatusChange.reason,
                                     ClientStatusChange.by], changes)


@generator("parties")
def generate_parties(database, fake: Faker, sizes: dict[str, int]) -> None:
    """Counterparties declared at intake: about 40 % are the same few hundred companies (employers, insurers,
    landlords) declared again and again; the rest are one-off companies and people."""
    rnd = fake.random
    pools = _name_pools(fake)
    owners = list(Client.select(Client.id, Client.created_at, Client.created_by).tuples())
    recurring = []
    nits: set[str] = set()
    for _ in range(400):
        name, _core = _company_name(rnd, pools)
        recurring.append((name, _document(rnd, "company", nits)))
    first_id = _next_id(Party)
    parties, tokens = [], []
    for i in range(sizes["parties"]):
        pid = first_id + i
        client_id, at, creator = rnd.choice(owners)
        draw = rnd.random()
        if draw < 0.4:
            name, (doc_type, number) = rnd.choice(recurring)
            kind = "company"
            if rnd.random() < 0.3:
                doc_type = number = ""
        else:
            kind = "company" if draw < 0.65 else "person"
            name = _company_name(rnd, pools)[0] if kind == "company" else _person_name(rnd, pools)[0]
            doc_type, number = _document(rnd, kind, nits) if rnd.random() < 0.5 else ("", "")
        parties.append((at, at, pid, "counterparty", name[:200], text.name_key(name), doc_type,
                        document_index(doc_type, number) if number else None, rnd.choice(PARTY_RELATIONS[kind]),
                        client_id, creator))
        tokens.extend(_token_rows("party", pid, text.tokens(name), at))  # as Party.reindex
    bulk_insert(Party, [Party.created_at, Party.updated_at, Party.id, Party.kind, Party.name, Party.name_key,
                        Party.document_type, Party.document_index, Party.relation, Party.client, Party.created_by],
                parties)
    bulk_insert(SearchToken, [SearchToken.created_at, SearchToken.updated_at, SearchToken.kind, SearchToken.ref_id,
                              SearchToken.token], tokens)


@generator("conflict_checks")
def generate_conflict_checks(database, fake: Faker, sizes: dict[str, int]) -> None:
    """One check for a fifth of the clients, as ``core.clients.register`` saves it: the terms searched (the
    document as ``#<blind index>``), the hits frozen as found, and the decision once the client moved on."""
    rnd = fake.random
    now = anchor()
    clients = list(Client.select(Client.id, Client.name, Client.status, Client.document_index, Client.created_at,
                                 Client.created_by).tuples())
    chosen = sorted(rnd.sample(clients, round(len(clients) * CONFLICT_CHECK_SHARE)))
    chosen_ids = {row[0] for row in chosen}
    declared: dict[int, list[str]] = {}
    for client_id, name in Party.select(Party.client, Party.name).order_by(Party.id).tuples():
        if client_id in chosen_ids:
            declared.setdefault(client_id, []).append(name)
    # Hits look like the search's: another record sharing a surname or a company word with the name searched.
    clients_by_word: dict[str, list[tuple]] = {}
    for row in clients:
        for word in text.name_key(row[1]).split():
            clients_by_word.setdefault(word, []).append(row)
    parties_by_word: dict[str, list[tuple]] = {}
    for row in Party.select(Party.id, Party.name, Party.kind, Client.name).join(
            Client, on=(Party.client == Client.id)).tuples():
        for word in text.name_key(row[1]).split():
            parties_by_word.setdefault(word, []).append(row)
    deciders = _staff(("management", "commercial"))
    decided_statuses = ("accepted", "rejected", "active", "former")

    def rows():
        for client_id, name, status, index, created, creator in chosen:
            terms = [name] + declared.get(client_id, []) + ([f"#{index}"] if index else [])
            words = text.name_key(name).split()
            hits = []
            if words and rnd.random() < 0.15:
                other = rnd.choice(clients_by_word[rnd.choice(words)])
                if other[0] != client_id:
                    hits.append({"term": name, "source": "client", "ref_id": other[0], "name": other[1],
                                 "reason": "name", "score": rnd.randint(86, 97), "detail": other[2]})
            shared = [w for w in words if w in parties_by_word]
            if shared and rnd.random() < 0.08:
                pid, pname, pkind, owner = rnd.choice(parties_by_word[rnd.choice(shared)])
                hits.append({"term": name, "source": "party", "ref_id": pid, "name": pname, "reason": "name",
                             "score": rnd.randint(86, 100), "detail": f"{pkind}|{owner}"})
            decision = reason = None
            if status in decided_statuses or (status == "evaluating" and rnd.random() < 0.3):
                if hits and status == "rejected" and rnd.random() < 0.6:
                    decision, reason = "conflict", "La contraparte es cliente de la firma en otro asunto."
                elif hits:
                    decision, reason = "waived", "Homónimo: no es la misma persona; se verificó el documento."
                else:
                    decision, reason = "clear", ""
            decided_at = min(now, created + timedelta(days=rnd.uniform(0.5, 10))) if decision else None
            yield (created, decided_at or created, client_id, json.dumps(terms, ensure_ascii=False),
                   json.dumps(hits, ensure_ascii=False), decision, reason or "",
                   rnd.choice(deciders) if decision else None, decided_at, creator)

    bulk_insert(ConflictCheck, [ConflictCheck.created_at, ConflictCheck.updated_at, ConflictCheck.client,
                                ConflictCheck.terms, ConflictCheck.hits, ConflictCheck.decision, ConflictCheck.reason,
                                ConflictCheck.decided_by, ConflictCheck.decided_at, ConflictCheck.created_by], rows())

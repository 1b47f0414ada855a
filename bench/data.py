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
from decimal import Decimal
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
from models.cases import (
    CONTACT_WAYS,
    EVIDENCE_KINDS,
    Case,
    CaseMember,
    CaseStatusChange,
    EvidenceItem,
    Intervention,
)
from models.catalog import PracticeArea
from models.clients import Client, ClientStatusChange, ConflictCheck, Party, SearchToken, document_index
from models.commercial import Contract, Quotation
from models.complaints import (
    ALERT_BREACH,
    ALERT_NEAR,
    CRISIS_ACTIONS,
    OPEN_STATES,
    Complaint,
    ComplaintCategory,
    ComplaintStatusChange,
    CrisisIncident,
    CrisisStep,
    SlaRule,
)
from models.consent import Consent, PrivacyNotice
from models.documents import Deadline, DocumentItem, DocumentVersion, Holiday, RequirementTemplate
from models.files import StoredFile
from models.interactions import Interaction
from models.surveys import (
    CRITERIA,
    SurveyAnswer,
    SurveyInvitation,
    SurveyLink,
    SurveyQuestion,
    SurveyResponse,
    SurveyTemplate,
)
from models.tasks import Task
from models.users import RecoveryCode, User, UserRole, UserSession
from services.surveys import DEFAULT_NAME, DEFAULT_QUESTIONS

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
    "survey_invitations": 70_000,  # informative: 1.4 per response (some expire, a few are still live)
    "complaints": 20_000,
    "crisis_incidents": 300,
    "quality_notes": 200,  # notes to the staff over two years, each read by most of its ~1,900 readers
    "improvement_actions": 400,  # improvement actions over two years; the last months' still open (issue 7)
    "sensitive_reads": 200_000,  # reveals of confidential data over two years, with whose data each read (issue 19)
    "data_subject_requests": 5_000,  # data-subject requests over two years (issue 19)
    "erasures": 1_000,  # erasures and blockings over two years, three retention lines each (issue 19 items 4–5)
    "manual_documents": 200,  # the procedures manual: procedures, policies and forms, a few versions each (issue 17)
    "manual_agreements": 2_200,  # confidentiality agreements: one per member of staff, and contractors' (issue 17)
    "newsletter_issues": 24,  # a newsletter a month over two years, each to every consenting client (issue 18)
    "benefit_grants": 20_000,  # loyalty benefits applied over two years, and the thanks to referrers (issue 18)
    "training_sessions": 1_200,  # training sessions on the manual over two years, ~17 attendees each (issue 17 item 5)
    "manual_feedback": 3_000,  # staff feedback on the manual's documents over two years (issue 17 item 6)
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
    anchor: datetime | None = None  # "now" of the generated data (see anchor()); None for an old sidecar


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
    """Return the cached database for this scale, generating it first when absent or stale. One build at a time per
    scale: a run that finds another one building waits for it (a lock file beside the cache) and then reuses its
    file, instead of building the same file beside it."""
    import fcntl

    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    with open(CACHE_DIR / f"bench-{scale_label(scale)}.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log("another run is building this dataset: waiting for it to finish")
            fcntl.flock(lock, fcntl.LOCK_EX)
        return _ensure_dataset(scale, rebuild, log)


def _ensure_dataset(scale: float, rebuild: bool, log) -> Dataset:
    sizes = scaled_sizes(scale)
    label = scale_label(scale)
    path = CACHE_DIR / f"bench-{label}.db"
    meta_path = path.with_suffix(".json")
    wanted = fingerprint(sizes)
    if not rebuild and path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if meta.get("fingerprint") == wanted:
            log(f"reusing {path.relative_to(BENCH_DIR.parent)} (built {meta['built_at']}, {meta['build_seconds']:.0f} s)")
            return Dataset(path, scale, sizes, meta["counts"], meta["build_seconds"], meta["steps"], False,
                           _meta_anchor(meta))
        log(f"{path.name} is stale (migrations, generators or sizes changed): rebuilding")
    start = anchor()
    seconds, steps, counts = _build(path, sizes, log)
    meta = {
        "anchor": start.isoformat(),
        "fingerprint": wanted,
        "scale": scale,
        "sizes": sizes,
        "counts": counts,
        "build_seconds": seconds,
        "steps": steps,
        "built_at": utcnow().strftime("%Y-%m-%d %H:%M UTC"),
    }
    meta_path.write_text(json.dumps(meta, indent=2) + "\n")
    return Dataset(path, scale, sizes, counts, seconds, steps, True, start)


def _meta_anchor(meta: dict) -> datetime | None:
    if meta.get("anchor"):
        return datetime.fromisoformat(meta["anchor"])
    try:  # older sidecars: the build started build_seconds before it ended
        ended = datetime.strptime(meta["built_at"], "%Y-%m-%d %H:%M UTC")
    except (KeyError, ValueError):
        return None
    return (ended - timedelta(seconds=meta.get("build_seconds", 0))).replace(minute=0, second=0, microsecond=0)


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
    """Multi-row INSERTs in chunks as large as the bound-parameter limit allows, many chunks per transaction.

    What ``insert_many(rows, fields=fields)`` sends (each value through its field's ``db_value``), with the
    statement text built once per chunk size instead of peewee composing it value by value (which cost
    ~8 µs a value: minutes at the full size)."""
    # A column the generator does not name and the table requires gets its field's default: a column a later
    # migration added with ``add_column(default=...)`` has no default in the database.
    given = {field.name for field in fields}
    missing = [field for field in model._meta.sorted_fields
               if field.name not in given and not field.null and field.default is not None and not field.primary_key]
    if missing:
        extra = tuple(field.default() if callable(field.default) else field.default for field in missing)
        fields, rows = [*fields, *missing], (tuple(row) + extra for row in rows)
    size = max(1, min(1_000, _max_variables() // len(fields)))
    columns = ", ".join(f'"{field.column_name}"' for field in fields)
    head = f'INSERT INTO "{model._meta.table_name}" ({columns}) VALUES '
    row_sql = "(" + ", ".join([db.param] * len(fields)) + ")"
    converters = [field.db_value for field in fields]
    statements: dict[int, str] = {}
    batches = _chunks(rows, size)
    total = 0
    while True:
        done = 0
        with db.atomic():
            for batch in islice(batches, chunks_per_transaction):
                sql = statements.get(len(batch)) or statements.setdefault(len(batch), head + ", ".join([row_sql] * len(batch)))
                db.execute_sql(sql, [convert(value) for row in batch
                                     for convert, value in zip(converters, row, strict=True)])
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
            status, creator,
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
              Client.customer_type, Client.need, Client.special_requirements, Client.status,
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
    """One check for a fifth of the clients, as ``services.clients.register`` saves it: the terms searched (the
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


# ----- case work (issue 5): models/cases.py, interactions.py, documents.py, tasks.py -----
#
# Cases belong to active and former clients (a former client's are all closed); ids follow the time they
# opened, interactions' ids the time they happened (the timelines page newest first by id). Times are
# office hours in Bogotá (UTC−5 all year), stored UTC. Staff picked at random never include the sign-in
# accounts: the operations account gets its own, exact load instead (WORKLOAD), and the other accounts
# none, so the work queue measured is the one described here.

LOCAL_OFFSET = timedelta(hours=5)  # America/Bogota, no daylight saving
CASE_STATUS_MIX = {"closed": 70, "in_progress": 15, "open": 9, "resolved": 6}  # an active client's cases
# The operations sign-in account's load: open items of its work queue (220 + 150 + 30 + 100 = 500), its
# cases, and the long timelines of one of its cases and of that case's client.
WORKLOAD = {"cases": 60, "tasks": 220, "deadlines": 150, "interventions_today": 30, "documents_to_review": 100,
            "interventions_week": 20, "case_interactions": 2_300, "client_interactions": 600}
CASE_TITLES = {
    "Derecho laboral": ["Despido sin justa causa — {empresa}", "Reclamación de prestaciones sociales — {empresa}",
                        "Acoso laboral: queja ante el comité de convivencia", "Reintegro por estabilidad laboral reforzada",
                        "Horas extras y recargos dominicales no pagados — {empresa}",
                        "Conciliación ante el Ministerio del Trabajo ({ciudad})"],
    "Seguridad social y pensiones": ["Pensión de vejez negada por Colpensiones", "Tutela contra {eps}: tratamiento no autorizado",
                                     "Calificación de pérdida de capacidad laboral", "Pensión de sobrevivientes de {persona}",
                                     "Traslado de régimen pensional", "Incapacidades no pagadas por {eps}"],
    "Derecho de familia": ["Divorcio de mutuo acuerdo", "Divorcio contencioso", "Fijación de cuota alimentaria",
                           "Custodia y régimen de visitas", "Sucesión de {persona}", "Liquidación de sociedad conyugal",
                           "Declaración de unión marital de hecho"],
    "Derecho civil y contratos": ["Restitución de inmueble arrendado en {ciudad}", "Proceso ejecutivo: cobro de pagaré a {persona}",
                                  "Revisión de promesa de compraventa", "Responsabilidad civil por accidente de tránsito",
                                  "Incumplimiento de contrato de obra — {empresa}", "Proceso de pertenencia en {ciudad}"],
    "Derecho comercial y societario": ["Constitución de una S.A.S.", "Reforma de estatutos y cesión de acciones",
                                       "Cobro de cartera — {empresa}", "Reorganización empresarial (Ley 1116 de 2006)",
                                       "Contrato de distribución con {empresa}", "Registro de marca ante la SIC"],
    "Derecho penal": ["Denuncia por estafa", "Defensa técnica: lesiones personales", "Representación de víctima: hurto calificado",
                      "Denuncia por abuso de confianza contra {persona}", "Querella por injuria y calumnia"],
    "Derecho administrativo": ["Reparación directa contra el municipio de {ciudad}", "Nulidad y restablecimiento: sanción de {entidad}",
                               "Observaciones al pliego de condiciones de {entidad}", "Derecho de petición ante {entidad}",
                               "Acción de cumplimiento contra {entidad}"],
    "Derecho tributario": ["Requerimiento especial de la DIAN — renta {año}", "Cobro coactivo del impuesto predial",
                           "Planeación tributaria {año}", "Recurso de reconsideración contra liquidación oficial",
                           "Devolución de saldo a favor de IVA {año}"],
}
EPS = ["Nueva EPS", "EPS Sura", "Sanitas", "Compensar", "Famisanar", "Salud Total", "Coosalud"]
ENTITIES = ["la Superintendencia de Industria y Comercio", "la Secretaría de Movilidad", "la DIAN", "la Alcaldía",
            "la Superintendencia de Sociedades", "la Gobernación", "la Contraloría Departamental"]
RESOLUTIONS = ["Acuerdo conciliatorio aprobado por el juzgado.", "Sentencia favorable en primera instancia, en firme.",
               "La contraparte pagó la totalidad de lo reclamado.", "Fallo de tutela a favor; la entidad cumplió.",
               "Se firmó la escritura y se registró.", "Desistimiento acordado con el cliente tras el arreglo directo.",
               "Sentencia desfavorable; el cliente decidió no apelar."]
# Per practice area: (document, required, confidential, due days after opening, review every n days)
REQUIREMENTS = {
    "Derecho laboral": [("Contrato de trabajo", True, False, 10, None), ("Carta de despido", True, False, 10, None),
                        ("Desprendibles de nómina", True, False, 15, None), ("Liquidación de prestaciones", False, False, 20, None),
                        ("Historia clínica ocupacional", False, True, 30, None)],
    "Seguridad social y pensiones": [("Historia laboral de Colpensiones", True, False, 10, None),
                                     ("Resolución que niega la pensión", True, False, 10, None),
                                     ("Historia clínica", True, True, 15, 180), ("Dictamen de calificación", False, True, 30, None)],
    "Derecho de familia": [("Registro civil de matrimonio", True, False, 10, None), ("Registros civiles de los hijos", True, False, 10, None),
                           ("Certificado de ingresos", True, True, 15, 365), ("Inventario de bienes", False, True, 30, None)],
    "Derecho civil y contratos": [("Contrato", True, False, 7, None), ("Certificado de tradición y libertad", True, False, 15, 90),
                                  ("Título valor original", False, False, 10, None), ("Avalúo comercial", False, False, 45, None)],
    "Derecho comercial y societario": [("Certificado de existencia y representación legal", True, False, 5, 30),
                                       ("Estatutos vigentes", True, False, 10, None), ("Estados financieros", True, True, 20, 365),
                                       ("Libro de accionistas", False, False, 20, None), ("RUT", True, False, 5, 365)],
    "Derecho penal": [("Copia de la denuncia", True, False, 5, None), ("Pruebas documentales", True, True, 20, None),
                      ("Dictamen de Medicina Legal", False, True, 45, None)],
    "Derecho administrativo": [("Acto administrativo demandado", True, False, 10, None), ("Constancia de notificación", True, False, 10, None),
                               ("Solicitud de conciliación prejudicial", True, False, 30, None), ("Pruebas de los perjuicios", False, False, 45, None)],
    "Derecho tributario": [("Declaración de renta", True, True, 10, None), ("Requerimiento de la DIAN", True, False, 5, None),
                           ("Soportes contables", True, True, 20, None), ("RUT", True, False, 5, 365)],
}
AD_HOC_DOCUMENTS = ["Poder especial firmado", "Copia de la cédula", "Fotografías del inmueble", "Correos con la contraparte",
                    "Certificado bancario", "Declaración extrajuicio"]
FILE_TYPES = [("application/pdf", "pdf", 80), ("image/jpeg", "jpg", 10), ("image/png", "png", 5),
              ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx", 5)]
CASE_EVENTS = ["la demanda fue admitida", "se radicó el memorial de pruebas", "el juzgado fijó fecha para la audiencia inicial",
               "seguimos a la espera del fallo de primera instancia", "la contraparte contestó la demanda",
               "se presentó el recurso de apelación", "se notificó el auto admisorio", "la audiencia de conciliación se aplazó",
               "la entidad respondió el derecho de petición", "el borrador del acuerdo está listo para su revisión",
               "se recibió el dictamen pericial", "el despacho decretó las medidas cautelares", "la tutela fue fallada a favor",
               "se pidió corregir la liquidación"]
CLIENT_NEWS = ["recibió una notificación del juzgado", "la empresa lo citó a descargos", "la contraparte lo contactó directamente",
               "ya tiene los extractos bancarios", "cambió de dirección de residencia", "le llegó una carta de cobro"]
QUESTIONS = ["¿Cuánto tiempo más puede tardar el proceso?", "¿Debo asistir personalmente a la audiencia?",
             "¿Qué documentos faltan por entregar?", "¿Cuánto queda pendiente de los honorarios?",
             "¿Puedo viajar al exterior mientras sigue el proceso?", "¿Qué pasa si la contraparte no paga?",
             "¿Me pueden enviar copia del memorial radicado?", "¿Hay que autenticar el poder en notaría?",
             "¿Cuándo me devuelven los documentos originales?", "¿Hay alguna novedad desde la última audiencia?"]
CONCERNS = ["la demora del juzgado en fijar la audiencia", "el costo total del proceso",
            "una llamada de la contraparte ofreciendo un arreglo", "no haber recibido noticias en varias semanas",
            "la posibilidad de perder el inmueble", "el embargo de su cuenta de nómina", "posibles represalias de la empresa"]
MEETING_NOTES = ["Reunión para revisar la estrategia del caso.", "Preparación de la audiencia con el cliente.",
                 "Se firmó el poder y se revisaron los documentos aportados.", "Se explicó la resolución y los siguientes pasos.",
                 "Reunión con el cliente y el perito.", "Revisión del borrador del contrato con el cliente."]
COMPLAINT_NOTES = ["Queja por la demora en responder; se registró en quejas y reclamos.",
                   "Reclamo por un cobro que no reconoce; remitido a quejas y reclamos.",
                   "Queja por la atención telefónica; la atiende Atención al Cliente."]
OTHER_OUT = ["Se envió la cuenta de cobro del mes.", "Se le recordó la cita del {dia}.",
             "Se pidió copia de la cédula y del certificado de existencia.", "Se envió el paz y salvo.",
             "Se confirmó la dirección para notificaciones."]
OTHER_IN = ["El cliente envió los soportes de pago.", "El cliente dio un nuevo número de contacto.",
            "El cliente confirmó que asistirá a la reunión.", "El cliente envió copia del contrato firmado."]
CONFIDENTIAL_NOTES = ["El cliente contó detalles de su estado de salud que afectan la estrategia.",
                      "Información sobre bienes que el cliente pidió mantener en reserva.",
                      "El cliente relató antecedentes familiares delicados relacionados con el caso.",
                      "Posible oferta de arreglo que la contraparte no debe conocer todavía."]
INTERACTION_KINDS = {"update": 38, "question": 18, "concern": 7, "meeting": 10, "complaint": 1.5, "other": 25.5}
OUTGOING_SHARE = {"update": 0.85, "question": 0.1, "concern": 0.1, "meeting": 0.5, "complaint": 0.0, "other": 0.5}
INTERACTION_CHANNELS = {"email": 30, "messaging": 30, "phone": 25, "in_person": 8, "video": 7}
MEETING_PLACES = {"in_person": 45, "video": 45, "phone": 10}
DEADLINES = {"procedural": ["Contestar la demanda", "Presentar recurso de apelación", "Alegatos de conclusión",
                            "Audiencia inicial", "Subsanar la demanda", "Aportar pruebas", "Sustentar el recurso"],
             "contractual": ["Vencimiento del contrato de arrendamiento", "Pago de la segunda cuota del acuerdo",
                             "Renovación de la póliza", "Entrega del inmueble"],
             "administrative": ["Responder el requerimiento de la DIAN", "Recurso de reposición ante la entidad",
                                "Término para responder el derecho de petición", "Radicar la solicitud de conciliación"]}
DEADLINE_KIND_MIX = {"procedural": 60, "contractual": 20, "administrative": 20}
ALERT_DAYS = {"7,1": 50, "15,5,1": 20, "3,1": 15, "1": 10, "30,7,1": 5}
INTERVENTION_PURPOSES = ["Visita a las instalaciones del cliente", "Audiencia en el juzgado", "Revisión de documentos con el cliente",
                         "Inspección del inmueble", "Diligencia de notificación personal", "Reunión con la contraparte",
                         "Acompañamiento a la diligencia de descargos", "Radicación en la entidad"]
INTERVENTION_PLACES = ["Oficina de la firma", "Juzgado {n} Civil del Circuito", "Juzgado {n} Laboral del Circuito",
                       "Instalaciones del cliente", "Centro de conciliación de la Cámara de Comercio", "Sede de la entidad"]
TREATMENTS = ["Asesoría presencial", "Representación judicial", "Revisión documental", "Negociación directa", "Diligencia"]
FOLLOW_UPS = ["Llamar al cliente para confirmar la fecha de la audiencia", "Enviar copia del memorial radicado",
              "Responder la pregunta sobre honorarios", "Pedir los documentos que faltan", "Confirmar el pago de la cuota",
              "Revisar el estado del proceso en la rama judicial", "Enviar el resumen de la reunión"]


def _local_day(moment: datetime):
    return (moment - LOCAL_OFFSET).date()


def _utc_at(day, minutes: float) -> datetime:
    """``minutes`` after local midnight of ``day``, in UTC, to the minute."""
    return datetime(day.year, day.month, day.day) + LOCAL_OFFSET + timedelta(minutes=int(minutes))


def _office_time(rnd, moment: datetime, now: datetime) -> datetime:
    """``moment`` moved to office hours (7:00–19:30 local) on a weekday of the same week, not after ``now``."""
    day = _local_day(moment)
    if day.weekday() >= 5 and rnd.random() < 0.85:
        day -= timedelta(days=day.weekday() - 4)
    return min(now, _utc_at(day, rnd.uniform(7 * 60, 19.5 * 60)) + timedelta(seconds=rnd.randrange(60)))


def _business_day(day, holidays: set) -> object:
    while day.weekday() >= 5 or day in holidays:
        day += timedelta(days=1)
    return day


def _bench_ids() -> dict[str, int]:
    return {role: User.get(User.email == bench_email(role)).id for role in ROLES}


def _crew(roles: tuple[str, ...]) -> list[int]:
    """Active staff with these roles, without the sign-in accounts."""
    bench = set(_bench_ids().values())
    return [uid for uid in _staff(roles) if uid not in bench]


def _workload_cases(ops: int) -> list[tuple]:
    """The operations account's cases (id, client, status, opened_on), the long-timeline one first."""
    return list(Case.select(Case.id, Case.client, Case.status, Case.opened_on)
                .where(Case.responsible == ops).order_by(Case.opened_on, Case.id).tuples())


def _title(rnd, area: str, pools, fill_company: str) -> str:
    template = rnd.choice(CASE_TITLES[area])
    return template.format(empresa=fill_company, persona=_person_name(rnd, pools)[0], ciudad=rnd.choice(CITIES[:14])[0],
                           eps=rnd.choice(EPS), entidad=rnd.choice(ENTITIES), año=rnd.randint(2019, 2025))[:200]


HELPERS += (_local_day, _utc_at, _office_time, _business_day, _bench_ids, _crew, _workload_cases, _title)
TABLES += (LOCAL_OFFSET, CASE_STATUS_MIX, WORKLOAD, CASE_TITLES, EPS, ENTITIES, RESOLUTIONS, REQUIREMENTS, AD_HOC_DOCUMENTS,
           FILE_TYPES, CASE_EVENTS, CLIENT_NEWS, QUESTIONS, CONCERNS, MEETING_NOTES, COMPLAINT_NOTES, OTHER_OUT, OTHER_IN,
           CONFIDENTIAL_NOTES, INTERACTION_KINDS, OUTGOING_SHARE, INTERACTION_CHANNELS, MEETING_PLACES, DEADLINES,
           DEADLINE_KIND_MIX, ALERT_DAYS, INTERVENTION_PURPOSES, INTERVENTION_PLACES, TREATMENTS, FOLLOW_UPS)


@generator("holidays")
def generate_holidays(database, fake: Faker, sizes: dict[str, int]) -> None:
    """Colombia's holidays over the data's years and the next (the admin loads them from the package)."""
    from services.documents.calendar import package_holidays

    now = anchor()
    rows = [(now, now, day, "CO", name) for year in range(now.year - HISTORY_YEARS, now.year + 2)
            for day, name in package_holidays("CO", year).items()]
    bulk_insert(Holiday, [Holiday.created_at, Holiday.updated_at, Holiday.day, Holiday.region, Holiday.name], rows)


@generator("requirement_templates")
def generate_requirement_templates(database, fake: Faker, sizes: dict[str, int]) -> None:
    at = anchor() - timedelta(days=HISTORY_YEARS * 365)
    area_ids = dict(PracticeArea.select(PracticeArea.name, PracticeArea.id).tuples())
    rows = [(at, at, area_ids[area], name, required, confidential, due, review, position, True)
            for area, items in REQUIREMENTS.items()
            for position, (name, required, confidential, due, review) in enumerate(items, 1)]
    bulk_insert(RequirementTemplate, [RequirementTemplate.created_at, RequirementTemplate.updated_at,
                                      RequirementTemplate.practice_area, RequirementTemplate.name,
                                      RequirementTemplate.required, RequirementTemplate.confidential,
                                      RequirementTemplate.due_days, RequirementTemplate.review_every_days,
                                      RequirementTemplate.position, RequirementTemplate.is_active], rows)


@generator("cases")
def generate_cases(database, fake: Faker, sizes: dict[str, int]) -> None:
    """Cases of active and former clients (a few each, companies more), with team, status history, some
    parties (and their search tokens) and, for a third, an encrypted legal analysis and strategy. The
    operations account becomes responsible of WORKLOAD["cases"] open cases and of one old company client
    whose oldest open case is the long-timeline one."""
    rnd = fake.random
    now = anchor()
    pools = _name_pools(fake)
    field_cipher = crypto.keys.field
    ops = _bench_ids()["operations"]
    responsibles = _crew(("operations", "management"))
    helpers = _crew(("operations", "service", "commercial"))
    area_ids = dict(PracticeArea.select(PracticeArea.name, PracticeArea.id).tuples())
    area_names = {v: k for k, v in area_ids.items()}
    areas, area_weights = [area_ids[n] for n, _d, _s in PRACTICE_AREAS], [s for _n, _d, s in PRACTICE_AREAS]
    clients = list(Client.select(Client.id, Client.status, Client.practice_area, Client.created_at, Client.kind)
                   .where(Client.status.in_(("active", "former"))).order_by(Client.id).tuples())
    if not clients:
        return
    statuses, status_weights = _weighted(CASE_STATUS_MIX)
    # Every such client has a case; the rest go mostly to companies, to a long tail of frequent clients and
    # to clients of some standing (the registry's statuses do not depend on age: a new client has few cases).
    weights = [rnd.paretovariate(1.5) * (2.5 if kind == "company" else 1.0) * (1.3 if status == "active" else 1.0)
               * min(1.0, ((now - created).days + 30) / 730) for _id, status, _a, created, kind in clients]
    n = sizes["cases"]
    picks = clients[:n] + rnd.choices(clients, weights, k=max(0, n - len(clients)))
    # The long-timeline client: an active company of long standing, in the middle of the registry.
    old = [c for c in clients if c[1] == "active" and c[4] == "company" and (now - c[3]).days > 800] or \
          [c for c in clients if c[1] == "active"] or clients
    heavy_client = old[len(old) // 2]

    specs = []  # (opened, client id, status, closed, area id, kind)
    for cid, cstatus, carea, created, kind in picks:
        status = "closed" if cstatus == "former" else rnd.choices(statuses, status_weights)[0]
        start = created + timedelta(days=1)
        if status == "closed":
            lasted = timedelta(days=rnd.lognormvariate(4.8, 0.6))  # median four months
            latest = now - lasted - timedelta(days=1)
            if latest > start:
                opened = start + (latest - start) * rnd.random()
                closed = opened + lasted
            else:  # a recent client: its case opened and closed since
                opened = start + (now - start) * rnd.uniform(0, 0.5)
                closed = opened + (now - opened) * rnd.uniform(0.3, 0.95)
        else:
            age = {"open": rnd.uniform(0, 90), "in_progress": rnd.uniform(20, 500), "resolved": rnd.uniform(90, 600)}[status]
            opened, closed = max(start, now - timedelta(days=age)), None
        opened = min(now - timedelta(hours=1), _office_time(rnd, opened, now))
        area = carea if carea and rnd.random() < 0.85 else rnd.choices(areas, area_weights)[0]
        specs.append([opened, cid, status, closed if closed is None else min(now, max(closed, opened + timedelta(hours=3))),
                      area, kind])
    heavy_opened = _office_time(rnd, max(heavy_client[3] + timedelta(days=1), now - timedelta(days=700)), now)
    specs.append([heavy_opened, heavy_client[0], "in_progress", None, heavy_client[2] or areas[0], heavy_client[4]])
    specs.sort(key=lambda s: s[0])
    open_specs = [i for i, s in enumerate(specs) if s[2] in ("open", "in_progress") and s[1] != heavy_client[0]]
    mine = set(rnd.sample(open_specs, min(len(open_specs), WORKLOAD["cases"] - 1)))
    heavy_index = next(i for i, s in enumerate(specs) if s[1] == heavy_client[0] and s[0] == heavy_opened)
    mine.add(heavy_index)

    first_id = _next_id(Case)
    first_party = _next_id(Party)
    cases, members, changes, parties, tokens = [], [], [], [], []
    for i, (opened, cid, status, closed, area, kind) in enumerate(specs):
        case_id = first_id + i
        area_name = area_names[area]
        responsible = ops if i in mine else rnd.choice(responsibles)
        company = _company_name(rnd, pools)[0]
        title = _title(rnd, area_name, pools, company)
        planned = rnd.random() < (0.35 if status != "closed" else 0.2)
        analysis = field_cipher.encrypt(f"Análisis jurídico: {rnd.choice(NEEDS[area_name])} Normas aplicables y "
                                        "jurisprudencia revisadas.", f"legal_case|legal_analysis|{case_id}") if planned else None
        strategy = field_cipher.encrypt("Estrategia: escenario favorable, intermedio y desfavorable, con sus riesgos.",
                                        f"legal_case|strategy|{case_id}") if planned else None
        budget = Decimal(rnd.randrange(15, 600) * 100_000) if rnd.random() < 0.7 else None
        told_on = (opened + timedelta(days=rnd.uniform(1, 10))).date() if budget else None
        resolved_at = explained_on = survey_due = None
        if status in ("resolved", "closed"):
            resolved_at = (closed - timedelta(days=rnd.uniform(5, 40))) if closed else now - timedelta(days=rnd.uniform(1, 60))
            resolved_at = max(resolved_at, opened + timedelta(hours=2))
            explained_on = min(_local_day(now), _local_day(resolved_at + timedelta(days=rnd.uniform(0, 5))))
        if closed:
            survey_due = _local_day(closed) + timedelta(days=5)
        creator = responsible if rnd.random() < 0.7 else rnd.choice(helpers)
        cases.append((
            opened, closed or resolved_at or opened, case_id, cid, None, title, area, responsible, status, opened.date(),
            rnd.choice(NEEDS[area_name]), analysis, strategy, budget,
            "Honorarios en dos cuotas; gastos del proceso aparte." if budget and rnd.random() < 0.4 else "",
            told_on, rnd.choice(CONTACT_WAYS) if budget else "",
            rnd.choice(RESOLUTIONS) if resolved_at else "", explained_on,
            rnd.choice(CONTACT_WAYS) if explained_on else "", bool(closed) or (bool(explained_on) and rnd.random() < 0.7),
            resolved_at, closed, responsible if closed else None, survey_due, creator,
            "", ""))  # closing reason, open items: every generated case closes with nothing left open
        team = [uid for uid in {rnd.choice(helpers) for _ in range(rnd.choice((1, 1, 2, 2, 3)))} if uid != responsible]
        members += [(opened, opened, case_id, uid, creator) for uid in sorted(team)]
        path = ["open", "in_progress", "resolved", "closed"]
        steps = path[: path.index(status) + 1]
        at = opened
        for before, after in zip(steps, steps[1:], strict=False):
            at = {"in_progress": at + ((resolved_at or now) - at) * rnd.uniform(0.02, 0.15), "resolved": resolved_at,
                  "closed": closed}[after]
            changes.append((at, at, case_id, before, after, "", responsible))
        if rnd.random() < 0.15:
            for j in range(rnd.choice((1, 1, 2))):
                pid = first_party + len(parties)
                pkind = "company" if j == 0 and (kind == "person" or rnd.random() < 0.5) else "person"
                name = company if pkind == "company" else _person_name(rnd, pools)[0]
                parties.append((opened, opened, pid, "counterparty", name[:200], text.name_key(name), "", None,
                                rnd.choice(PARTY_RELATIONS[pkind]), cid, case_id, creator))
                tokens.extend(_token_rows("party", pid, text.tokens(name), opened))

    bulk_insert(Case, [Case.created_at, Case.updated_at, Case.id, Case.client, Case.contract, Case.title,
                       Case.practice_area, Case.responsible, Case.status, Case.opened_on, Case.description,
                       Case.legal_analysis, Case.strategy, Case.budget_amount, Case.budget_notes, Case.budget_told_on,
                       Case.budget_told_how, Case.resolution_summary, Case.explained_on, Case.explained_how,
                       Case.client_understood, Case.resolved_at, Case.closed_at, Case.closed_by, Case.survey_due_on,
                       Case.created_by, Case.closing_reason, Case.closed_open_items], cases)
    bulk_insert(CaseMember, [CaseMember.created_at, CaseMember.updated_at, CaseMember.case, CaseMember.user,
                             CaseMember.added_by], members)
    bulk_insert(CaseStatusChange, [CaseStatusChange.created_at, CaseStatusChange.updated_at, CaseStatusChange.case,
                                   CaseStatusChange.from_status, CaseStatusChange.to_status, CaseStatusChange.reason,
                                   CaseStatusChange.by], changes)
    bulk_insert(Party, [Party.created_at, Party.updated_at, Party.id, Party.kind, Party.name, Party.name_key,
                        Party.document_type, Party.document_index, Party.relation, Party.client, Party.case,
                        Party.created_by], parties)
    bulk_insert(SearchToken, [SearchToken.created_at, SearchToken.updated_at, SearchToken.kind, SearchToken.ref_id,
                              SearchToken.token], tokens)
    Client.update(responsible=ops).where(Client.id == heavy_client[0]).execute()
    # Evidence to collect for the cases being worked (the summary tab's checklist).
    evidence = []
    for case_id, opened in Case.select(Case.id, Case.created_at).where(Case.status != "closed").order_by(Case.id).tuples():
        for _ in range(10 if case_id == first_id + heavy_index else rnd.choice((0, 1, 2, 3, 4))):
            kind = rnd.choices(EVIDENCE_KINDS, (70, 20, 10))[0]
            description = {"document": rnd.choice(AD_HOC_DOCUMENTS), "testimony": f"Testimonio de {_person_name(rnd, pools)[0]}",
                           "other": "Inspección judicial del lugar de los hechos"}[kind]
            collected = (opened + timedelta(days=rnd.uniform(1, 60))).date() if rnd.random() < 0.5 else None
            evidence.append((opened, opened, case_id, kind, description[:300], collected if collected and
                             collected <= _local_day(now) else None, ""))
    bulk_insert(EvidenceItem, [EvidenceItem.created_at, EvidenceItem.updated_at, EvidenceItem.case, EvidenceItem.kind,
                               EvidenceItem.description, EvidenceItem.collected_on, EvidenceItem.notes], evidence)


UPDATE_OUT = ["Se le informó que {e}.", "Actualización del caso: {e}.", "Se envió el resumen del avance: {e}.",
              "Se le explicó que {e} y cuáles son los siguientes pasos."]
CLIENT_WEIGHT = {"active": 10, "former": 3, "accepted": 3, "evaluating": 2, "prospect": 1, "rejected": 0.5}
TABLES += (UPDATE_OUT, CLIENT_WEIGHT)


def _summary(rnd, kind: str, out: bool, at: datetime) -> str:
    if kind == "update":
        return rnd.choice(UPDATE_OUT).format(e=rnd.choice(CASE_EVENTS)) if out else \
            f"El cliente informa que {rnd.choice(CLIENT_NEWS)}."
    if kind == "question":
        return rnd.choice(QUESTIONS) if not out else f"Se le preguntó: {rnd.choice(QUESTIONS)}"
    if kind == "concern":
        return f"El cliente manifiesta preocupación por {rnd.choice(CONCERNS)}."
    if kind == "meeting":
        return rnd.choice(MEETING_NOTES)
    if kind == "complaint":
        return rnd.choice(COMPLAINT_NOTES)
    if out:
        return rnd.choice(OTHER_OUT).format(dia=(at + timedelta(days=rnd.randint(1, 10))).strftime("%d/%m"))
    return rnd.choice(OTHER_IN)


HELPERS += (_summary,)


@generator("interactions")
def generate_interactions(database, fake: Faker, sizes: dict[str, int]) -> None:
    """The interaction log: 60 % on a case (in its lifetime, busier towards its end), the rest on the client
    (recent months denser); a tenth confidential (real ciphertext: the team reads them); questions and
    concerns mostly answered; a few with a follow-up task. Then each client's last outgoing update. The
    operations account's long-timeline case and its client get WORKLOAD's interactions."""
    rnd = fake.random
    now = anchor()
    today = _local_day(now)
    field_cipher = crypto.keys.field
    ops = _bench_ids()["operations"]
    crew = _crew(("operations", "service"))
    service = _crew(("service",)) or crew
    clients = list(Client.select(Client.id, Client.status, Client.created_at, Client.responsible)
                   .order_by(Client.id).tuples())
    responsible_of = {cid: resp for cid, _s, _c, resp in clients}
    cases = list(Case.select(Case.id, Case.client, Case.created_at, Case.closed_at, Case.status, Case.responsible)
                 .order_by(Case.id).tuples())
    mine = _workload_cases(ops)
    n = sizes["interactions"]
    heavy_n = min(n // 3, WORKLOAD["case_interactions"]) if mine else 0
    extra_n = min(n // 6, WORKLOAD["client_interactions"]) if mine else 0
    linked = round((n - heavy_n - extra_n) * 0.6) if cases else 0

    keys = []  # (occurred_at, client, case, the case's responsible)
    weights = [(3.0 if status != "closed" else 1.0) * (1 + ((closed or now) - opened).days / 200)
               for _i, _c, opened, closed, status, _r in cases]
    picked = rnd.choices(cases, weights, k=linked) if linked else []
    if mine:
        heavy = next(c for c in cases if c[0] == mine[0][0])
        others = [c for c in cases if c[1] == heavy[1] and c[0] != heavy[0]]
        picked += [heavy] * heavy_n + [rnd.choice(others) for _ in range(extra_n // 2 if others else 0)]
    for case_id, client_id, opened, closed, _status, responsible in picked:
        at = opened + ((closed or now) - opened) * (1 - rnd.random() ** 1.3)
        keys.append((_office_time(rnd, at, now), client_id, case_id, responsible))
    weights = [CLIENT_WEIGHT[status] * min(rnd.paretovariate(1.2), 40) for _i, status, _c, _r in clients]
    plain = rnd.choices(clients, weights, k=n - len(keys) - (extra_n - extra_n // 2 if mine else 0))
    if mine:
        plain += [next(c for c in clients if c[0] == mine[0][1])] * (n - len(keys) - len(plain))
    for client_id, _status, created, _r in plain:
        at = now - (now - created) * rnd.random() ** 1.8
        keys.append((_office_time(rnd, at, now), client_id, None, None))
    keys.sort(key=lambda k: k[0])

    kinds, kind_weights = _weighted(INTERACTION_KINDS)
    channels, channel_weights = _weighted(INTERACTION_CHANNELS)
    places, place_weights = _weighted(MEETING_PLACES)
    kind_draws = rnd.choices(kinds, kind_weights, k=len(keys))
    channel_draws = rnd.choices(channels, channel_weights, k=len(keys))
    first_id = _next_id(Interaction)
    tasks = []
    last_update: dict[int, datetime] = {}
    updates: dict[int, list] = {}  # each client's outgoing updates (id, moment), in time order

    def rows():
        for i, (at, client_id, case_id, case_responsible) in enumerate(keys):
            iid = first_id + i
            kind = kind_draws[i]
            out = rnd.random() < OUTGOING_SHARE[kind]
            channel = rnd.choices(places, place_weights)[0] if kind == "meeting" else channel_draws[i]
            owner = case_responsible or responsible_of[client_id]
            author = owner if owner and rnd.random() < 0.6 else rnd.choice(service if not out else crew)
            confidential = rnd.random() < 0.1
            summary = _summary(rnd, kind, out, at)
            if confidential:
                summary = field_cipher.encrypt(rnd.choice(CONFIDENTIAL_NOTES), f"interaction|summary|{iid}")
            answered_at = answered_by = None
            if kind in ("question", "concern") and not out:
                if not (rnd.random() < 0.04 or (now - at < timedelta(days=3) and rnd.random() < 0.5)):
                    answered_at = at + timedelta(minutes=int(60 * rnd.lognormvariate(2.5, 1.0)) + 5)
                    answered_at, answered_by = (answered_at, owner or author) if answered_at < now else (None, None)
            if out and kind == "update":
                last_update[client_id] = at  # keys are in time order: the last one seen is the latest
                updates.setdefault(client_id, []).append((iid, at))
            yield (at, answered_at or at, iid, client_id, case_id, at, channel, "out" if out else "in", kind, summary,
                   confidential, answered_at, answered_by, author)
            if rnd.random() < (0.08 if kind in ("question", "concern", "meeting") else 0.015):
                due = _local_day(at) + timedelta(days=rnd.randint(1, 10))
                follower = author if author != ops else rnd.choice(crew)
                done = due < today - timedelta(days=2) and rnd.random() < 0.96 or rnd.random() < 0.2
                done_at = min(now, _office_time(rnd, _utc_at(due, 0) - timedelta(days=rnd.uniform(0, 3)), now)) if done else None
                tasks.append((at, done_at or at, "follow_up", rnd.choice(FOLLOW_UPS), due, follower, client_id, case_id,
                              iid, done_at, follower if done else None, "", author))

    bulk_insert(Interaction, [Interaction.created_at, Interaction.updated_at, Interaction.id, Interaction.client,
                              Interaction.case, Interaction.occurred_at, Interaction.channel, Interaction.direction,
                              Interaction.kind, Interaction.summary, Interaction.confidential, Interaction.answered_at,
                              Interaction.answered_by, Interaction.created_by], rows())
    bulk_insert(Task, [Task.created_at, Task.updated_at, Task.kind, Task.title, Task.due_on, Task.owner, Task.client,
                       Task.case, Task.interaction, Task.done_at, Task.done_by, Task.note, Task.created_by], tasks)
    # "Actualización periódica": each client's last outgoing update, as logging one sets it.
    with db.atomic():
        for client_id, at in sorted(last_update.items()):
            Client.update(last_update_at=at).where(Client.id == client_id).execute()
    # Each outgoing update's link to the client's next one and the local days between them, as logging one
    # keeps them (Interaction.link_updates): ids grow with the moment, so the list order is (moment, id).
    linked = ((iid, nxt, (_local_day(nxt) - _local_day(at)).days)
              for entries in updates.values() for (iid, at), (_nid, nxt) in zip(entries, entries[1:], strict=False))
    size = max(1, min(1_000, _max_variables() // 3))
    with db.atomic():
        for batch in _chunks(linked, size):
            values = ", ".join([f"({db.param}, {db.param}, {db.param})"] * len(batch))
            db.execute_sql("UPDATE interaction SET next_update_at = v.column2, next_update_days = v.column3"
                           f" FROM (VALUES {values}) AS v WHERE interaction.id = v.column1",
                           [x for iid, nxt, days in batch for x in (iid, Interaction.next_update_at.db_value(nxt), days)])


ITEM_STATUS_MIX = {  # per case status: pending, received, reviewed, rejected, expired
    "open": (60, 25, 10, 5, 0), "in_progress": (25, 20, 45, 5, 5), "resolved": (3, 12, 83, 2, 0), "closed": (2, 10, 88, 0, 0)}
TABLES += (ITEM_STATUS_MIX,)


@generator("documents")
def generate_documents(database, fake: Faker, sizes: dict[str, int]) -> None:
    """Checklists of the most recent cases (the feature's first years: older cases have none): the practice
    area's requirements and now and then an ad-hoc item, with statuses by the case's stage, versions for
    what was received (stored-file metadata only, no file on disk). The operations account's cases hold
    exactly WORKLOAD["documents_to_review"] received items and nothing else waiting on it."""
    rnd = fake.random
    now = anchor()
    today = _local_day(now)
    ops = _bench_ids()["operations"]
    crew = _crew(("operations",)) or _crew(("management",))
    templates: dict[int, list[tuple]] = {}
    for row in RequirementTemplate.select(RequirementTemplate.id, RequirementTemplate.practice_area,
                                          RequirementTemplate.name, RequirementTemplate.required,
                                          RequirementTemplate.confidential, RequirementTemplate.due_days,
                                          RequirementTemplate.review_every_days).order_by(
            RequirementTemplate.position).tuples():
        templates.setdefault(row[1], []).append(row)
    mine = {case_id for case_id, *_rest in _workload_cases(ops)}
    cases = list(Case.select(Case.id, Case.practice_area, Case.status, Case.created_at, Case.closed_at, Case.responsible)
                 .order_by(Case.id.desc()).tuples())
    cases.sort(key=lambda c: c[0] not in mine)  # the operations account's first, then newest first
    statuses = ("pending", "received", "reviewed", "rejected", "expired")
    file_types = [(ct, ext) for ct, ext, _w in FILE_TYPES]
    file_weights = [w for _c, _e, w in FILE_TYPES]

    items = []  # [case, template, name, required, confidential, status, due_on, review_on, opened, responsible]
    for case_id, area, status, opened, closed, responsible in cases:
        if len(items) >= sizes["documents"]:
            break
        chosen = [t for t in templates.get(area, []) if t[3] or rnd.random() < 0.6]
        rows = [(t[0], t[2], t[3], t[4], t[5], t[6]) for t in chosen]
        if rnd.random() < 0.12 or not rows:
            rows.append((None, rnd.choice(AD_HOC_DOCUMENTS), rnd.random() < 0.5, False, rnd.choice((5, 10, 15)), None))
        for template, name, required, confidential, due_days, review_days in rows:
            state = rnd.choices(statuses, ITEM_STATUS_MIX[status])[0]
            if status in ("resolved", "closed") and required and state == "pending":
                state = "reviewed"  # a case closes only with its required documents in
            if case_id in mine and state in ("received", "expired"):
                state = "pending"
            due = opened.date() + timedelta(days=due_days) if due_days else None
            items.append([case_id, template, name, required, confidential, state, due, review_days, opened, closed,
                          responsible])
    # The operations account's documents to review: received on its cases.
    own = [item for item in items if item[0] in mine and item[5] == "pending"]
    for item in rnd.sample(own, min(len(own), WORKLOAD["documents_to_review"])):
        item[5] = "received"
    items.sort(key=lambda item: (item[8], item[0]))

    first_item = _next_id(DocumentItem)
    first_file = _next_id(StoredFile)
    item_rows, versions, files = [], [], []
    for k, (case_id, template, name, required, confidential, state, due, review_days, opened, closed,
            responsible) in enumerate(items):
        item_id = first_item + k
        end = closed or now
        reviewed_at = reviewed_by = review_on = None
        received = opened + (end - opened) * rnd.uniform(0.02, 0.5)
        if state in ("reviewed", "rejected", "expired"):
            reviewed_at = min(now, received + timedelta(hours=rnd.uniform(2, 24 * 6)))
            reviewed_by = responsible
        if review_days and state in ("reviewed", "expired"):
            review_on = reviewed_at.date() + timedelta(days=review_days)
            if case_id in mine and review_on <= today:
                review_on = today + timedelta(days=rnd.randint(5, review_days))
        note = "Ilegible: se pidió una copia nítida." if state == "rejected" else ""
        item_rows.append((opened, reviewed_at or (received if state != "pending" else opened), item_id, case_id,
                          template, name[:200], required, confidential, state, due, review_on, note, reviewed_by,
                          reviewed_at, responsible))
        if state == "pending":
            continue
        for number in range(1, (2 if rnd.random() < 0.2 else 1) + 1):
            at = min(now, received + timedelta(days=(number - 1) * rnd.uniform(1, 20)))
            content_type, ext = rnd.choices(file_types, file_weights)[0]
            uploader = rnd.choice(crew)
            files.append((at, at, first_file + len(files), hex_digits(rnd, 64),
                          f"{ascii_slug(name)[:40] or 'documento'}{'-v' + str(number) if number > 1 else ''}.{ext}",
                          content_type, int(rnd.lognormvariate(12.3, 0.9)) + 2_000, hex_digits(rnd, 64), "case_document",
                          uploader))
            versions.append((at, at, item_id, number, first_file + len(files) - 1, "", uploader))

    bulk_insert(StoredFile, [StoredFile.created_at, StoredFile.updated_at, StoredFile.id, StoredFile.storage_name,
                             StoredFile.original_name, StoredFile.content_type, StoredFile.size, StoredFile.sha256,
                             StoredFile.purpose, StoredFile.uploaded_by], files)
    bulk_insert(DocumentItem, [DocumentItem.created_at, DocumentItem.updated_at, DocumentItem.id, DocumentItem.case,
                               DocumentItem.template, DocumentItem.name, DocumentItem.required,
                               DocumentItem.confidential, DocumentItem.status, DocumentItem.due_on,
                               DocumentItem.review_on, DocumentItem.note, DocumentItem.reviewed_by,
                               DocumentItem.reviewed_at, DocumentItem.created_by], item_rows)
    bulk_insert(DocumentVersion, [DocumentVersion.created_at, DocumentVersion.updated_at, DocumentVersion.item,
                                  DocumentVersion.number, DocumentVersion.file, DocumentVersion.note,
                                  DocumentVersion.uploaded_by], versions)


def _alert_from(due_day, offsets: str):
    return due_day - timedelta(days=max(int(x) for x in offsets.split(",")))


HELPERS += (_alert_from,)


@generator("deadlines")
def generate_deadlines(database, fake: Faker, sizes: dict[str, int]) -> None:
    """About one open deadline per two cases being worked (on business days, most weeks ahead, some in
    their alert window, a few overdue), and the done or missed ones of their past and of closed cases. The
    operations account: WORKLOAD["deadlines"] open in their alert window, 30 further ahead, a past."""
    rnd = fake.random
    now = anchor()
    today = _local_day(now)
    ops = _bench_ids()["operations"]
    crew = _crew(("operations",)) or _crew(("management",))
    holidays = {day for (day,) in Holiday.select(Holiday.day).where(Holiday.region == "CO").tuples()}
    mine = [case_id for case_id, *_rest in _workload_cases(ops)]
    kinds, kind_weights = _weighted(DEADLINE_KIND_MIX)
    alerts, alert_weights = _weighted(ALERT_DAYS)
    rows = []

    def add(case_id, due_day, status, responsible, created, offsets=None):
        kind = rnd.choices(kinds, kind_weights)[0]
        offsets = offsets or rnd.choices(alerts, alert_weights)[0]
        due_day = _business_day(due_day, holidays)
        due_at = _utc_at(due_day, rnd.choice((8 * 60, 9 * 60, 10 * 60 + 30, 14 * 60, 17 * 60, 17 * 60, 17 * 60)))
        created = min(created, due_at - timedelta(days=1))
        done_at = min(now, due_at - timedelta(hours=rnd.uniform(1, 24 * 6))) if status == "done" else None
        rows.append((created, done_at or created, case_id, rnd.choice(DEADLINES[kind]), kind, due_at, responsible,
                     offsets, _alert_from(due_day, offsets), status, done_at, responsible if done_at else None,
                     "Venció sin actuación: se informó al cliente." if status == "missed" else "", responsible))
        return due_day

    for case_id, status, opened, closed, responsible in Case.select(
            Case.id, Case.status, Case.created_at, Case.closed_at, Case.responsible).order_by(Case.id).tuples():
        owner = responsible if rnd.random() < 0.85 or responsible == ops else rnd.choice(crew)
        if status != "closed" and responsible != ops:
            draw = rnd.random()
            for _ in range(2 if draw < 0.05 else 1 if draw < 0.47 else 0):
                ahead = rnd.randint(-3, 0) if rnd.random() < 0.03 else rnd.randint(1, 120)
                add(case_id, today + timedelta(days=ahead), "open", owner,
                    max(opened, now - timedelta(days=rnd.uniform(1, 60))))
        past = (closed or now) - opened
        draw = rnd.random()
        for _ in range((1 if draw < 0.3 else 0) if status == "closed" else (1 if draw < 0.5 else 0)):
            due = opened + past * rnd.uniform(0.1, 0.95)
            if _local_day(due) >= today:
                continue
            add(case_id, _local_day(due), "missed" if rnd.random() < 0.04 else "done", owner,
                due - timedelta(days=rnd.uniform(5, 60)))
    if mine:
        for k in range(WORKLOAD["deadlines"]):
            case_id = mine[0] if k % 10 == 0 else rnd.choice(mine)
            offsets = rnd.choice(("7,1", "15,5,1", "30,7,1"))
            while True:  # due within its window (a few already overdue), on a business day
                due = _business_day(today + timedelta(days=rnd.randint(-4, 7)), holidays)
                if _alert_from(due, offsets) <= today:
                    break
            add(case_id, due, "open", ops, now - timedelta(days=rnd.uniform(10, 60)), offsets)
        for _ in range(30):
            add(rnd.choice(mine), today + timedelta(days=rnd.randint(45, 150)), "open", ops,
                now - timedelta(days=rnd.uniform(1, 30)), "7,1")
    rows.sort(key=lambda r: r[0])
    bulk_insert(Deadline, [Deadline.created_at, Deadline.updated_at, Deadline.case, Deadline.description, Deadline.kind,
                           Deadline.due_at, Deadline.responsible, Deadline.alert_days, Deadline.alert_from,
                           Deadline.status, Deadline.done_at, Deadline.done_by, Deadline.note, Deadline.created_by], rows)


@generator("interventions")
def generate_interventions(database, fake: Faker, sizes: dict[str, int]) -> None:
    """About two per case being worked: done ones in its past, planned ones in the coming weeks, a few
    cancelled; office hours. The operations account: WORKLOAD["interventions_today"] planned today and
    WORKLOAD["interventions_week"] more this week (done when already past), besides its cases' past."""
    rnd = fake.random
    now = anchor()
    today = _local_day(now)
    ops = _bench_ids()["operations"]
    crew = _crew(("operations",)) or _crew(("management",))
    holidays = {day for (day,) in Holiday.select(Holiday.day).where(Holiday.region == "CO").tuples()}
    rows = []

    def add(case_id, starts, status, assigned, created):
        minutes = rnd.choice((30, 45, 60, 60, 90, 120))
        done_at = min(now, starts + timedelta(minutes=minutes)) if status == "done" else None
        place = rnd.choice(INTERVENTION_PLACES).format(n=rnd.randint(1, 40))
        report = (rnd.choice(("Se revisaron los documentos y se resolvieron las dudas del cliente.",
                              "Se asistió a la diligencia; queda pendiente el acta.",
                              "Se inspeccionó el lugar y se tomaron fotografías.")),
                  rnd.choice(TREATMENTS), rnd.choice(("Expediente físico", "Portátil y formatos", "Vehículo de la firma")),
                  rnd.choice(("Guardar los soportes de pago.", "No firmar nada sin consultarnos.",
                              "Enviar los documentos que faltan esta semana."))) if done_at else ("", "", "", "")
        rows.append((min(created, starts), done_at or created, case_id, starts, minutes, place, rnd.choice(INTERVENTION_PURPOSES),
                     assigned, status, done_at, *report, assigned))

    def office(day):
        return _utc_at(day, rnd.randrange(8 * 4, 17 * 4) * 15)

    mine = [case_id for case_id, *_rest in _workload_cases(ops)]
    for case_id, status, opened, responsible in Case.select(Case.id, Case.status, Case.created_at, Case.responsible).where(
            Case.status != "closed").order_by(Case.id).tuples():
        assigned = responsible if responsible == ops or rnd.random() < 0.6 else rnd.choice(crew)
        count = rnd.choices((0, 1, 2, 3, 4), (10, 25, 35, 20, 10))[0] + (10 if mine and case_id == mine[0] else 0)
        for _ in range(count):
            draw = rnd.random()
            planned = responsible != ops and draw < {"open": 0.65, "in_progress": 0.28, "resolved": 0.0}[status]
            if planned:
                add(case_id, office(_business_day(today + timedelta(days=rnd.randint(0, 45)), holidays)), "planned",
                    assigned, now - timedelta(days=rnd.uniform(0, 20)))
            else:
                day = _local_day(opened + (now - opened) * rnd.random())
                if day >= today:
                    continue
                add(case_id, office(_business_day(day, holidays) if day.weekday() < 5 else day), "cancelled"
                    if rnd.random() < 0.06 else "done", assigned, opened)
    if mine:
        cases = mine
        for k in range(WORKLOAD["interventions_today"]):
            add(rnd.choice(cases), _utc_at(today, 7 * 60 + k * 23), "planned", ops, now - timedelta(days=rnd.uniform(1, 14)))
        monday = today - timedelta(days=today.weekday())
        week = [monday + timedelta(days=d) for d in range(7) if monday + timedelta(days=d) != today]
        for _ in range(WORKLOAD["interventions_week"]):
            starts = office(rnd.choice(week))
            add(rnd.choice(cases), starts, "done" if starts < now else "planned", ops, now - timedelta(days=rnd.uniform(1, 14)))
    rows.sort(key=lambda r: r[0])
    bulk_insert(Intervention, [Intervention.created_at, Intervention.updated_at, Intervention.case, Intervention.starts_at,
                               Intervention.duration_minutes, Intervention.place, Intervention.purpose,
                               Intervention.assigned, Intervention.status, Intervention.done_at, Intervention.work_done,
                               Intervention.treatment_type, Intervention.resources_used, Intervention.recommendations,
                               Intervention.created_by], rows)


@generator("tasks")
def generate_tasks(database, fake: Faker, sizes: dict[str, int]) -> None:
    """Post-case follow-ups of the cases closed this last year (as closing creates them; follow-ups of
    interactions come with the interactions), and the operations account's WORKLOAD["tasks"] open
    follow-ups, many overdue, on its long-timeline client's recent interactions and on its cases."""
    rnd = fake.random
    now = anchor()
    today = _local_day(now)
    ops = _bench_ids()["operations"]
    rows = []
    for case_id, client_id, title, closed, responsible in Case.select(
            Case.id, Case.client, Case.title, Case.closed_at, Case.responsible).where(
            Case.status == "closed", Case.closed_at >= now - timedelta(days=365)).order_by(Case.closed_at).tuples():
        due = _local_day(closed) + timedelta(days=30)
        done_at = _office_time(rnd, _utc_at(due, 0) + timedelta(days=rnd.uniform(-5, 3)), now) \
            if due < today and rnd.random() < 0.9 else None
        rows.append((closed, done_at or closed, "post_case", f"Seguimiento posterior: {title}"[:300], due, responsible or ops,
                     client_id, case_id, None, done_at, responsible if done_at else None, "", responsible))
    mine = _workload_cases(ops)
    if mine:
        heavy_case, heavy_client = mine[0][0], mine[0][1]
        recent = [iid for (iid,) in Interaction.select(Interaction.id).where(Interaction.client == heavy_client)
                  .order_by(Interaction.id.desc()).limit(300).tuples()]
        for k in range(WORKLOAD["tasks"]):
            created = now - timedelta(days=rnd.uniform(1, 40))
            if k % 2 == 0 and recent:
                client_id, case_id, interaction = heavy_client, heavy_case, rnd.choice(recent)
            else:
                case_id, client_id, *_rest = rnd.choice(mine)
                interaction = None
            rows.append((created, created, "follow_up", rnd.choice(FOLLOW_UPS), today + timedelta(days=rnd.randint(-20, 14)),
                         ops, client_id, case_id, interaction, None, None, "", ops))
    bulk_insert(Task, [Task.created_at, Task.updated_at, Task.kind, Task.title, Task.due_on, Task.owner, Task.client,
                       Task.case, Task.interaction, Task.done_at, Task.done_by, Task.note, Task.created_by], rows)


# ----- surveys, complaints and crisis incidents (issue 6): models/surveys.py, models/complaints.py -----
#
# The last ~24 months of closed cases get a satisfaction invitation (a few by hand, for a client), most
# answered, some expired, the newest still live or pending (and some links to hand over that nobody handed
# over, pending until they expire); a tenth go out with the anonymous template,
# whose responses keep no link to the invitation, client or case. Every sent message has its own link
# (only the SHA-256 of a token nobody knows). Low scores of named responses open a complaint, as the
# public form does; the rest of the register is complaints, claims, requests… received by hand. Crisis
# incidents are a few hundred, with their eight steps, sealed descriptions and follow-up tasks.

SURVEY_MONTHS = 24
SURVEY_EXPIRY_DAYS = 14
SURVEY_REMINDER_DAYS = (3, 7)
SURVEY_V2_MONTHS = 10  # the default template's current version has been in use this many months
SURVEY_NOT_HANDED_OVER = 0.15  # of the links to hand over (no address) at closing, those nobody handed over
DEFAULT_SURVEY_V1 = [  # (kind, criterion, required, text)
    ("rating", "response_times", True, "¿Cómo califica el tiempo que tardamos en responder sus solicitudes?"),
    ("rating", "communication", True, "¿Cómo califica la información que recibió sobre el avance de su caso?"),
    ("rating", "courtesy", True, "¿Cómo califica la amabilidad del equipo que lo atendió?"),
    ("rating", "commitments", True, "¿Cumplimos lo que le prometimos?"),
    ("rating", "accessibility", True, "¿Le resultó fácil comunicarse con nosotros?"),
    ("nps", "", True, "¿Recomendaría nuestra firma a un familiar o amigo?"),
    ("text", "", False, "Comentarios"),
]
# The current version is the app's own default template (services.surveys.DEFAULT_QUESTIONS).
DEFAULT_SURVEY_V2 = [(q["kind"], q["criterion"], q["required"], q["text"]) for q in DEFAULT_QUESTIONS]
ANONYMOUS_SURVEY = [
    ("rating", "overall", True, "En general, ¿qué tan satisfecho está con nuestro servicio?"),
    ("rating", "courtesy", True, "¿Cómo lo trató nuestro equipo?"),
    ("rating", "communication", True, "¿Lo mantuvimos informado?"),
    ("nps", "", True, "¿Nos recomendaría?"),
    ("text", "", False, "Si quiere, déjenos un comentario (no sabremos quién lo escribió)."),
]
# Each response's mood: (weight, rating choices and weights, NPS choices and weights)
SURVEY_MOODS = [
    (58, (5, 4, 3), (68, 29, 3), (10, 9, 8), (55, 35, 10)),
    (31, (5, 4, 3), (30, 55, 15), (10, 9, 8, 7, 6), (5, 17, 40, 35, 3)),
    (8, (4, 3, 2, 1), (20, 42, 28, 10), (7, 6, 5, 4, 3), (15, 30, 30, 15, 10)),
    (3, (3, 2, 1), (20, 40, 40), (4, 3, 2, 1, 0), (15, 20, 25, 20, 20)),
]
SURVEY_COMMENTS = {
    "good": ["Excelente atención, siempre me mantuvieron informado.", "Muy profesionales y amables. Gracias.",
             "Resolvieron mi caso más rápido de lo que esperaba.", "La abogada fue muy clara al explicarme cada paso.",
             "Todo muy bien, los recomiendo.", "Gracias por la paciencia y la dedicación."],
    "fair": ["Buen servicio, aunque a veces tardaban en devolver las llamadas.",
             "Me hubiera gustado recibir más actualizaciones del proceso.",
             "Buena atención; el parqueadero de la oficina es difícil.", "El resultado fue bueno, pero el proceso fue largo."],
    "bad": ["Nunca me devolvieron las llamadas y tuve que insistir mucho.", "No me explicaron los costos adicionales.",
            "Me cambiaron de abogado sin avisarme.", "Tardaron semanas en responder un correo.",
            "No quedé satisfecho con el resultado ni con la atención."],
}
COMPLAINT_CATEGORIES = ["Demora en la respuesta", "Comunicación del avance del caso", "Trato del personal",
                        "Honorarios y cobros", "Facturación", "Atención telefónica", "Citas y agenda",
                        "Documentos extraviados o incompletos", "Instalaciones", "Resultado del proceso",
                        "Confidencialidad", "Cambio de abogado responsable", "Otro"]
COMPLAINT_KIND_MIX = {"complaint": 34, "claim": 14, "request": 26, "query": 13, "suggestion": 8, "compliment": 5}
COMPLAINT_SEVERITY_MIX = {"low": 40, "medium": 45, "high": 15}
COMPLAINT_CHANNEL_MIX = {"email": 32, "phone": 26, "in_person": 14, "web": 12, "messaging": 12, "letter": 4}
SLA_DAYS = {"low": (2, 10), "medium": (1, 5), "high": (1, 2)}  # (response, resolution) business days
COMPLAINT_TEXTS = {
    "complaint": ["El cliente se queja de que lleva dos semanas sin noticias de su proceso.",
                  "Queja por la atención en recepción: lo hicieron esperar más de una hora.",
                  "El cliente reclama que no le devolvieron la llamada prometida.",
                  "Queja porque le cambiaron la cita sin avisarle.",
                  "El cliente dice que el abogado no asistió a la reunión acordada."],
    "claim": ["Reclama un cobro de honorarios que no corresponde a lo pactado en el contrato.",
              "Reclama la devolución de documentos originales entregados hace un mes.",
              "Reclama la factura del mes pasado: le cobraron dos veces la misma cuota."],
    "request": ["Solicita copia del expediente completo.", "Solicita cambio de abogado responsable.",
                "Solicita paz y salvo de honorarios.", "Solicita una reunión para revisar la estrategia.",
                "Solicita certificado de la representación para su empleador."],
    "query": ["Pregunta por el estado de su proceso y la fecha de la próxima audiencia.",
              "Consulta cuánto le falta por pagar de los honorarios.", "Pregunta qué documentos debe traer a la cita."],
    "suggestion": ["Sugiere enviar un resumen mensual del caso por correo.", "Sugiere habilitar pagos en línea.",
                   "Sugiere ampliar el horario de atención los sábados."],
    "compliment": ["Felicita a la abogada por el resultado y la atención.", "Agradece la paciencia del equipo de atención.",
                   "Felicitación por la rapidez en la solución del caso."],
}
ROOT_CAUSES = ["Sobrecarga del abogado responsable en el periodo.", "Falla en el registro de la llamada en el sistema.",
               "No se informó al cliente del cambio de agenda.", "Error en la liquidación de la cuota.",
               "El cliente no tenía claro el alcance del contrato.", "Demora del juzgado, no de la firma; faltó explicarlo."]
ACTIONS_TAKEN = ["Se llamó al cliente, se le explicó el estado del proceso y se fijó una reunión.",
                 "Se corrigió la factura y se envió la nota crédito.", "Se asignó un segundo abogado de apoyo al caso.",
                 "Se recordó al equipo el protocolo de devolución de llamadas.", "Se entregaron los documentos originales con acta.",
                 "Se envió al cliente el resumen escrito del avance."]
CRISIS_BEHAVIOURS = ["El cliente llegó alterado a recepción, levantó la voz y exigió hablar con el socio.",
                     "Por teléfono, el cliente insultó a la asistente y amenazó con denunciar a la firma.",
                     "El cliente golpeó el mostrador y se negó a salir hasta recibir su expediente.",
                     "El cliente envió mensajes agresivos reiterados por WhatsApp a la abogada."]
CRISIS_SOLUTIONS = ["Se ofreció devolver la cuota del mes.", "Se cambió el abogado responsable del caso.",
                    "Se programó una reunión con la gerencia para el día siguiente.", "Se entregó copia del expediente."]
TABLES += (SURVEY_MONTHS, SURVEY_EXPIRY_DAYS, SURVEY_REMINDER_DAYS, SURVEY_V2_MONTHS, SURVEY_NOT_HANDED_OVER,
           DEFAULT_SURVEY_V1, DEFAULT_SURVEY_V2, ANONYMOUS_SURVEY, SURVEY_MOODS, SURVEY_COMMENTS, COMPLAINT_CATEGORIES,
           COMPLAINT_KIND_MIX, COMPLAINT_SEVERITY_MIX, COMPLAINT_CHANNEL_MIX, SLA_DAYS, COMPLAINT_TEXTS, ROOT_CAUSES,
           ACTIONS_TAKEN, CRISIS_BEHAVIOURS, CRISIS_SOLUTIONS)


def _add_business_days(day, n: int, holidays: set):
    """As services.documents.calendar.add_business_days for n ≥ 1: n business days strictly after ``day``."""
    while n:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in holidays:
            n -= 1
    return day


def _end_of_local_day(day) -> datetime:
    return _utc_at(day, 24 * 60) - timedelta(seconds=1)


HELPERS += (_add_business_days, _end_of_local_day)


CONSENT_NOTICE = ("Aviso de privacidad de Duarte & Asociados Abogados: tratamos sus datos personales para prestarle "
                  "el servicio contratado y, si lo autoriza, para pedirle su opinión sobre él (Ley 1581 de 2012).")
CONSENT_SHARES = {"service": 1.0, "surveys": 0.85, "newsletter": 0.1}  # of the clients past intake
TABLES += (CONSENT_NOTICE, CONSENT_SHARES)


@generator("consents")
def generate_consents(database, fake: Faker, sizes: dict[str, int]) -> None:
    """The privacy notice and the consents of the clients past intake, given when they were registered
    (written or electronic): service always, surveys for most, the newsletter for some; a few withdrew
    their consent for surveys later (a second row: the register is append-only)."""
    rnd = fake.random
    now = anchor()
    at0 = now - timedelta(days=HISTORY_YEARS * 365 + 30)
    notice_id = _next_id(PrivacyNotice)
    digest = PrivacyNotice.digest(CONSENT_NOTICE)
    bulk_insert(PrivacyNotice, [PrivacyNotice.created_at, PrivacyNotice.updated_at, PrivacyNotice.id,
                                PrivacyNotice.version, PrivacyNotice.text, PrivacyNotice.sha256],
                [(at0, at0, notice_id, "1.0", CONSENT_NOTICE, digest)])
    rows = []
    for client_id, created, creator in Client.select(Client.id, Client.created_at, Client.created_by).where(
            Client.status.in_(("evaluating", "accepted", "active", "former"))).order_by(Client.id).tuples():
        method = rnd.choice(("written", "written", "electronic"))
        for purpose, share in CONSENT_SHARES.items():
            if rnd.random() >= share:
                continue
            rows.append((created, created, client_id, purpose, True, method, _local_day(created), notice_id, digest,
                         creator, ""))
            if purpose == "surveys" and rnd.random() < 0.02:
                later = created + (now - created) * rnd.uniform(0.3, 0.99)
                rows.append((later, later, client_id, purpose, False, "electronic", _local_day(later), notice_id, digest,
                             None, "Retiró la autorización para encuestas."))
    rows.sort(key=lambda r: r[0])
    bulk_insert(Consent, [Consent.created_at, Consent.updated_at, Consent.client, Consent.purpose, Consent.granted,
                          Consent.method, Consent.given_on, Consent.notice, Consent.notice_sha256, Consent.collected_by,
                          Consent.notes], rows)


@generator("survey_templates")
def generate_survey_templates(database, fake: Faker, sizes: dict[str, int]) -> None:
    """The default template (an older version, then the current one) and an anonymous template."""
    now = anchor()
    quality = _crew(("quality",)) or _crew(("management",))
    first = _next_id(SurveyTemplate)
    v1_at = now - timedelta(days=30 * SURVEY_MONTHS + 60)
    v2_at = now - timedelta(days=30 * SURVEY_V2_MONTHS)
    intro = ("Gracias por confiar en nosotros. Su opinión sobre el servicio que recibió nos ayuda a mejorar: "
             "responder le toma menos de tres minutos.")
    templates = [  # (id, family, version, is_current, is_active, is_default, name, anonymous, created, questions)
        (first, first, 1, False, False, False, DEFAULT_NAME, False, v1_at, DEFAULT_SURVEY_V1),
        (first + 1, first, 2, True, True, True, DEFAULT_NAME, False, v2_at, DEFAULT_SURVEY_V2),
        (first + 2, first + 2, 1, True, True, False, "Encuesta anónima de satisfacción", True, v1_at, ANONYMOUS_SURVEY),
    ]
    bulk_insert(SurveyTemplate, [SurveyTemplate.created_at, SurveyTemplate.updated_at, SurveyTemplate.id,
                                 SurveyTemplate.family, SurveyTemplate.version, SurveyTemplate.is_current,
                                 SurveyTemplate.is_active, SurveyTemplate.is_default, SurveyTemplate.name,
                                 SurveyTemplate.intro, SurveyTemplate.anonymous, SurveyTemplate.created_by],
                [(at, at, tid, family, version, current, active, default, name, intro, anonymous, quality[0])
                 for tid, family, version, current, active, default, name, anonymous, at, _q in templates])
    rows = [(at, at, tid, position, kind, question, "1 = muy insatisfecho · 5 = muy satisfecho" if kind == "rating" else
             "0 = nada probable · 10 = muy probable" if kind == "nps" else "Opcional.", required, "", criterion)
            for tid, *_rest, at, questions in templates
            for position, (kind, criterion, required, question) in enumerate(questions, 1)]
    bulk_insert(SurveyQuestion, [SurveyQuestion.created_at, SurveyQuestion.updated_at, SurveyQuestion.template,
                                 SurveyQuestion.position, SurveyQuestion.kind, SurveyQuestion.text, SurveyQuestion.help,
                                 SurveyQuestion.required, SurveyQuestion.choices, SurveyQuestion.criterion], rows)


def _survey_templates() -> dict[str, tuple[int, list[tuple]]]:
    """{"v1"|"v2"|"anonymous": (template id, [(question id, kind, criterion, required)])}."""
    out = {}
    for template in SurveyTemplate.select().order_by(SurveyTemplate.id):
        key = "anonymous" if template.anonymous else f"v{template.version}"
        out[key] = (template.id, list(SurveyQuestion.select(SurveyQuestion.id, SurveyQuestion.kind, SurveyQuestion.criterion,
                                                            SurveyQuestion.required).where(SurveyQuestion.template == template.id)
                                      .order_by(SurveyQuestion.position).tuples()))
    return out


HELPERS += (_survey_templates,)


@generator("surveys")
def generate_surveys(database, fake: Faker, sizes: dict[str, int]) -> None:
    """Invitations for closed cases of the last SURVEY_MONTHS (a sample when there are more than the size,
    a few by hand), their links, the responses with their summary columns and their answers."""
    rnd = fake.random
    now = anchor()
    today = _local_day(now)
    templates = _survey_templates()
    v2_from = now - timedelta(days=30 * SURVEY_V2_MONTHS)
    crew = _crew(("service", "commercial"))
    latest = Consent.select(fn.MAX(Consent.id)).where(Consent.purpose == "surveys").group_by(Consent.client)
    consenting = {cid for (cid,) in Consent.select(Consent.client).where(Consent.id.in_(latest), Consent.granted == True)  # noqa: E712
                  .tuples()}
    emails = {cid: email for cid, email in Client.select(Client.id, Client.email).tuples() if cid in consenting}
    n_invitations = round(sizes["survey_responses"] * 1.4)
    cases = list(Case.select(Case.id, Case.client, Case.closed_at, Case.practice_area, Case.responsible)
                 .where(Case.status == "closed", Case.closed_at >= now - timedelta(days=30 * SURVEY_MONTHS))
                 .order_by(Case.id).tuples())
    cases = rnd.sample(cases, min(len(cases), n_invitations))  # the survey is recent: not every closed case had one
    moods = [(r, rw, p, pw) for _w, r, rw, p, pw in SURVEY_MOODS]
    mood_weights = [w for w, *_rest in SURVEY_MOODS]

    of_client = {cid: (area, responsible) for cid, area, responsible in
                 Client.select(Client.id, Client.practice_area, Client.responsible).tuples()}

    specs = []  # one per invitation, in creation order
    for case_id, client_id, closed, area, responsible in cases:
        by_hand = rnd.random() < 0.03
        created = _office_time(rnd, closed + timedelta(days=rnd.uniform(5, 60)), now) if by_hand else closed
        client_area, client_responsible = of_client[client_id]
        if by_hand and rnd.random() < 0.5:  # for the client, not a case: the client's area and responsible
            specs.append((created, client_id, None, client_area, client_responsible, client_area, client_responsible,
                          by_hand))
        else:  # the response takes the case's (services.surveys.answers.store), the invitation the case's else the
            # client's (services.surveys.invite)
            specs.append((created, client_id, case_id, area, responsible, area or client_area,
                          responsible or client_responsible, by_hand))
    specs.sort(key=lambda s: s[0])

    inv_rows, link_rows, responses, answers = [], [], [], []
    first_inv, first_resp = _next_id(SurveyInvitation), _next_id(SurveyResponse)
    for k, (created, client_id, case_id, area, responsible, inv_area, inv_responsible, by_hand) in enumerate(specs):
        inv_id = first_inv + k
        anonymous = rnd.random() < 0.10
        key = "anonymous" if anonymous else "v2" if created >= v2_from else "v1"
        template_id, questions = templates[key]
        email = emails.get(client_id) or ""
        send_on = _local_day(created) + timedelta(days=0 if by_hand else rnd.choices((0, 1, 2, 3, 5, 8), (20, 35, 20, 12, 8, 5))[0])
        sent_at = max(created, _utc_at(send_on, 7 * 60 + rnd.uniform(0, 60)))
        expires = sent_at + timedelta(days=SURVEY_EXPIRY_DAYS)
        draw = rnd.random()
        answered_at = opened_at = withdrawn_at = None
        if draw < 0.715:
            delay = rnd.choices(((0.02, 3), (3, 7), (7, 13.9)), (58, 28, 14))[0]
            answered_at = sent_at + timedelta(days=rnd.uniform(*delay))
            opened_at = answered_at - timedelta(minutes=rnd.uniform(2, 15))
        elif draw < 0.725:
            withdrawn_at = sent_at + timedelta(days=rnd.uniform(0.5, 10))
        elif draw < 0.85:
            opened_at = sent_at + timedelta(days=rnd.uniform(0.01, 13))
        if send_on > today or sent_at > now:  # its day, or the hour the job sends it, has not come yet
            status, sent_at, answered_at, opened_at, withdrawn_at = "pending", None, None, None, None
            expires = _utc_at(send_on, 7 * 60) + timedelta(days=SURVEY_EXPIRY_DAYS)
        elif not email and not by_hand and rnd.random() < SURVEY_NOT_HANDED_OVER:
            # A link to hand over (no address) that nobody handed over: pending, never sent, until its expiry
            # (services.surveys.invite), then expired by the job (services.surveys.expire_invitations); the results
            # count it as not sent yet, then as expired on that day.
            sent_at = answered_at = opened_at = withdrawn_at = None
            expires = max(created, _utc_at(send_on, 0)) + timedelta(days=SURVEY_EXPIRY_DAYS)
            status = "pending" if expires > now else "expired"
        elif withdrawn_at and withdrawn_at <= now:
            status, answered_at, opened_at = "withdrawn", None, None
        elif answered_at and answered_at <= now:
            status = "answered"
        elif expires <= now:
            status, answered_at = "expired", None
        else:
            status = "opened" if opened_at and opened_at <= now else "sent"
            answered_at = withdrawn_at = None
            opened_at = opened_at if status == "opened" else None
        end = answered_at or withdrawn_at or min(expires, now)
        reminders = [sent_at + timedelta(days=d) for d in SURVEY_REMINDER_DAYS] if sent_at and email else []
        reminders = [at for at in reminders if at < end]
        last_sent = reminders[-1] if reminders else sent_at
        creator = rnd.choice(crew) if by_hand else None
        if anonymous:  # only the day of the opening and of the answer (services.surveys.mark_opened, survey_answers.submit)
            opened_at = opened_at and _utc_at(_local_day(opened_at), 0)
            answered_at = answered_at and _utc_at(_local_day(answered_at), 0)
        updated = max(t for t in (created, sent_at, opened_at, answered_at, withdrawn_at, last_sent) if t)
        if anonymous and answered_at:
            updated = answered_at  # the answer stamps the invitation with its midnight too
        inv_rows.append((created, updated, inv_id, template_id, client_id, case_id, email, status, send_on, sent_at,
                         opened_at, answered_at, expires, len(reminders), last_sent, withdrawn_at, creator, inv_area,
                         inv_responsible))
        if sent_at:  # a link exists once sent, or handed over (services.surveys.hand_over_link)
            link_rows.append((sent_at, sent_at, inv_id, hex_digits(rnd, 64), "email" if email else "manual"))
            link_rows += [(at, at, inv_id, hex_digits(rnd, 64), "reminder") for at in reminders]
        if status != "answered":
            continue
        # The response and its answers, as the public form stores them.
        ratings, weights, npss, nps_weights = rnd.choices(moods, mood_weights)[0]
        resp_id = first_resp + len(responses)
        day = _local_day(answered_at)
        at = answered_at  # an anonymous one is already at the firm's midnight of its day
        scores, nps, comment, by_criterion = [], None, "", {}
        for question_id, kind, criterion, required in questions:
            if kind == "rating":
                if not required and rnd.random() < 0.2:
                    continue
                score = rnd.choices(ratings, weights)[0]
                if criterion == "response_times" and rnd.random() < 0.15:
                    score = max(1, score - 1)
                elif criterion == "courtesy" and rnd.random() < 0.15:
                    score = min(5, score + 1)
                scores.append(score)
                by_criterion.setdefault(criterion, score)
                answers.append((at, at, resp_id, question_id, criterion, score, ""))
            elif kind == "nps":
                nps = rnd.choices(npss, nps_weights)[0]
                answers.append((at, at, resp_id, question_id, criterion, nps, ""))
            elif rnd.random() < (0.3 if min(scores or [5]) >= 4 else 0.7):
                tone = "good" if min(scores or [5]) >= 4 else "fair" if min(scores or [5]) == 3 else "bad"
                comment = rnd.choice(SURVEY_COMMENTS[tone])
                answers.append((at, at, resp_id, question_id, criterion, None, comment))
        low = min(scores or [5]) <= 2 or (nps is not None and nps <= 6)
        responses.append((at, at, resp_id, template_id, None if anonymous else inv_id, None if anonymous else client_id,
                          None if anonymous else case_id, anonymous, None if anonymous else area,
                          None if anonymous else responsible, day, day.replace(day=1),
                          len(scores), sum(scores), sum(1 for s in scores if s >= 4), min(scores) if scores else None,
                          nps, bool(comment), low, anonymous and low,  # alert_sent: earlier quality digests
                          *(by_criterion.get(c) for c in CRITERIA)))

    bulk_insert(SurveyInvitation, [SurveyInvitation.created_at, SurveyInvitation.updated_at, SurveyInvitation.id,
                                   SurveyInvitation.template, SurveyInvitation.client, SurveyInvitation.case,
                                   SurveyInvitation.email, SurveyInvitation.status, SurveyInvitation.send_on,
                                   SurveyInvitation.sent_at, SurveyInvitation.opened_at, SurveyInvitation.answered_at,
                                   SurveyInvitation.expires_at, SurveyInvitation.reminders_sent,
                                   SurveyInvitation.last_sent_at, SurveyInvitation.withdrawn_at,
                                   SurveyInvitation.created_by, SurveyInvitation.practice_area,
                                   SurveyInvitation.responsible], inv_rows)
    bulk_insert(SurveyLink, [SurveyLink.created_at, SurveyLink.updated_at, SurveyLink.invitation, SurveyLink.token_hash,
                             SurveyLink.purpose], link_rows)
    # Each case's first survey moment, as sending an invitation keeps it (Case.note_survey_sent).
    with db.atomic():
        db.execute_sql("UPDATE legal_case SET survey_sent_at = (SELECT MIN(i.sent_at) FROM survey_invitation i"
                       " WHERE i.case_id = legal_case.id) WHERE id IN (SELECT case_id FROM survey_invitation"
                       " WHERE sent_at IS NOT NULL)")
    # Responses in the order they were given (anonymous ones keep only their day).
    order = sorted(range(len(responses)), key=lambda i: (responses[i][10], responses[i][2]))
    renumber = {responses[i][2]: first_resp + j for j, i in enumerate(order)}
    bulk_insert(SurveyResponse, [SurveyResponse.created_at, SurveyResponse.updated_at, SurveyResponse.id,
                                 SurveyResponse.template, SurveyResponse.invitation, SurveyResponse.client,
                                 SurveyResponse.case, SurveyResponse.anonymous, SurveyResponse.practice_area,
                                 SurveyResponse.responsible, SurveyResponse.answered_on, SurveyResponse.month,
                                 SurveyResponse.ratings_count, SurveyResponse.ratings_sum, SurveyResponse.ratings_high,
                                 SurveyResponse.min_rating, SurveyResponse.nps, SurveyResponse.has_comment,
                                 SurveyResponse.low_score, SurveyResponse.alert_sent,
                                 *(SurveyResponse.criterion_field(c) for c in CRITERIA)],
                (row[:2] + (renumber[row[2]],) + row[3:] for row in (responses[i] for i in order)))
    answers.sort(key=lambda a: renumber[a[2]])
    bulk_insert(SurveyAnswer, [SurveyAnswer.created_at, SurveyAnswer.updated_at, SurveyAnswer.response,
                               SurveyAnswer.question, SurveyAnswer.criterion, SurveyAnswer.score, SurveyAnswer.value],
                (a[:2] + (renumber[a[2]],) + a[3:] for a in answers))


@generator("complaints")
def generate_complaints(database, fake: Faker, sizes: dict[str, int]) -> None:
    """The register: a complaint for each named low-score response (source "survey"), the rest received by
    hand over the same months, with SLA due dates in business days, owners, status history, and the outcome
    of the resolved ones. The service account owns a few dozen open ones and some closed."""
    rnd = fake.random
    now = anchor()
    holidays = {day for (day,) in Holiday.select(Holiday.day).where(Holiday.region == "CO").tuples()}
    service = _crew(("service",)) or _crew(("management",))
    others = _crew(("operations", "commercial", "quality")) or service
    supervisors = _crew(("management", "quality")) or service
    bench_service = _bench_ids()["service"]
    at0 = now - timedelta(days=30 * SURVEY_MONTHS + 60)
    bulk_insert(ComplaintCategory, [ComplaintCategory.created_at, ComplaintCategory.updated_at, ComplaintCategory.name,
                                    ComplaintCategory.is_active],
                [(at0, at0, name, True) for name in COMPLAINT_CATEGORIES])
    categories = dict(ComplaintCategory.select(ComplaintCategory.name, ComplaintCategory.id).tuples())
    category_ids = [categories[name] for name in COMPLAINT_CATEGORIES]
    bulk_insert(SlaRule, [SlaRule.created_at, SlaRule.updated_at, SlaRule.kind, SlaRule.severity, SlaRule.response_days,
                          SlaRule.resolution_days],
                [(at0, at0, kind, severity, *SLA_DAYS[severity]) for kind in COMPLAINT_KIND_MIX for severity in SLA_DAYS
                 if kind != "compliment"])  # a compliment has no SLA

    specs = []  # (received, kind, severity, channel, source, response id, client, case, area, text)
    n = sizes["complaints"]
    for resp_id, client_id, case_id, area, answered in (
            SurveyResponse.select(SurveyResponse.id, SurveyResponse.client, SurveyResponse.case,
                                  SurveyResponse.practice_area, SurveyResponse.created_at)
            .where(SurveyResponse.low_score == True, SurveyResponse.anonymous == False)  # noqa: E712
            .order_by(SurveyResponse.id).limit(n // 3).tuples()):
        specs.append((answered + timedelta(seconds=1), "complaint", "medium", "survey", "survey", resp_id, client_id,
                      case_id, area, "Respuesta de la encuesta de satisfacción con calificación baja: hacer seguimiento."))
    clients = list(Client.select(Client.id, Client.practice_area, Client.created_at)
                   .where(Client.status.in_(("active", "former", "accepted"))).tuples())
    client_cases: dict[int, list] = {}
    for case_id, client_id, area in Case.select(Case.id, Case.client, Case.practice_area).where(
            Case.closed_at.is_null() | (Case.closed_at >= now - timedelta(days=30 * SURVEY_MONTHS + 90))).tuples():
        client_cases.setdefault(client_id, []).append((case_id, area))
    kinds, kind_weights = _weighted(COMPLAINT_KIND_MIX)
    severities, severity_weights = _weighted(COMPLAINT_SEVERITY_MIX)
    channels, channel_weights = _weighted(COMPLAINT_CHANNEL_MIX)
    # A few recurring clients: about a tenth of the register comes from 2 % of the clients.
    recurring = rnd.sample(clients, max(1, len(clients) // 50))
    span = timedelta(days=30 * SURVEY_MONTHS)
    while len(specs) < n:
        received = _office_time(rnd, now - span * (rnd.random() ** 1.15), now)
        kind = rnd.choices(kinds, kind_weights)[0]
        if rnd.random() < 0.12:
            client_id = area = case_id = None
        else:
            client_id, area, _created = rnd.choice(recurring) if rnd.random() < 0.1 else rnd.choice(clients)
            case_id = None
            if client_id in client_cases and rnd.random() < 0.6:
                case_id, area = rnd.choice(client_cases[client_id])
        severity = rnd.choices(severities, severity_weights)[0] if kind in ("complaint", "claim") else \
            rnd.choice(("low", "low", "medium"))
        specs.append((received, kind, severity, rnd.choices(channels, channel_weights)[0], "manual", None, client_id,
                      case_id, area, rnd.choice(COMPLAINT_TEXTS[kind])))
    specs.sort(key=lambda s: s[0])

    first_id = _next_id(Complaint)
    rows, changes, sequence = [], [], {}
    mine_open = 0
    for k, (received, kind, severity, channel, source, resp_id, client_id, case_id, area, description) in enumerate(specs):
        complaint_id = first_id + k
        year = _local_day(received).year
        sequence[year] = sequence.get(year, 0) + 1
        response_days, resolution_days = SLA_DAYS[severity]
        day = _local_day(received)
        response_due = _end_of_local_day(_add_business_days(day, response_days, holidays))
        due = _end_of_local_day(_add_business_days(day, resolution_days, holidays))
        age = (now - received).days
        if age > 45:
            status = rnd.choices(("closed", "resolved", "resolution", "analysis"), (92, 5, 2, 1))[0]
        else:
            status = rnd.choices(("received", "analysis", "resolution", "resolved", "closed"),
                                 (6 + max(0, 10 - age) * 3, 12, 14, 18, 50 if age > 10 else 10))[0]
        owner = rnd.choice(service) if rnd.random() < 0.7 else rnd.choice(others)
        if status in ("received", "analysis", "resolution") and mine_open < 40 and rnd.random() < 0.05:
            owner, mine_open = bench_service, mine_open + 1
        elif status == "closed" and rnd.random() < 0.01:
            owner = bench_service
        late = rnd.random() < 0.18  # resolved after the SLA
        span_h = (due - received).total_seconds() / 3600
        first_response = min(now, received + timedelta(hours=rnd.uniform(0.5, 20 if not late else 60)))
        resolved = received + timedelta(hours=span_h * (rnd.uniform(1.05, 3) if late else rnd.uniform(0.15, 0.98)))
        closed = resolved + timedelta(days=rnd.uniform(0.5, 8))
        if status in ("resolved", "closed") and resolved > now:
            resolved = received + (now - received) * rnd.uniform(0.3, 0.9)
        if status == "closed" and closed > now:
            closed = resolved + (now - resolved) * rnd.uniform(0.2, 0.95)
        path = {"received": [], "analysis": ["analysis"], "resolution": ["analysis", "resolution"],
                "resolved": ["analysis", "resolution", "resolved"],
                "closed": ["analysis", "resolution", "resolved", "closed"]}[status]
        reopened = 1 if status == "closed" and rnd.random() < 0.03 else 0
        times = {"analysis": first_response, "resolution": first_response + (resolved - first_response) * 0.3
                 if status in ("resolved", "closed") else first_response + (now - first_response) * rnd.uniform(0.1, 0.6),
                 "resolved": resolved, "closed": closed}
        history = [(received, received, complaint_id, "", "received", "", owner)]
        before = "received"
        for step in path:
            at = min(now, max(received, times[step]))
            history.append((at, at, complaint_id, before, step, "", owner))
            if step == "resolved" and reopened:
                back = min(now, at + timedelta(days=rnd.uniform(0.5, 4)))
                history.append((back, back, complaint_id, "resolved", "analysis",
                                "El cliente no quedó conforme con la solución.", rnd.choice(supervisors)))
                history.append((back, back, complaint_id, "analysis", "resolution", "", owner))
            before = step
        changes += history
        done = status in ("resolved", "closed")
        informed = closed - timedelta(hours=rnd.uniform(1, 20)) if status == "closed" else \
            resolved + timedelta(hours=2) if done and rnd.random() < 0.5 and resolved + timedelta(hours=2) < now else None
        last = max(row[0] for row in history)
        alert = 0
        if status in OPEN_STATES and kind != "compliment":
            alert = ALERT_BREACH if now > due else ALERT_NEAR if due - now < timedelta(days=1) else 0
        rows.append((received, last, complaint_id, f"Q-{year}-{sequence[year]:05d}", kind, client_id,
                     "" if client_id else fake.name()[:200] if rnd.random() < 0.8 else "",
                     "" if client_id else _mobile(rnd), case_id, area, channel, source, resp_id, description,
                     rnd.choice(category_ids[:3]) if source == "survey" else rnd.choice(category_ids), severity, received,
                     owner, *((None, None) if kind == "compliment" else (response_due, due)),
                     first_response if status != "received" else None, status,
                     resolved if done else None, closed if status == "closed" else None,
                     rnd.choice(ROOT_CAUSES) if done or status == "resolution" else "",
                     rnd.choice(ACTIONS_TAKEN) if done else "", informed,
                     rnd.choice(("phone", "email", "in_person")) if informed else "",
                     rnd.choices(("agreed", "disagreed", "no_answer"), (85, 5, 10))[0] if status == "closed" else "",
                     reopened, alert, owner if source == "manual" else None))
    bulk_insert(Complaint, [Complaint.created_at, Complaint.updated_at, Complaint.id, Complaint.number, Complaint.kind,
                            Complaint.client, Complaint.walk_in_name, Complaint.walk_in_contact, Complaint.case,
                            Complaint.practice_area, Complaint.channel, Complaint.source, Complaint.survey_response,
                            Complaint.description, Complaint.category, Complaint.severity, Complaint.received_at,
                            Complaint.owner, Complaint.response_due_at, Complaint.due_at, Complaint.first_response_at,
                            Complaint.status, Complaint.resolved_at, Complaint.closed_at, Complaint.root_cause,
                            Complaint.actions_taken, Complaint.informed_at, Complaint.informed_channel,
                            Complaint.client_agreement, Complaint.reopened, Complaint.alert_level,
                            Complaint.created_by], rows)
    changes.sort(key=lambda c: (c[0], c[2]))
    bulk_insert(ComplaintStatusChange, [ComplaintStatusChange.created_at, ComplaintStatusChange.updated_at,
                                        ComplaintStatusChange.complaint, ComplaintStatusChange.from_status,
                                        ComplaintStatusChange.to_status, ComplaintStatusChange.note,
                                        ComplaintStatusChange.changed_by], changes)


@generator("crisis")
def generate_crisis(database, fake: Faker, sizes: dict[str, int]) -> None:
    """Crisis incidents over the same months (the latest few still open), each with the protocol's steps
    as they were ticked, sealed descriptions, the supervisor's intervention when escalated, a complaint for
    some, and the "Seguimiento posterior" task."""
    rnd = fake.random
    now = anchor()
    field_cipher = crypto.keys.field
    service = _crew(("service",)) or _crew(("management",))
    supervisors = _crew(("management",)) or service
    supervisor_of = dict(User.select(User.id, User.supervisor).where(User.supervisor.is_null(False)).tuples())
    clients = list(Client.select(Client.id).where(Client.status.in_(("active", "former")),
                                                  Client.customer_type.in_(("aggressive", "impatient"))).tuples())
    clients = clients or list(Client.select(Client.id).tuples())
    cases = {}
    for case_id, client_id in Case.select(Case.id, Case.client).where(Case.status != "closed").tuples():
        cases.setdefault(client_id, case_id)
    complaints = [cid for (cid,) in Complaint.select(Complaint.id).where(Complaint.kind == "complaint",
                                                                        Complaint.source == "manual").tuples()]
    n = sizes["crisis_incidents"]
    span = timedelta(days=30 * SURVEY_MONTHS)
    occurred = sorted(_office_time(rnd, now - span * rnd.random(), now) for _ in range(n))
    first_id, first_task = _next_id(CrisisIncident), _next_id(Task)
    incidents, steps, tasks, linked = [], [], [], []
    for k, at in enumerate(occurred):
        incident_id = first_id + k
        (client_id,) = rnd.choice(clients)
        opener = rnd.choice(service)
        open_ = k >= n - max(1, n // 40)
        escalated = rnd.random() < 0.55
        supervisor = supervisor_of.get(opener) or rnd.choice(supervisors) if escalated else None
        step_count = rnd.randint(3, 7) if open_ else 8
        when = at
        for step in range(1, step_count + 1):
            when = min(now, when + timedelta(minutes=rnd.uniform(1, 6 if step < 7 else 60)))
            steps.append((when, when, incident_id, step, when, opener, ""))
        closed_at = None if open_ else min(now, when + timedelta(days=rnd.uniform(1, 10)))
        complaint = rnd.choice(complaints) if complaints and rnd.random() < 0.3 else None
        if complaint:
            linked.append(complaint)
        seal = field_cipher.encrypt
        task_id = first_task + len(tasks)
        due = _local_day(at) + timedelta(days=rnd.randint(2, 5))
        done = not open_ and rnd.random() < 0.95
        tasks.append((at, at, task_id, "crisis", "Seguimiento posterior: contactar al cliente tras el incidente",
                      due, opener, client_id, cases.get(client_id), None,
                      closed_at if done else None, opener if done else None, "", opener))
        incidents.append((at, closed_at or when, incident_id, client_id, cases.get(client_id), complaint, opener, at,
                          rnd.choice(("in_person", "in_person", "phone", "messaging")), "open" if open_ else "closed",
                          seal(rnd.choice(CRISIS_BEHAVIOURS), f"crisis_incident|behaviour|{incident_id}"),
                          ",".join(sorted(rnd.sample(CRISIS_ACTIONS, rnd.randint(1, 3)))),
                          seal(rnd.choice(CRISIS_SOLUTIONS), f"crisis_incident|solution|{incident_id}"),
                          rnd.random() < 0.05, supervisor, at + timedelta(minutes=rnd.uniform(5, 30)) if supervisor else None,
                          seal("El supervisor habló con el cliente y acordó una reunión.",
                               f"crisis_incident|supervisor_note|{incident_id}") if supervisor and not open_ else "",
                          at + timedelta(minutes=rnd.uniform(30, 120)) if supervisor and not open_ else None,
                          seal("El cliente se calmó y aceptó la solución propuesta.", f"crisis_incident|outcome|{incident_id}")
                          if not open_ else "", closed_at, task_id,
                          "", ""))  # closing reason, open items: a closed incident has done its eight steps
    bulk_insert(Task, [Task.created_at, Task.updated_at, Task.id, Task.kind, Task.title, Task.due_on, Task.owner,
                       Task.client, Task.case, Task.interaction, Task.done_at, Task.done_by, Task.note, Task.created_by],
                tasks)
    bulk_insert(CrisisIncident, [CrisisIncident.created_at, CrisisIncident.updated_at, CrisisIncident.id,
                                 CrisisIncident.client, CrisisIncident.case, CrisisIncident.complaint,
                                 CrisisIncident.opened_by, CrisisIncident.occurred_at, CrisisIncident.channel,
                                 CrisisIncident.status, CrisisIncident.behaviour, CrisisIncident.actions,
                                 CrisisIncident.solution, CrisisIncident.security_called, CrisisIncident.supervisor,
                                 CrisisIncident.escalated_at, CrisisIncident.supervisor_note, CrisisIncident.supervisor_at,
                                 CrisisIncident.outcome, CrisisIncident.closed_at, CrisisIncident.follow_up_task,
                                 CrisisIncident.closing_reason, CrisisIncident.closed_open_items], incidents)
    bulk_insert(CrisisStep, [CrisisStep.created_at, CrisisStep.updated_at, CrisisStep.incident, CrisisStep.step,
                             CrisisStep.done_at, CrisisStep.done_by, CrisisStep.note], steps)
    with db.atomic():
        for batch in _chunks(sorted(set(linked)), 500):
            Complaint.update(source="crisis").where(Complaint.id.in_(batch)).execute()


CONTRACT_FIRST_DAYS = ((0, 14), (14, 45), (45, 120), (120, 400))  # first contact to first contract, in days
CONTRACT_FIRST_WEIGHTS = (30, 40, 22, 8)
CONTRACT_RENEWAL = {"active": 0.9, "former": 0.45}  # the chance each contract that ended was renewed
TABLES += (CONTRACT_FIRST_DAYS, CONTRACT_FIRST_WEIGHTS, CONTRACT_RENEWAL)


@generator("contracts")
def generate_contracts(database, fake: Faker, sizes: dict[str, int]) -> None:
    """For every active and former client a signed first contract some days after its registration (its first
    contact), each from an accepted quotation, then yearly renewals linked to the contract they renew: an active
    client's chain mostly reaches today, a former client's stops earlier. The contract a renewal replaced is
    "renewed", the last one "active" or "expired"; a few drafts."""
    rnd = fake.random
    now = anchor()
    today = _local_day(now)
    commercial = _crew(("commercial", "management"))
    clients = list(Client.select(Client.id, Client.created_at, Client.status)
                   .where(Client.status.in_(tuple(CONTRACT_RENEWAL))).order_by(Client.id).tuples())
    quotations, contracts = [], []
    next_quotation, next_contract = _next_id(Quotation), _next_id(Contract)
    number = (Quotation.select(fn.MAX(Quotation.number)).scalar() or 0) + 1

    def add(client_id, signed, renews, status, author):
        nonlocal next_quotation, next_contract, number
        sent = _utc_at(signed - timedelta(days=rnd.randint(1, 10)), rnd.uniform(8 * 60, 18 * 60))
        decided = _utc_at(signed, rnd.uniform(8 * 60, 18 * 60)) if status != "draft" else None
        quotations.append((sent, decided or sent, next_quotation, client_id, number, 1, True,
                           "accepted" if decided else "sent", "COP", signed + timedelta(days=30), sent, decided, author,
                           "", ""))
        end = signed + timedelta(days=364)
        contracts.append((sent, decided or sent, next_contract, client_id, next_quotation, status, "yearly", 12, signed, end,
                          None if status == "draft" else signed, "" if status == "draft" else "Representante legal",
                          renews, author, "", "", ""))
        next_quotation, next_contract, number = next_quotation + 1, next_contract + 1, number + 1
        return next_contract - 1, end

    for client_id, created, status in clients:
        author = rnd.choice(commercial) if commercial else None
        low, high = rnd.choices(CONTRACT_FIRST_DAYS, CONTRACT_FIRST_WEIGHTS)[0]
        signed = _local_day(created) + timedelta(days=int(rnd.uniform(low, high)))
        if signed > today:
            continue
        chain = []
        while True:
            chain.append((signed, chain[-1][0] if chain else None))
            end = signed + timedelta(days=364)
            if end >= today or rnd.random() >= CONTRACT_RENEWAL[status]:
                break
            signed = end - timedelta(days=rnd.randint(0, 20))  # signed before the old one ends
            if status == "former" and signed + timedelta(days=364) >= today:
                break  # a former client has no contract running today
        previous = None
        for k, (day, _renews) in enumerate(chain):
            last = k == len(chain) - 1
            state = "renewed" if not last else "active" if day + timedelta(days=364) >= today else "expired"
            previous, _end = add(client_id, day, previous, state, author)
        if rnd.random() < 0.01:
            add(client_id, today - timedelta(days=rnd.randint(0, 30)), None, "draft", author)
    bulk_insert(Quotation, [Quotation.created_at, Quotation.updated_at, Quotation.id, Quotation.client,
                            Quotation.number, Quotation.version, Quotation.is_current, Quotation.status,
                            Quotation.currency, Quotation.valid_until, Quotation.sent_at, Quotation.decided_at,
                            Quotation.created_by, Quotation.notes, Quotation.decision_reason], quotations)
    bulk_insert(Contract, [Contract.created_at, Contract.updated_at, Contract.id, Contract.client, Contract.quotation,
                           Contract.status, Contract.frequency, Contract.duration_months, Contract.start_date,
                           Contract.end_date, Contract.signed_on, Contract.signer, Contract.renews, Contract.created_by,
                           Contract.conditions, Contract.firm_duties, Contract.client_duties],
                contracts)


# ----- quality notes to the staff -----

NOTE_TITLES = ("Resultados de satisfacción del mes", "Quejas: lo que aprendimos", "Tiempos de respuesta",
               "Retención de clientes del trimestre", "Encuestas: más respuestas", "Plazos cumplidos")
NOTE_BODIES = ("La satisfacción subió tres puntos frente al mes anterior. Gracias por devolver las llamadas el "
               "mismo día.\nSeguimos atentos a los tiempos de respuesta del área laboral.",
               "Las quejas por demoras bajaron a la mitad desde que asignamos un turno fijo los viernes.",
               "El índice de resolución quedó en 4,2 días hábiles, dentro de la meta de 5.")
NOTE_READ_SHARE = 0.9  # of a note's readers, those who marked it read once it is a month old


@generator("quality_notes")
def generate_quality_notes(database, fake: Faker, sizes: dict[str, int]) -> None:
    """Notes from quality to the staff over two years, each marked read by most of the active staff whose
    account existed when it went out (fewer for the last month's); the sign-in accounts read all but the
    newest few, so their start page lists notes to read."""
    from models.quality import QualityNote, QualityNoteAck

    rnd = fake.random
    now = anchor()
    authors = _crew(("quality",)) or _crew(("management",))
    bench = set(_bench_ids().values())
    staff = list(User.select(User.id, User.created_at).where(User.is_active == True).tuples())  # noqa: E712
    n = sizes["quality_notes"]
    moments = sorted(now - timedelta(days=HISTORY_DAYS * rnd.random(), minutes=rnd.uniform(0, 600)) for _ in range(n))
    first_id = _next_id(QualityNote)
    notes, acks = [], []
    for k, at in enumerate(moments):
        day = _local_day(at)
        start = (day.replace(day=1) - timedelta(days=1)).replace(day=1)
        newest = k >= n - 3
        summary = "Ahora le devolvemos las llamadas el mismo día hábil." if rnd.random() < 0.3 else ""
        notes.append((at, at, first_id + k, rnd.choice(NOTE_TITLES), rnd.choice(NOTE_BODIES), start,
                      day.replace(day=1) - timedelta(days=1), rnd.choice(("", "panel", "satisfaccion", "resolucion")),
                      summary, bool(summary) and rnd.random() < 0.8, at, rnd.choice(authors)))
        fresh = (now - at).days < 30
        for user_id, created in staff:
            if created > at:
                continue
            if user_id in bench:
                read = not newest
            else:
                read = rnd.random() < (0.4 if fresh else NOTE_READ_SHARE)
            if read:
                when = min(now, at + timedelta(hours=rnd.uniform(0.5, 24 * 10)))
                acks.append((when, when, first_id + k, user_id, when))
    bulk_insert(QualityNote, [QualityNote.created_at, QualityNote.updated_at, QualityNote.id, QualityNote.title,
                              QualityNote.body, QualityNote.period_start, QualityNote.period_end, QualityNote.indicator,
                              QualityNote.client_summary, QualityNote.for_newsletter, QualityNote.published_at,
                              QualityNote.published_by], notes)
    bulk_insert(QualityNoteAck, [QualityNoteAck.created_at, QualityNoteAck.updated_at, QualityNoteAck.note,
                                 QualityNoteAck.user, QualityNoteAck.acknowledged_at], acks)


TABLES += (NOTE_TITLES, NOTE_BODIES, NOTE_READ_SHARE)

# Improvement actions: where they come from, and what each kind says (title, problem, cause, action, evidence).
ACTION_SOURCE_MIX = {"complaint": 40, "survey": 20, "indicator": 20, "manual": 15, "review": 5}
ACTION_TEXTS = [
    ("Devolver las llamadas el mismo día hábil", "Tres quejas del trimestre por llamadas no devueltas.",
     "No hay turno asignado para devolver llamadas por la tarde.", "Turno diario de devolución de llamadas.",
     "Quejas por llamadas no devueltas en el trimestre siguiente: 0."),
    ("Informar al cliente cada quince días", "La encuesta muestra baja satisfacción con la información del caso.",
     "Los abogados no registran ni envían los informes de avance.", "Recordatorio quincenal en la bandeja de trabajo.",
     "Satisfacción con la información: de 3,4 a 4,2."),
    ("Revisar plazos con doble control", "Un plazo de contestación se cumplió el último día.",
     "El plazo se registró sin el calendario de festivos.", "Segundo abogado revisa cada plazo al registrarlo.",
     "Plazos vencidos sin actuación: 0 en seis meses."),
    ("Acortar la admisión de clientes", "La admisión tarda en promedio nueve días hábiles.",
     "La verificación de identidad espera documentos que se piden tarde.", "Lista de documentos en el primer contacto.",
     "Días hábiles de admisión: de 9 a 5."),
    ("Aclarar los honorarios en la cotización", "Dos reclamos por cobros que el cliente no esperaba.",
     "Los gastos del proceso no figuran en la cotización.", "Plantilla de cotización con gastos estimados.",
     "Reclamos por honorarios en el semestre: 0."),
]
ACTION_CANCEL_REASONS = ["Duplicada con otra acción abierta.", "El proceso cambió y la causa ya no existe."]


@generator("improvement_actions")
def generate_improvement_actions(database, fake: Faker, sizes: dict[str, int]) -> None:
    """Improvement actions over two years, owned by quality, management and client service: those opened in the
    last four months mostly still open (a quarter of them past their due day), the older ones closed with their
    effectiveness checked, a few cancelled. Those from complaints point at one."""
    from models.quality import ImprovementAction as A

    rnd = fake.random
    now = anchor()
    today = _local_day(now)
    owners = _crew(("quality", "management", "service")) or _staff(("quality",))
    checkers = _crew(("quality",)) or owners
    complaints = [cid for (cid,) in Complaint.select(Complaint.id).where(Complaint.kind == "complaint")
                  .order_by(Complaint.id).limit(5_000).tuples()]
    sources, source_weights = list(ACTION_SOURCE_MIX), list(ACTION_SOURCE_MIX.values())
    n = sizes["improvement_actions"]
    rows = []
    for k in range(n):
        at = _office_time(rnd, now - timedelta(days=HISTORY_DAYS * (1 - k / n)), now)
        opened = _local_day(at)
        due = opened + timedelta(days=rnd.randint(20, 90))
        recent = (today - opened).days < 120
        draw = rnd.random()
        if recent and draw < 0.85:
            status = rnd.choice(("open", "in_progress", "in_progress", "verifying"))
        else:
            status = "cancelled" if draw > 0.96 else "closed"
        source = rnd.choices(sources, source_weights)[0]
        complaint = rnd.choice(complaints) if source == "complaint" and complaints else None
        if source == "complaint" and complaint is None:
            source = "manual"
        title, problem, cause, action, evidence = rnd.choice(ACTION_TEXTS)
        owner = rnd.choice(owners)
        closed = status in ("closed", "cancelled")
        closed_at = min(now, datetime.combine(due - timedelta(days=rnd.randint(0, 15)), datetime.min.time())
                        + timedelta(hours=16)) if closed else None
        verified = status == "closed"
        ref = {"indicator": "satisfaccion", "survey": "Información del caso", "review": "Revisión por la dirección"}
        rows.append((at, closed_at or at, title, source, complaint, ref.get(source, ""), problem,
                     cause if status != "open" else "", "Se habló con el cliente y se corrigió el caso." if complaint
                     else "", action if status != "open" else "", "", owner, due, status,
                     evidence if verified else "", _local_day(closed_at) if verified else None,
                     rnd.choice(checkers) if verified else None, closed_at,
                     rnd.choice(ACTION_CANCEL_REASONS) if status == "cancelled" else "", rnd.choice(checkers)))
    bulk_insert(A, [A.created_at, A.updated_at, A.title, A.source, A.complaint, A.source_ref, A.description,
                    A.cause_analysis, A.correction, A.corrective_action, A.preventive_action, A.owner, A.due_on,
                    A.status, A.effectiveness_check, A.verified_on, A.verified_by, A.closed_at, A.cancel_reason,
                    A.created_by], rows)


TABLES += (ACTION_SOURCE_MIX, ACTION_TEXTS, ACTION_CANCEL_REASONS)


# ----- privacy (issue 19): reveals of confidential data with their subjects, data-subject requests -----

READ_REASONS = ("Verificar identidad para el contrato", "Preparar el poder para la audiencia",
                "Revisión de la estrategia con el cliente", "Cotejo del documento con la demanda",
                "Respuesta a una petición de acceso", "Auditoría interna de calidad")
BENCH_CLIENT_READS = 3_000  # at full size, reads of the operations account's long-timeline client ("Quién consultó")


@generator("sensitive_reads")
def generate_sensitive_reads(database, fake: Faker, sizes: dict[str, int]) -> None:
    """``sensitive_read`` audit rows (a client's document number, or a case's legal analysis and strategy), each
    with its ``audit_subject`` row, appended after the generated log (ids keep growing, times spread over the
    history). The operations account's long-timeline client gets BENCH_CLIENT_READS of them."""
    from models.audit import AuditSubject

    rnd = fake.random
    now = anchor()
    readers = _staff(("management", "commercial", "operations", "service"))
    roles_of: dict[int, list[str]] = {}
    for uid, role in UserRole.select(UserRole.user, UserRole.role).tuples():
        roles_of.setdefault(uid, []).append(role)
    cases = list(Case.select(Case.id, Case.client).tuples())
    max_client = Client.select(fn.MAX(Client.id)).scalar() or 1
    ops = _bench_ids()["operations"]
    hot = _workload_cases(ops)
    hot_client, hot_cases = (hot[0][1], [c[0] for c in hot if c[1] == hot[0][1]]) if hot else (None, [])
    n = sizes["sensitive_reads"]
    first_id = _next_id(AuditEvent)
    moments = sorted(now - timedelta(days=HISTORY_DAYS * rnd.random()) for _ in range(n))
    events, subjects = [], []
    for k, at in enumerate(moments):
        event_id = first_id + k
        actor = rnd.choice(readers)
        if hot_client and rnd.random() < BENCH_CLIENT_READS / SIZES["sensitive_reads"]:
            client_id, case_id = hot_client, (rnd.choice(hot_cases) if hot_cases and rnd.random() < 0.4 else None)
        elif rnd.random() < 0.4 and cases:
            case_id, client_id = rnd.choice(cases)
        else:
            client_id, case_id = rnd.randint(1, max_client), None
        if case_id:
            kind, object_id, fields, detail = "legal_case", case_id, "legal_analysis,strategy", "planning"
        else:
            kind, object_id, fields, detail = "client", client_id, "document_number", rnd.choice(READ_REASONS)
        events.append((at, at, event_id, at, actor, ",".join(sorted(roles_of.get(actor, []))), "sensitive_read", kind,
                       str(object_id), fields, detail, "10.0.0.1", "Mozilla/5.0", hex_digits(rnd, 16), "",
                       hex_digits(rnd, 64)))
        subjects.append((at, at, event_id, actor, client_id, case_id))
    bulk_insert(AuditEvent, [AuditEvent.created_at, AuditEvent.updated_at, AuditEvent.id, AuditEvent.at,
                             AuditEvent.actor, AuditEvent.actor_roles, AuditEvent.action, AuditEvent.object_type,
                             AuditEvent.object_id, AuditEvent.fields, AuditEvent.detail, AuditEvent.ip,
                             AuditEvent.user_agent, AuditEvent.request_id, AuditEvent.prev_hash, AuditEvent.hash], events)
    bulk_insert(AuditSubject, [AuditSubject.created_at, AuditSubject.updated_at, AuditSubject.event,
                               AuditSubject.actor_id, AuditSubject.client_id, AuditSubject.case_id], subjects)


DSR_KIND_MIX = {"query": 45, "rectification": 25, "erasure": 15, "revocation": 10, "objection": 5}
DSR_CHANNEL_MIX = {"email": 50, "web_form": 20, "phone": 15, "in_person": 10, "letter": 5}
# What a data subject writes, by kind of request; and the firm's answers and evidence (sealed, as the app seals them).
DSR_MESSAGES = {
    "query": ["Quiero saber qué datos personales míos tiene la firma y para qué los usa.",
              "Solicito copia de la información que conservan sobre mí y sobre mi proceso."],
    "rectification": ["Mi dirección y mi teléfono cambiaron; les pido actualizarlos en sus registros.",
                      "Mi segundo apellido está mal escrito en el contrato y en las comunicaciones."],
    "erasure": ["Terminó mi proceso y pido que eliminen mis datos personales de sus bases de datos.",
                "Solicito la supresión de mis datos; no deseo seguir vinculado a la firma."],
    "revocation": ["Revoco la autorización para el envío de boletines y comunicaciones comerciales.",
                   "Ya no autorizo el tratamiento de mis datos para fines distintos a mi caso."],
    "objection": ["Me opongo a que usen mis datos para encuestas de satisfacción.",
                  "No acepto que mis datos se compartan con terceros para fines comerciales."],
}
DSR_ANSWERS = ["Se atendió la solicitud dentro del término legal y se informó al titular por correo electrónico.",
               "Se verificó la identidad del titular, se aplicó el cambio pedido y se envió la constancia.",
               "La solicitud no procede: los datos se conservan por obligación legal; se explicaron las razones."]
DSR_EVIDENCE = ["Correo de respuesta enviado y archivado en el expediente.", "Constancia firmada por el titular.",
                "Acta de la llamada con el titular."]


@generator("data_subject_requests")
def generate_data_subject_requests(database, fake: Faker, sizes: dict[str, int]) -> None:
    """Data-subject requests over two years, handled by service, quality and management: nearly all answered
    (a few rejected) within their term; the last weeks' still open, some of them escalated. Deadlines follow
    Colombia's terms in calendar approximation (10 or 15 business days ≈ 14 or 21 days): the bench measures the
    register, not the calendar."""
    from models.privacy import DataSubjectRequest as D

    rnd = fake.random
    now = anchor()
    today = _local_day(now)
    handlers = _staff(("service", "quality", "management"))
    max_client = Client.select(fn.MAX(Client.id)).scalar() or 1
    kinds, kind_weights = list(DSR_KIND_MIX), list(DSR_KIND_MIX.values())
    channels, channel_weights = list(DSR_CHANNEL_MIX), list(DSR_CHANNEL_MIX.values())
    identities = ("verification", "document", "registered_contact", "representative")
    n = sizes["data_subject_requests"]
    first_id, seal = _next_id(D), crypto.keys.field.encrypt
    rows = []
    for k in range(n):
        request_id = first_id + k
        received = today - timedelta(days=int(HISTORY_DAYS * (1 - k / n)))
        kind = rnd.choices(kinds, kind_weights)[0]
        due = received + timedelta(days=14 if kind == "query" else 21)
        open_ = due >= today - timedelta(days=2) and rnd.random() < 0.8
        status = rnd.choice(("received", "in_progress")) if open_ else ("rejected" if rnd.random() < 0.05 else "answered")
        answered = None if open_ else datetime.combine(received + timedelta(days=rnd.randint(1, (due - received).days)),
                                                      datetime.min.time()) + timedelta(hours=15)
        at = datetime.combine(received, datetime.min.time()) + timedelta(hours=14)
        handler = rnd.choice(handlers)
        message = seal(rnd.choice(DSR_MESSAGES[kind]), f"data_subject_request|message|{request_id}")
        answer = "" if open_ else seal(rnd.choice(DSR_ANSWERS), f"data_subject_request|answer|{request_id}")
        evidence = "" if open_ else seal(rnd.choice(DSR_EVIDENCE), f"data_subject_request|evidence_note|{request_id}")
        rows.append((at, answered or at, request_id, rnd.randint(1, max_client), kind,
                     rnd.choices(channels, channel_weights)[0], received, "CO", message, rnd.choice(identities), "",
                     handler, due, None, "", due - timedelta(days=4), status, answer, evidence,
                     None if open_ else handler, answered, handler))
    bulk_insert(D, [D.created_at, D.updated_at, D.id, D.client, D.kind, D.channel, D.received_on, D.jurisdiction, D.message,
                    D.identity_method, D.identity_notes, D.assignee, D.due_on, D.extended_due_on, D.extension_reason,
                    D.escalate_from, D.status, D.answer, D.evidence_note, D.answered_by, D.answered_at, D.created_by],
                rows)



@generator("erasures")
def generate_erasures(database, fake: Faker, sizes: dict[str, int]) -> None:
    """Erasures and blockings over two years (the register shows the latest 200); a third are blockings, each of a
    former client without cases (management's list of blocked clients); and three pending retention lines per
    erasure, one per client (the retention review shows the 100 due soonest)."""
    from models.privacy import Erasure as E
    from models.privacy import RetentionDue as R

    rnd = fake.random
    now = anchor()
    today = _local_day(now)
    people = _staff(("quality", "management"))
    n = sizes["erasures"]
    with_cases = Case.select(Case.client)
    idle = [c.id for c in Client.select(Client.id).where(Client.status == "former", Client.id.not_in(with_cases))
            .order_by(Client.id).limit(n // 3)]
    max_client = Client.select(fn.MAX(Client.id)).scalar() or 1
    others = rnd.sample(range(1, max_client + 1), min(max_client, 4 * n))
    rows = []
    for k in range(n):
        at = now - timedelta(days=int(HISTORY_DAYS * (1 - k / n)))
        blocked = k < len(idle)
        rows.append((at, at, idle[k] if blocked else others[k], "blocked" if blocked else "erased",
                     "ES" if blocked else "CO", f"Petición PT-{k:05d}",
                     json.dumps({"client": 1, "legal_case": rnd.randint(0, 3), "interaction": rnd.randint(0, 40)}),
                     rnd.choice(people)))
    bulk_insert(E, [E.created_at, E.updated_at, E.client, E.mode, E.jurisdiction, E.reason, E.tables, E.performed_by],
                rows)
    Client.update(blocked_on=today - timedelta(days=30), blocked_until=today + timedelta(days=5 * 365)).where(
        Client.id.in_(idle)).execute()
    due = [(now, now, client_id, "former_client", today - timedelta(days=rnd.randint(0, 60)), "pending")
           for client_id in set(others[n:]) - set(idle)]
    bulk_insert(R, [R.created_at, R.updated_at, R.client, R.category, R.due_on, R.status], due)


TABLES += (READ_REASONS, BENCH_CLIENT_READS, DSR_KIND_MIX, DSR_CHANNEL_MIX, DSR_MESSAGES, DSR_ANSWERS, DSR_EVIDENCE)


# ----- procedures manual (issue 17): controlled documents with a few versions each -----

MANUAL_PREFIXES = {"procedure": "PRO", "policy": "POL", "form": "FOR"}
MANUAL_KIND_MIX = {"procedure": 60, "policy": 25, "form": 15}
MANUAL_TOPICS = ("Gestión del Cliente", "Atención de Quejas", "Protocolo de Cliente en Crisis", "Encuesta de Satisfacción",
                 "Confidencialidad de la Información", "Control de la Información Documentada", "Cotización y Contrato",
                 "Renovación de Contratos", "Gestión de Plazos Legales", "Conflicto de Intereses",
                 "Protección de Datos Personales", "Capacitación del Personal", "Revisión por la Dirección")
MANUAL_CHANGES = ("Plazo de la encuesta a 5 días", "Nuevo responsable del registro", "Actualización normativa",
                  "Ajuste de indicadores", "Simplificación de pasos", "Corrección de redacción")


@generator("manual_documents")
def generate_manual_documents(database, fake: Faker, sizes: dict[str, int]) -> None:
    """Documents of the manual with one to five versions each: the earlier ones superseded, the latest published
    (a sixth of the documents also have a draft or a version in review on top), their text PRO 008's sections
    with a line changed per version."""
    from models.manual import ManualDocument as D
    from models.manual import ManualVersion as V
    from services.manual import pro008

    rnd = fake.random
    now = anchor()
    authors = _crew(("quality",)) or _crew(("management",))
    approvers = _crew(("management",)) or authors
    first_doc, first_version = _next_id(D), _next_id(V)
    documents, versions, current = [], [], []
    version_id = first_version
    counters = dict.fromkeys(MANUAL_PREFIXES.values(), 0)
    for k in range(sizes["manual_documents"]):
        kind = rnd.choices(list(MANUAL_KIND_MIX), list(MANUAL_KIND_MIX.values()))[0]
        prefix = MANUAL_PREFIXES[kind]
        counters[prefix] += 1
        doc_id = first_doc + k
        published = rnd.randint(1, 5)
        extra = "draft" if rnd.random() < 0.1 else ("in_review" if rnd.random() < 0.07 else "")
        start = now - timedelta(days=HISTORY_DAYS * rnd.uniform(0.5, 1))
        sections = dict(pro008.SECTIONS)
        latest_state = extra or "published"
        for n in range(published + (1 if extra else 0)):
            at = start + (now - start) * (n / (published + 1))
            state = "superseded" if n < published - 1 else ("published" if n == published - 1 else extra)
            sections["procedure"] += f"\n\n{n + 1}. **{rnd.choice(MANUAL_CHANGES)}:** {fake.sentence(nb_words=14)}"
            frozen = state != "draft" and state != "in_review"
            day = _local_day(at)
            versions.append((at, at, version_id, doc_id, n, state, *sections.values(),
                             "Original" if n == 0 else rnd.choice(MANUAL_CHANGES), fake.sentence(nb_words=16),
                             rnd.choice(authors), at if state != "draft" else None, "",
                             rnd.choice(approvers) if frozen else None, "CEO" if frozen else "",
                             at if frozen else None, day if frozen else None, rnd.choice(approvers) if frozen else None,
                             day + timedelta(days=30) if state == "superseded" else None, ""))
            if state == "published":
                current.append((doc_id, version_id))
            version_id += 1
        documents.append((start, now, doc_id, f"{prefix} {counters[prefix]:03d}",
                          f"{rnd.choice(MANUAL_TOPICS)} {k + 1}", kind, rnd.choice(authors), "EGC", "CEO",
                          published if extra else published - 1, latest_state, rnd.choice(authors)))
    bulk_insert(D, [D.created_at, D.updated_at, D.id, D.code, D.title, D.kind, D.owner, D.created_label,
                    D.approved_label, D.latest_number, D.latest_state, D.created_by], documents)
    bulk_insert(V, [V.created_at, V.updated_at, V.id, V.document, V.number, V.state, V.objective, V.scope,
                    V.responsibilities, V.definitions, V.procedure, V.records, V.indicators, V.related,
                    V.change_summary, V.justification, V.author, V.submitted_at, V.review_note, V.approver,
                    V.approver_title, V.approved_at, V.published_on, V.published_by, V.ended_on, V.end_reason],
                versions)
    with db.atomic():
        for doc_id, current_id in current:
            D.update(current=current_id).where(D.id == doc_id).execute()


TABLES += (MANUAL_PREFIXES, MANUAL_KIND_MIX, MANUAL_TOPICS, MANUAL_CHANGES)


# ----- the manual's readers and confidentiality agreements (issue 17, items 3 and 4) -----

MANUAL_AUDIENCES = (("commercial",), ("commercial", "service"), ("operations",), ("service",),
                    ("commercial", "operations", "service", "quality", "management"))


@generator("manual_agreements")
def generate_manual_reading(database, fake: Faker, sizes: dict[str, int]) -> None:
    """Each document in force concerns one audience of roles, on a yearly review calendar (a tenth past its day):
    every active member of staff of that audience was asked to read its version in force, nine in ten have; the
    commercial sign-in account has a few still to read (Mi trabajo). Then the confidentiality agreements: one per
    member of staff, the rest contractors'."""
    from models.manual import ConfidentialityAgreement as A
    from models.manual import ManualAck as K
    from models.manual import ManualDocument as D
    from models.manual import ManualVersion as V

    rnd = fake.random
    now = anchor()
    today = _local_day(now)
    commercial = _bench_ids()["commercial"]
    crews = {audience: _crew(audience) for audience in MANUAL_AUDIENCES}
    documents = list(D.select(D.id, D.current, V.published_on).join(V, on=(D.current == V.id)).tuples())
    acks, unread = [], 0
    with db.atomic():
        for doc_id, version_id, published_on in documents:
            audience = rnd.choice(MANUAL_AUDIENCES)
            due = published_on + timedelta(days=365)
            if rnd.random() < 0.1:
                due = today - timedelta(days=rnd.randint(1, 60))
            D.update(review_months=12, next_review_on=due, concerned_roles=",".join(audience)).where(
                D.id == doc_id).execute()
            asked = _utc_at(published_on, 600)
            for uid in crews[audience]:
                read = asked + timedelta(hours=rnd.randint(1, 24 * 20)) if rnd.random() < 0.9 else None
                acks.append((asked, asked, version_id, doc_id, uid, published_on, read))
            if "commercial" in audience and unread < 12:
                acks.append((asked, asked, version_id, doc_id, commercial, published_on, None))
                unread += 1
    bulk_insert(K, [K.created_at, K.updated_at, K.version, K.document, K.user, K.requested_on, K.acknowledged_at], acks)
    policy = (V.select(V.id, V.document).join(D, on=(V.document == D.id))
              .where(D.kind == "policy", V.state == "published").order_by(V.id).first())
    staff = _staff(tuple(ROLES))
    names = dict(User.select(User.id, User.name).tuples())
    rows = []
    for k in range(sizes["manual_agreements"]):
        signed = today - timedelta(days=rnd.randint(0, HISTORY_DAYS))
        at = _utc_at(signed, 600)
        uid = staff[k] if k < len(staff) else None
        name = fake.name() if uid is None else names[uid]
        rows.append((at, at, name, "staff" if uid else "contractor", uid, "" if uid else fake.company(),
                     policy.document_id if policy else None, policy.id if policy else None, signed,
                     "Terminación del contrato con justa causa."))
    bulk_insert(A, [A.created_at, A.updated_at, A.person_name, A.kind, A.user, A.organisation, A.policy,
                    A.policy_version, A.signed_on, A.consequences], rows)


TABLES += (MANUAL_AUDIENCES,)


# ----- training on the manual and feedback on it (issue 17, items 5 and 6) -----

TRAINING_KIND_MIX = {"training": 70, "simulation": 20, "induction": 10}
TRAINING_ATTENDANCE_MIX = {"attended": 80, "absent": 12, "excused": 8}
TRAINING_PLACES = ("Sala de juntas", "Sala de capacitación, piso 2", "https://reuniones.firma.co/formacion")
TRAINING_LESSONS = ("Se repasó el paso de escalación; faltó documentar la llamada al terminar.",
                    "El grupo aplicó la frase sugerida para establecer límites; repetir en tres meses.")
FEEDBACK_LINES = ("El plazo de la encuesta no se ajusta a la práctica: el cliente ya olvidó el servicio.",
                  "No queda claro quién informa al cliente de las acciones tomadas tras una queja.",
                  "Falta un ejemplo del formato que se debe diligenciar.",
                  "El paso de escalación debería nombrar a quién se deriva en cada área.")


@generator("training_sessions")
def generate_training(database, fake: Faker, sizes: dict[str, int]) -> None:
    """Sessions over two years and the next month on the documents in force (a fifth simulations, a tenth
    inductions), 8 to 25 attendees each from the staff; a session held has attendance and a score for nine in ten of
    those who attended; the commercial sign-in account attends one in four (its own record, Mi formación)."""
    from models.manual import ManualDocument as D
    from models.training import TrainingAttendee as A
    from models.training import TrainingSession as S

    rnd = fake.random
    now = anchor()
    today = _local_day(now)
    docs = list(D.select(D.id, D.current).where(D.current.is_null(False)).order_by(D.id).tuples())
    staff = _crew(tuple(ROLES))
    trainers = _crew(("quality",)) or _crew(("management",)) or staff
    commercial = _bench_ids()["commercial"]
    total = sizes["training_sessions"]
    first = _next_id(S)
    sessions, people_rows = [], []
    for k in range(total):
        day = today + timedelta(days=int(-HISTORY_DAYS + k * (HISTORY_DAYS + 30) / total))
        starts = _utc_at(day, rnd.choice((540, 600, 840, 900)))
        held = starts < now
        kind = rnd.choices(list(TRAINING_KIND_MIX), list(TRAINING_KIND_MIX.values()))[0]
        doc_id, version_id = rnd.choice(docs) if docs else (None, None)
        sessions.append((first + k, starts, starts, f"Capacitación {k + 1}: {fake.catch_phrase()}"[:200], kind,
                         doc_id, version_id, rnd.choice(trainers), "", "", starts, rnd.choice((60, 90, 120)),
                         rnd.choice(TRAINING_PLACES), "Un cliente alterado llama por un plazo vencido." if kind ==
                         "simulation" else "", rnd.choice(TRAINING_LESSONS) if held and kind == "simulation" else "",
                         70, starts + timedelta(hours=3) if held else None))
        people = rnd.sample(staff, min(len(staff), rnd.randint(8, 25)))
        if rnd.random() < 0.25 and commercial not in people:
            people.append(commercial)
        for uid in people:
            status = (rnd.choices(list(TRAINING_ATTENDANCE_MIX), list(TRAINING_ATTENDANCE_MIX.values()))[0] if held
                      else "invited")
            score = rnd.randint(40, 100) if status == "attended" and rnd.random() < 0.9 else None
            people_rows.append((starts, starts, first + k, uid, status, score, ""))
    bulk_insert(S, [S.id, S.created_at, S.updated_at, S.topic, S.kind, S.document, S.version, S.trainer,
                    S.trainer_name, S.description, S.starts_at, S.duration_minutes, S.place, S.scenario, S.outcome, S.pass_mark, S.recorded_at], sessions)
    bulk_insert(A, [A.created_at, A.updated_at, A.session, A.user, A.status, A.score, A.comment], people_rows)


@generator("manual_feedback")
def generate_manual_feedback(database, fake: Faker, sizes: dict[str, int]) -> None:
    """Staff feedback on the documents in force over two years, a tenth of it on the first document (its page is the
    busiest); most considered in a version or set aside, the latest tenth open."""
    from models.manual import SECTIONS
    from models.manual import ManualDocument as D
    from models.training import ManualFeedback as F

    rnd = fake.random
    now = anchor()
    docs = list(D.select(D.id, D.current).where(D.current.is_null(False)).order_by(D.id).tuples())
    if not docs:
        return
    staff = _crew(tuple(ROLES))
    handlers = _crew(("quality",)) or staff
    total = sizes["manual_feedback"]
    rows = []
    for k in range(total):
        at = now - timedelta(days=HISTORY_DAYS * (1 - k / total), minutes=rnd.uniform(0, 600))
        doc_id, version_id = docs[0] if rnd.random() < 0.1 else rnd.choice(docs)
        status = "open" if k > total * 0.9 else rnd.choice(("considered", "set_aside"))
        settled = status != "open"
        rows.append((at, at, doc_id, version_id, rnd.choice(staff), rnd.choice(("", *SECTIONS)),
                     rnd.choice(FEEDBACK_LINES), "", status, version_id if status == "considered" else None,
                     "Ya lo explica la sección 4." if status == "set_aside" else "",
                     rnd.choice(handlers) if settled else None, at + timedelta(days=20) if settled else None))
    bulk_insert(F, [F.created_at, F.updated_at, F.document, F.version, F.author, F.section, F.what, F.suggestion,
                    F.status, F.considered_in, F.considered_note, F.considered_by, F.considered_at], rows)


TABLES += (TRAINING_KIND_MIX, TRAINING_ATTENDANCE_MIX, TRAINING_PLACES, TRAINING_LESSONS, FEEDBACK_LINES)


# ----- run time -----


def refresh_workload(built: datetime | None) -> int:
    """Keep the operations account's work queue as generated when the cache is reused on a later day: its
    interventions, deadlines, tasks and its cases' document dates move by the whole days since the data's
    "now" (``built``), so "today", "in the alert window" and "overdue" stay what WORKLOAD describes. On the
    working copy (SQLite); returns the days moved."""
    if built is None:
        return 0
    days = (_local_day(anchor()) - _local_day(built)).days
    if not days:
        return 0
    ops = _bench_ids()["operations"]
    step = f"{days:+d} days"
    cases = "SELECT id FROM legal_case WHERE responsible_id = ?"
    for sql, params in [
        ("UPDATE intervention SET starts_at = datetime(starts_at, ?), done_at = datetime(done_at, ?) "
         "WHERE assigned_id = ?", (step, step, ops)),
        ("UPDATE deadline SET due_at = datetime(due_at, ?), alert_from = date(alert_from, ?), "
         "done_at = datetime(done_at, ?) WHERE responsible_id = ?", (step, step, step, ops)),
        ("UPDATE task SET due_on = date(due_on, ?) WHERE owner_id = ?", (step, ops)),
        (f"UPDATE document_item SET due_on = date(due_on, ?), review_on = date(review_on, ?) WHERE case_id IN ({cases})",
         (step, step, ops)),
    ]:
        db.execute_sql(sql, params)
    return days


# ----- the loyalty and referral programmes (issue 18 items 3-4): rules, benefits applied, thanks to referrers -----

BENEFIT_RULE_ROWS = (("Cliente recurrente", "discount", Decimal("10"), "", "contracts", 2),
                     ("Cliente de cinco años", "service", None, "Revisión anual gratuita de contratos", "years", 5),
                     ("Atención preferente", "priority", None, "", "contracts", 4),
                     ("Embajador de la firma", "discount", Decimal("5"), "", "referrals", 2))
THANKED_SHARE = 0.7  # of the referrals that became clients


@generator("benefit_grants")
def generate_benefit_grants(database, fake: Faker, sizes: dict[str, int]) -> None:
    """Four rules, benefits applied over two years to clients with a contract (no quotation named: the history
    and the latest list read the grant itself), and the thanks for most referrals that became clients."""
    from models.benefits import BECAME_CLIENT, BenefitGrant, BenefitRule, ReferralThanks

    rnd = fake.random
    now = anchor()
    people = _staff(("commercial", "management"))
    first_rule = _next_id(BenefitRule)
    bulk_insert(BenefitRule, [BenefitRule.created_at, BenefitRule.updated_at, BenefitRule.id, BenefitRule.name,
                              BenefitRule.kind, BenefitRule.percent, BenefitRule.service, BenefitRule.basis,
                              BenefitRule.threshold, BenefitRule.active],
                [(now, now, first_rule + k, *row, True) for k, row in enumerate(BENEFIT_RULE_ROWS)])
    clients = [c for (c,) in Contract.select(Contract.client).distinct().tuples()]
    rows = []
    for k in range(min(sizes["benefit_grants"], 10 * len(clients))):
        at = now - timedelta(days=HISTORY_DAYS * (1 - k / max(1, sizes["benefit_grants"])), minutes=rnd.uniform(0, 600))
        r = rnd.randrange(len(BENEFIT_RULE_ROWS))
        name, kind, percent, service, _basis, _n = BENEFIT_RULE_ROWS[r]
        rows.append((at, at, rnd.choice(clients), first_rule + r, kind, percent,
                     f"Beneficio de fidelización: {name}" + (f" ({percent} %)" if percent else ""), rnd.choice(people), at))
    bulk_insert(BenefitGrant, [BenefitGrant.created_at, BenefitGrant.updated_at, BenefitGrant.client, BenefitGrant.rule,
                               BenefitGrant.kind, BenefitGrant.percent, BenefitGrant.description,
                               BenefitGrant.applied_by, BenefitGrant.applied_at], rows)
    referred = list(Client.select(Client.id, Client.referred_by, Client.created_at)
                    .where(Client.referred_by.is_null(False), Client.status.in_(BECAME_CLIENT)).tuples())
    thanks = [(at, at, cid, referrer, False, rnd.choice(people), at, "")
              for cid, referrer, created in referred if rnd.random() < THANKED_SHARE
              for at in [min(now, created + timedelta(days=rnd.uniform(1, 20)))]]
    bulk_insert(ReferralThanks, [ReferralThanks.created_at, ReferralThanks.updated_at, ReferralThanks.referred,
                                 ReferralThanks.referrer, ReferralThanks.emailed, ReferralThanks.sent_by,
                                 ReferralThanks.sent_at, ReferralThanks.note], thanks)


TABLES += (BENEFIT_RULE_ROWS, THANKED_SHARE)


# ----- the newsletter (issue 18, PRO 008 §5.5.2): an issue a month over two years, and a draft -----

NEWSLETTER_SUBJECTS = ("Buenas prácticas con sus contratos", "Cambios en la ley laboral", "Su empresa y la DIAN",
                       "Cómo conservar sus documentos", "Plazos que no conviene olvidar", "Herencias sin conflictos")
NEWSLETTER_UNSUBSCRIBE_SHARE = 0.003  # of an issue's recipients, with its one-click link
TABLES += (NEWSLETTER_SUBJECTS, NEWSLETTER_UNSUBSCRIBE_SHARE)


@generator("newsletters")
def generate_newsletters(database, fake: Faker, sizes: dict[str, int]) -> None:
    """An issue a month, each sent to the clients whose newsletter consent stood on its day (one delivery and one
    outbox message each, delivered and its body erased); a few recipients unsubscribe with its link (their consent
    withdrawn, so later issues skip them); the next issue is a draft."""
    import uuid

    from models.loyalty import NewsletterDelivery as D
    from models.loyalty import NewsletterIssue as I
    from models.mail import OutboundEmail as M

    rnd = fake.random
    now = anchor()
    authors = _crew(("commercial",)) or _crew(("management",))
    emails = dict(Client.select(Client.id, Client.email).where(Client.email != "").tuples())
    consents = sorted((at, cid) for at, cid in Consent.select(Consent.created_at, Consent.client).where(
        Consent.purpose == "newsletter", Consent.granted == True).tuples() if cid in emails)  # noqa: E712
    notice = PrivacyNotice.select().order_by(PrivacyNotice.id).first()
    n = sizes["newsletter_issues"]
    first_issue = _next_id(I)
    issues, deliveries, messages, withdrawals = [], [], [], []
    gone = set()
    for k in range(n + 1):
        at = now - timedelta(days=30 * (n - k), hours=rnd.uniform(2, 6))
        draft = k == n
        subject = f"{NEWSLETTER_SUBJECTS[k % len(NEWSLETTER_SUBJECTS)]} ({k + 1})"
        issue_id = first_issue + k
        recipients = [] if draft else [cid for c_at, cid in consents if c_at <= at and cid not in gone]
        issues.append((at, at, issue_id, k + 1, subject, "Texto del boletín con **buenas prácticas**.",
                       "draft" if draft else "sent", rnd.choice(authors), None if draft else at,
                       None if draft else rnd.choice(authors), None if draft else at + timedelta(hours=3),
                       len(recipients)))
        for cid in recipients:
            key = str(uuid.UUID(int=rnd.getrandbits(128), version=4))
            sent = at + timedelta(seconds=rnd.uniform(0, 3 * 3600))
            left = None
            if rnd.random() < NEWSLETTER_UNSUBSCRIBE_SHARE:
                left = min(now, sent + timedelta(hours=rnd.uniform(1, 72)))
                gone.add(cid)
                withdrawals.append((left, left, cid, "newsletter", False, "electronic", _local_day(left), notice.id,
                                    notice.sha256, None, f"Baja con un clic desde el boletín n.º {k + 1}."))
            deliveries.append((at, at, issue_id, cid, emails[cid], key, left))
            messages.append((at, sent, key, emails[cid], subject, "", "sent", 1, "", sent, True))
    bulk_insert(I, [I.created_at, I.updated_at, I.id, I.number, I.subject, I.body, I.status, I.created_by,
                    I.started_at, I.started_by, I.finished_at, I.recipients], issues)
    bulk_insert(M, [M.created_at, M.updated_at, M.message_id, M.to_addr, M.subject, M.body, M.status, M.attempts,
                    M.last_error, M.sent_at, M.bulk], messages)
    bulk_insert(D, [D.created_at, D.updated_at, D.issue, D.client, D.email, D.message_id, D.unsubscribed_at],
                deliveries)
    withdrawals.sort(key=lambda r: r[0])
    bulk_insert(Consent, [Consent.created_at, Consent.updated_at, Consent.client, Consent.purpose, Consent.granted,
                          Consent.method, Consent.given_on, Consent.notice, Consent.notice_sha256, Consent.collected_by,
                          Consent.notes], withdrawals)

"""The database: chosen from DATABASE_URL, connected per request, closed on teardown.

SQLite runs with WAL, synchronous=FULL, foreign keys on and a 5 s busy timeout, and every transaction
begins IMMEDIATE so data and audit rows are written without lock upgrades (SECURITY.md B1, B2, G8, G9).
PostgreSQL goes through a connection pool.
"""

import os
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from flask import g, has_request_context
from peewee import DatabaseProxy, DateTimeField, Model, PostgresqlDatabase, SqliteDatabase
from playhouse.pool import PooledPostgresqlDatabase

from core.config import ROOT

db = DatabaseProxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": "full",
    "foreign_keys": 1,
    "busy_timeout": 5000,
}


def utcnow() -> datetime:
    """Current time in UTC, naive (the database stores UTC without offset)."""
    return datetime.now(UTC).replace(tzinfo=None)


def make_database(url: str):
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        raw = unquote(parsed.path[1:] if parsed.path.startswith("/") else parsed.path)
        path = Path(raw) if Path(raw).is_absolute() else ROOT / raw
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not path.exists():  # 0600 from the start (SECURITY.md B1); SQLite gives its -wal/-shm the same mode
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        return SqliteDatabase(str(path), pragmas=SQLITE_PRAGMAS, timeout=5, lock_type="IMMEDIATE")
    if parsed.scheme in ("postgres", "postgresql"):
        options = {k: v[0] for k, v in parse_qs(parsed.query).items()}
        kwargs = dict(
            host=parsed.hostname or "127.0.0.1",
            port=parsed.port or 5432,
            user=unquote(parsed.username) if parsed.username else None,
            password=unquote(parsed.password) if parsed.password else None,
        )
        kwargs = {k: v for k, v in kwargs.items() if v is not None}
        name = parsed.path.lstrip("/")
        if options.get("pool") == "off":
            return PostgresqlDatabase(name, **kwargs)
        return PooledPostgresqlDatabase(
            name, max_connections=int(options.get("max_connections", 20)), stale_timeout=300, timeout=10, **kwargs
        )
    raise ValueError(f"DATABASE_URL no reconocida: {parsed.scheme}://…")


def init_database(url: str):
    """Point the module-level proxy at a new database (closing the previous one)."""
    if db.obj is not None:
        close_all()
    database = make_database(url)
    db.initialize(database)
    return database


def close_all():
    database = db.obj
    if database is None:
        return
    if not database.is_closed():
        database.close()
    if hasattr(database, "close_all"):
        database.close_all()


def is_sqlite() -> bool:
    return isinstance(db.obj, SqliteDatabase)


@contextmanager
def transaction():
    """One write: data and its audit rows commit together or not at all."""
    outermost = not db.in_transaction()
    with db.atomic():
        yield
    if outermost and has_request_context():
        g.committed = True  # the error page can then tell whether what was sent was saved


def committed_in_request() -> bool:
    """Whether this request has committed a write through ``transaction()``."""
    return has_request_context() and g.get("committed", False)


def init_app(app):
    init_database(app.config["DATABASE_URL"])

    @app.before_request
    def _connect():
        db.connect(reuse_if_open=True)

    @app.teardown_request
    def _close(exc):
        if not db.is_closed():
            if db.in_transaction():
                db.rollback()
            db.close()


class BaseModel(Model):
    """Every table: integer id, created_at and updated_at in UTC."""

    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        database = db
        legacy_table_names = False

    def save(self, *args, **kwargs):
        self.updated_at = utcnow()
        return super().save(*args, **kwargs)

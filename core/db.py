"""The database: chosen from DATABASE_URL, connected per request, closed on teardown.

SQLite runs with WAL, synchronous=FULL, foreign keys on and a 5 s busy timeout, and every transaction
begins IMMEDIATE so data and audit rows are written without lock upgrades (SECURITY.md B1, B2, G8, G9).
PostgreSQL goes through a connection pool.
"""

import io
import logging
import os
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from flask import g, has_request_context, request
from peewee import (
    SQL,
    DatabaseProxy,
    DateTimeField,
    Expression,
    InterfaceError,
    Model,
    OperationalError,
    PostgresqlDatabase,
    Select,
    SelectBase,
    SqliteDatabase,
    fn,
)
from playhouse.pool import PooledDatabase, PooledPostgresqlDatabase, PooledSqliteDatabase
from werkzeug.exceptions import ServiceUnavailable

from core.config import ROOT
from core.i18n import lazy_gettext as _l

db = DatabaseProxy()

_peewee_is_rhs_empty = Expression._is_rhs_empty


def _is_rhs_empty(self, rhs, ctx):
    """Whether the right side of an IN / NOT IN writes as ``()`` (peewee then writes ``0 = 1`` / ``1 = 1``, as
    PostgreSQL refuses an empty list). peewee finds out by writing the right side a first time; for a subquery that
    doubles the cost of writing the statement at each level of nesting (a subquery two levels deep is written four
    times over), and a subquery never writes as ``()``. Lists and values are still checked as peewee checks them."""
    if isinstance(rhs, SelectBase):
        return False
    return _peewee_is_rhs_empty(self, rhs, ctx)


Expression._is_rhs_empty = _is_rhs_empty

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
        # Pooled: a request takes an open connection instead of opening the file and setting its pragmas (WAL,
        # synchronous, foreign keys), which cost more than the rest of a light page's fixed work (issue 15).
        return PooledSqliteDatabase(str(path), pragmas=SQLITE_PRAGMAS, timeout=5, lock_type="IMMEDIATE",
                                    max_connections=32, stale_timeout=300, check_same_thread=False)
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


def off_index(field):
    """A text column as an expression no index answers (``column || ''``), the same value on both databases.
    SQLite keeps no statistics: given a condition on a few values of a firm-wide column (a kind, a state) next to
    a list of the person's own clients, it may walk the firm-wide index over every row of that kind instead of
    the per-client one. Keeping that condition off the index leaves the narrow one."""
    return field.concat("")


_SUBQUERIES: dict = {}


def subquery_once(key: str, build):
    """A subquery without parameters as its SQL text, built by peewee once per database. peewee writes the
    subquery of an IN / NOT IN twice (once to see whether it is empty) and one nested in another four times; the
    "not blocked" subqueries of every list cost more to write than to run (their few blocked ids)."""
    database = db.obj
    node = _SUBQUERIES.get((key, id(database)))
    if node is None:
        sql, params = build().sql()
        if params:
            raise ValueError(f"subquery_once: {key} has parameters")
        node = _SUBQUERIES[(key, id(database))] = SQL(f"({sql})")
    return node


def count(query) -> int:
    """How many rows ``query`` selects, as a plain ``SELECT COUNT(*) FROM … WHERE …``.

    peewee's ``.count()`` always wraps the query (``SELECT COUNT(1) FROM (SELECT …)``), which keeps SQLite from
    its fast count of a table and makes PostgreSQL build the inner rows. A query without grouping, DISTINCT,
    LIMIT/OFFSET or a compound part counts the same rows with its columns replaced, so it is counted that way;
    any other falls back to the wrapped count."""
    plain = (isinstance(query, Select) and not query._group_by and not query._having and query._distinct is None
             and not query._simple_distinct and query._limit is None and not query._offset and not query._windows)
    if not plain:
        return query.count()
    return int(query.order_by().select(fn.COUNT(SQL("*"))).scalar() or 0)


class Prepared:
    """A SELECT whose SQL peewee builds once per database and then runs with other values: on the path every
    signed-in request takes (its session row and user, its roles) building the statement cost peewee more than
    running it cost SQLite (~260 µs against ~20 for the session's). ``build(*samples)`` makes the query from
    sample values that appear nowhere else among its parameters; a call puts its values in their places and
    returns the rows as the query would (model instances, joins and all)."""

    def __init__(self, build, *samples):
        self._build, self._samples = build, samples
        self._built: dict[int, tuple] = {}

    def _for(self, database):
        built = self._built.get(id(database))
        if built is None or built[0] is not database:
            query = self._build(*self._samples)
            sql, params = query.sql()
            slots = [self._samples.index(p) if p in self._samples else None for p in params]
            if sorted({i for i in slots if i is not None}) != list(range(len(self._samples))):
                raise ValueError("every sample value must appear among the query's parameters")
            built = self._built[id(database)] = (database, query, sql, params, slots)
        return built

    def __call__(self, *values) -> list:
        database, query, sql, params, slots = self._for(db.obj)
        bound = [p if i is None else values[i] for p, i in zip(params, slots, strict=True)]
        return list(query._get_cursor_wrapper(database.execute_sql(sql, bound)))


@contextmanager
def transaction():
    """One write: data and its audit rows commit together or not at all."""
    outermost = not db.in_transaction()
    if has_request_context():
        g.began_write = True  # from here on, a failed request is not run again (RetryOnFreshConnection)
    with db.atomic():
        yield
    if outermost and has_request_context():
        g.committed = True  # the error page can then tell whether what was sent was saved


@contextmanager
def patient_writes(seconds: int):
    """On SQLite, wait up to ``seconds`` for the write lock in this block instead of the 5 s a request waits.

    SQLite hands the lock to whichever writer asks at the moment it is free, polling every 100 ms at most, so a
    command that writes once while the app writes without pause can miss it for seconds on end (the backup's
    audit row, measured: up to 3.7 s on a loaded two-core machine). The pooled connection gets its 5 s back after.
    PostgreSQL queues lock waiters, so nothing changes there."""
    if not is_sqlite():
        yield
        return
    db.execute_sql(f"PRAGMA busy_timeout = {int(seconds * 1000)}")
    try:
        yield
    finally:
        db.execute_sql(f"PRAGMA busy_timeout = {SQLITE_PRAGMAS['busy_timeout']}")


def reserve_ids(model, count: int) -> list[int]:
    """Primary keys for ``count`` new rows of ``model`` that a bulk insert writes with explicit ids, so each
    row's id is known before it is written (an encrypted field is bound to it). Inside ``transaction()``:
    on SQLite it began IMMEDIATE, so no other writer takes ids before it commits; PostgreSQL hands them out
    from the table's own sequence."""
    if not db.in_transaction():
        raise RuntimeError("reserve_ids() needs an open transaction")
    if count <= 0:
        return []
    key = model._meta.primary_key
    if is_sqlite():
        start = model.select(fn.MAX(key)).scalar() or 0
        return list(range(start + 1, start + count + 1))
    cursor = db.execute_sql("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                            (model._meta.table_name, key.column_name, count))
    return [row[0] for row in cursor.fetchall()]


def insert_rows(model, rows: list[dict], batch: int = 500) -> None:
    """Many rows of one shape (the same keys in each), one INSERT per batch. peewee's insert_many compiles
    every value on its own (seconds for a 10,000-client import); here the placeholders are written once and
    each value goes through its field's db_value, and the model's defaults fill the fields not given, as
    peewee would send them."""
    if not rows:
        return
    names = list(rows[0])
    fields = [model._meta.fields[name] for name in names]
    defaults = [(f, d) for f, d in model._meta.defaults.items() if f.name not in rows[0]]  # as peewee fills them in
    fields += [f for f, _d in defaults]
    columns = ", ".join(f'"{f.column_name}"' for f in fields)
    group = "(" + ", ".join([db.param] * len(fields)) + ")"
    size = max(1, min(batch, 30_000 // len(fields)))  # SQLite takes at most 32,766 parameters a statement
    for start in range(0, len(rows), size):
        chunk = rows[start:start + size]
        params = []
        for row in chunk:
            params += [field.db_value(row[field.name]) for field in fields[:len(names)]]
            params += [field.db_value(d() if callable(d) else d) for field, d in defaults]
        values = ", ".join([group] * len(chunk))
        db.execute_sql(f'INSERT INTO "{model._meta.table_name}" ({columns}) VALUES {values}', params)  # noqa: S608 (the model's names)


def committed_in_request() -> bool:
    """Whether this request has committed a write through ``transaction()``."""
    return has_request_context() and g.get("committed", False)


# ----- a database that went away (a failover, a restart, a read-only disk) -----

CONNECTION_ERRORS = (OperationalError, InterfaceError)
log = logging.getLogger("traza.db")
_RETRY = "traza.retry_on_fresh_connection"
_RETRIED = "traza.retried"
_REPLAYABLE_BODY = 1024 * 1024  # forms; an upload that meets a dead connection is sent again by its person


class DatabaseUnavailable(ServiceUnavailable):
    """503 when no connection can be made: the page says so without needing the database."""

    page_message = _l("The database is not answering. Nothing was saved; try again in a minute. If it goes on, "
                      "tell the system administrator.")


def discard_connection() -> None:
    """Drop this thread's connection without returning it to the pool (it may be dead)."""
    if db.obj is None or db.is_closed():
        return
    try:
        if isinstance(db.obj, PooledDatabase):
            db.obj.manual_close()
        else:
            db.close()
    except CONNECTION_ERRORS:
        log.debug("connection already gone", exc_info=True)


def mark_for_retry(exc: Exception) -> bool:
    """After ``exc`` in a request: run the request once more on a fresh connection when the connection
    failed and nothing was written yet (reads, or a form whose write had not begun). True when marked."""
    if not isinstance(exc, CONNECTION_ERRORS) or not has_request_context():
        return False
    discard_connection()
    if g.get("began_write") or request.environ.get(_RETRIED) or _RETRY not in request.environ:
        return False
    request.environ[_RETRY] = True
    return True


class RetryOnFreshConnection:
    """WSGI middleware: a request marked by ``mark_for_retry`` is run again, once, before anything of its
    first answer reaches the client. Bodies up to 1 MiB are kept so a form can be read twice."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        body = self._keep_body(environ)
        if body is None:
            return self.wsgi_app(environ, start_response)
        environ[_RETRY] = False
        answer = []
        result = self.wsgi_app(environ, lambda status, headers, exc_info=None: answer.append((status, headers)))
        if environ.get(_RETRY) is True:
            if hasattr(result, "close"):
                result.close()
            log.warning("database connection lost; the request runs again on a fresh connection")
            environ[_RETRIED] = True
            environ["wsgi.input"] = io.BytesIO(body)
            return self.wsgi_app(environ, start_response)
        start_response(*answer[0])
        return result

    @staticmethod
    def _keep_body(environ) -> bytes | None:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return None
        if length > _REPLAYABLE_BODY:
            return None
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        return body


def init_app(app):
    init_database(app.config["DATABASE_URL"])
    app.wsgi_app = RetryOnFreshConnection(app.wsgi_app)

    @app.before_request
    def _connect():
        if request.endpoint == "system.healthz":
            return  # it connects itself and answers 503 JSON when it cannot
        try:
            db.connect(reuse_if_open=True)
        except CONNECTION_ERRORS as exc:
            raise DatabaseUnavailable() from exc

    @app.teardown_request
    def _close(exc):
        if db.is_closed():
            return
        try:
            if db.in_transaction():
                db.rollback()
            db.close()
        except CONNECTION_ERRORS:
            discard_connection()


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

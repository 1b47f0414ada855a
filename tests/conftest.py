"""Test base (DESIGN.md §7): a migrated template database copied per test, the real SMTP path through a
local aiosmtpd server, a Flask test client named ``http``, and factories.

Set TEST_DATABASE_URL to a PostgreSQL URL to run the same suite there: the schema is migrated once per
session and every table is emptied before each test.
"""

import os
import shutil
import socket
import threading
from datetime import UTC, datetime
from email import message_from_bytes, policy

import pytest
import time_machine
from aiosmtpd.controller import Controller
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer

from app import create_app
from core import migrate
from core.db import close_all, db, init_database
from tests import factories

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
# The Redis server CI machines run; a database number of its own, emptied around each test that uses it.
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")

# 02:30 UTC on Tuesday 10 March 2026 is still Monday 9 March, 21:30, in Bogotá (the firm's zone), and already the
# 10th on a machine in UTC or east of it (16:30 in Pacific/Kiritimati). A test that takes "today" from the machine
# (date.today(), datetime.now()) instead of the firm's calendar fails at this hour on every run.
AWKWARD_HOUR = datetime(2026, 3, 10, 2, 30, tzinfo=UTC)


class Mailbox:
    """What the SMTP server received, parsed."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        msg = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(msg)
        return "250 OK"

    def clear(self):
        with self.lock:
            self.messages.clear()

    def to(self, address):
        return [m for m in self.messages if m["To"] == address]

    @staticmethod
    def text(msg):
        return msg.get_body(preferencelist=("plain",)).get_content()

    @staticmethod
    def html(msg):
        return msg.get_body(preferencelist=("html",)).get_content()


@pytest.fixture(scope="session")
def smtp_server():
    box = Mailbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, controller.port
    controller.stop()


@pytest.fixture
def redis_store():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no Redis server at {REDIS_URL}")
    client.flushdb()
    yield client
    client.flushdb()


@pytest.fixture
def mailbox(smtp_server):
    box, _port = smtp_server
    box.clear()
    return box


@pytest.fixture(scope="session")
def keys_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("instance")


def _base_overrides(instance, smtp_port, url):
    return {
        "INSTANCE_PATH": str(instance),
        "DATABASE_URL": url,
        "ARGON2_PROFILE": "fast",
        "TESTING": True,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": smtp_port,
        "BASE_URL": "https://traza.example.test",
        "RATELIMIT_ENABLED": False,
        "MAIL_SEND_IN_REQUEST": True,  # the mailbox holds a request's mail when it answers (test_mail covers the worker)
        "FIRM_NAME": "Duarte & Asociados Abogados",
    }


@pytest.fixture(scope="session")
def template_db(tmp_path_factory, keys_dir, smtp_server):
    """Migrate once with the real migrations; tests start from a copy (SQLite) or an emptied schema (PG)."""
    if PG_URL:
        init_database(PG_URL)
        db.execute_sql("DROP SCHEMA IF EXISTS public CASCADE")
        db.execute_sql("CREATE SCHEMA public")
        migrate.runner().up()
        close_all()
        return PG_URL
    path = tmp_path_factory.mktemp("template") / "template.db"
    init_database(f"sqlite:///{path}")
    migrate.runner().up()
    close_all()
    return str(path)


KEPT_TABLES = {"schema_migration", "quality_figure_epoch"}  # the runner's record; the one row migration 0021 puts


def _empty_pg_tables():
    """Every table empty and every id sequence back at 1, as TRUNCATE … RESTART IDENTITY would leave them,
    at a fraction of its cost: TRUNCATE recreates the files of all ~50 tables (0.5–0.8 s a test, most of the
    PostgreSQL pass), while a test fills a handful. One query finds the tables that hold rows; they are
    emptied with DELETE, foreign-key triggers off for this transaction so the order does not matter; then
    the sequences that were used restart."""
    tables = [t for t in db.get_tables() if t not in KEPT_TABLES]
    if not tables:
        return
    probe = " UNION ALL ".join(f'(SELECT \'{t}\' FROM "{t}" LIMIT 1)' for t in tables)  # noqa: S608 (our tables)
    filled = [row[0] for row in db.execute_sql(probe).fetchall()]
    with db.atomic():
        db.execute_sql("SET LOCAL session_replication_role = replica")
        for table in filled:
            db.execute_sql(f'DELETE FROM "{table}"')  # noqa: S608 (our table names)
    used = db.execute_sql(  # the id sequences of those tables (not the migration runner's) that were used
        "SELECT quote_ident(q.schemaname) || '.' || quote_ident(q.sequencename) FROM pg_sequences q "
        "JOIN pg_class s ON s.relname = q.sequencename JOIN pg_depend d ON d.objid = s.oid AND d.deptype = 'a' "
        "JOIN pg_class t ON t.oid = d.refobjid WHERE q.last_value IS NOT NULL AND t.relname <> 'schema_migration'"
    ).fetchall()
    for (sequence,) in used:
        db.execute_sql(f"ALTER SEQUENCE {sequence} RESTART")


@pytest.fixture
def unguard_audit():
    """Call it to let a test alter audit rows (to prove the chain check finds it): SQLite drops the guard from this
    test's own copy of the database; PostgreSQL disables it on the shared test database, so it is enabled again
    when the test ends (a later test relies on it)."""
    disabled = []

    def unguard():
        if PG_URL:
            db.execute_sql("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only")
            disabled.append(True)
        else:
            db.execute_sql("DROP TRIGGER audit_event_no_update")

    yield unguard
    if disabled:
        db.connect(reuse_if_open=True)
        db.execute_sql("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only")


@pytest.fixture
def db_url(template_db, tmp_path):
    if PG_URL:
        init_database(PG_URL)
        _empty_pg_tables()
        close_all()
        return PG_URL
    copy = tmp_path / "traza.db"
    shutil.copyfile(template_db, copy)
    return f"sqlite:///{copy}"


@pytest.fixture
def make_app(db_url, keys_dir, smtp_server, tmp_path):
    """Build an app on this test's database; pass overrides for production mode, rate limits…"""
    apps = []

    def build(**overrides):
        config = _base_overrides(keys_dir, smtp_server[1], db_url)
        config.update(overrides)
        application = create_app(config)
        application.test_client_class = TrazaClient
        apps.append(application)
        return application

    yield build
    close_all()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def clock():
    """Time frozen at AWKWARD_HOUR (still ticking), for tests where dates matter; ``clock.shift(delta)`` moves it.
    Request it before ``app`` (or through ``pytestmark = pytest.mark.usefixtures("clock")``) so that sign-in and
    the rows a test makes share its instant."""
    with time_machine.travel(AWKWARD_HOUR, tick=True) as traveller:
        yield traveller


@pytest.fixture
def firm_today(clock, app):
    """The firm's today at the clock's instant (core.i18n.today_local): the day forms and queries take as today."""
    from core.i18n import today_local

    with app.app_context():
        return today_local()


class TrazaClient(FlaskClient):
    """The Flask test client, plus a valid CSRF token for this client's session on demand."""

    def csrf_token(self):
        with self.session_transaction() as sess:
            raw = sess.get("csrf_token")
            if raw is None:
                import hashlib

                raw = sess["csrf_token"] = hashlib.sha1(os.urandom(64)).hexdigest()  # noqa: S324 (Flask-WTF's own format)
        return URLSafeTimedSerializer(self.application.secret_key, salt="wtf-csrf-token").dumps(raw)

    def post(self, *args, csrf=True, **kwargs):
        data = kwargs.get("data")
        if csrf and (data is None or isinstance(data, dict)):
            data = dict(data or {})
            data.setdefault("csrf_token", self.csrf_token())
            kwargs["data"] = data
        return super().post(*args, **kwargs)


@pytest.fixture
def http(app):
    return app.test_client()


@pytest.fixture
def make_user(app):
    def build(roles=("commercial",), **kwargs):
        with app.app_context():
            return factories.make_user(roles=roles, **kwargs)

    return build


@pytest.fixture
def login_as(app, http, make_user):
    """Sign in through the real flow (password, then a TOTP code computed from the secret)."""

    def sign_in(*roles, client=None, user=None):
        client = client or http
        user = user or make_user(roles=roles or ("commercial",))
        factories.sign_in(client, user)
        return user

    return sign_in

"""The application shell: configuration, data layer, migrations, health, rendering, errors, i18n."""

import json
import os
import re
import stat
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from app import create_app
from core import migrate
from core.config import ConfigError, build_config
from core.db import db, is_sqlite
from models.users import User

ROOT = Path(__file__).resolve().parent.parent


# ----- configuration (SECURITY.md E2) -----

def test_e2_keys_generated_private_and_distinct(tmp_path, monkeypatch):
    for name in ("SECRET_KEY", "FIELD_KEY", "TOTP_KEY", "AUDIT_KEY", "BLIND_INDEX_KEY"):
        monkeypatch.delenv(f"TRAZA_{name}", raising=False)
    config = build_config({"INSTANCE_PATH": str(tmp_path / "inst")})
    keyfile = tmp_path / "inst" / "keys.json"
    assert stat.S_IMODE(keyfile.stat().st_mode) == 0o600
    values = [config[k] for k in ("SECRET_KEY", "FIELD_KEY", "TOTP_KEY", "AUDIT_KEY", "BLIND_INDEX_KEY")]
    assert len(set(values)) == 5
    assert build_config({"INSTANCE_PATH": str(tmp_path / "inst")})["SECRET_KEY"] == config["SECRET_KEY"]


def test_e2_production_refuses_missing_keys(tmp_path):
    with pytest.raises(ConfigError):
        build_config({"ENV": "production", "INSTANCE_PATH": str(tmp_path / "empty")})
    assert not (tmp_path / "empty" / "keys.json").exists()


def test_e2_production_refuses_identical_keys(tmp_path):
    same = "k" * 44
    keys = {n: same for n in ("SECRET_KEY", "FIELD_KEY", "TOTP_KEY", "AUDIT_KEY", "BLIND_INDEX_KEY")}
    with pytest.raises(ConfigError, match="distinta"):
        build_config({"ENV": "production", "INSTANCE_PATH": str(tmp_path), **keys})


def test_defaults(tmp_path, monkeypatch):
    for var in ("DATABASE_URL", "TRAZA_TIMEZONE", "TRAZA_LOCALE"):
        monkeypatch.delenv(var, raising=False)
    config = build_config({"INSTANCE_PATH": str(tmp_path)})
    assert config["DATABASE_URL"] == "sqlite:///instance/traza.db"
    assert config["TIMEZONE"] == "America/Bogota"
    assert config["BABEL_DEFAULT_LOCALE"] == "es"
    assert config["PERMANENT_SESSION_LIFETIME"].total_seconds() == 10 * 3600
    assert config["WTF_CSRF_TIME_LIMIT"] is None


# ----- data layer (SECURITY.md B1, B2) -----

def test_b1_sqlite_pragmas(app):
    if not is_sqlite():
        pytest.skip("SQLite pragmas apply to SQLite only")
    db.connect(reuse_if_open=True)
    pragma = lambda name: db.execute_sql(f"PRAGMA {name}").fetchone()[0]  # noqa: E731
    assert pragma("journal_mode") == "wal"
    assert pragma("synchronous") == 2  # FULL
    assert pragma("foreign_keys") == 1
    assert pragma("busy_timeout") >= 5000
    db.close()


def test_b1_foreign_keys_enforced(app):
    from peewee import IntegrityError

    from models.users import UserRole

    with pytest.raises(IntegrityError):
        UserRole.create(user=987654, role="admin")
    db.close()


def test_b2_connection_closed_after_failing_request(app, http):
    @app.get("/__boom")
    def boom():
        User.select().count()
        raise RuntimeError("boom")

    boom._public = True
    response = http.get("/__boom")
    assert response.status_code == 500
    assert "Traceback" not in response.get_data(as_text=True)
    assert db.is_closed()


# ----- migrations -----

def test_migrated_schema_equals_models(app):
    db.connect(reuse_if_open=True)
    assert not migrate.schema_diff(), str(migrate.schema_diff())
    assert migrate.pending() == []
    db.close()


def test_migrations_go_down_and_up_again(app):
    db.connect(reuse_if_open=True)
    runner = migrate.runner()
    names = [m.name for m in runner.status()]
    reverted = runner.down(names[0])
    assert reverted == list(reversed(names))
    assert [t for t in db.get_tables() if t != "schema_migration"] == []
    assert runner.up() == names
    assert not migrate.schema_diff()
    db.close()


def _triggers() -> set[str]:
    if is_sqlite():
        return {name for (name,) in db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    return {name for (name,) in db.execute_sql("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")}


def test_no_migration_loses_a_trigger_an_earlier_one_made(app):
    """A migration that makes SQLite rebuild a table (adding a NOT NULL column, changing a type) drops its triggers:
    0030 dropped the quality figures' triggers on ``client`` that way. Applied one at a time, no migration may leave
    fewer triggers than there were, and the chain ends with every one of them (0034 put those back)."""
    db.connect(reuse_if_open=True)
    runner = migrate.runner()
    names = [m.name for m in runner.status()]
    runner.down(names[0])
    before, seen, lost = set(), set(), {}
    for name in names:
        runner.up(name)
        now = _triggers()
        if before - now:
            lost[name] = sorted(before - now)
        before, seen = now, seen | now
    assert _triggers() == seen
    assert set(lost) <= {"0030_benefits"}, lost  # the one that did, before 0034 restored them
    assert not migrate.schema_diff()
    db.close()


def test_flask_db_cli(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["db", "status"])
    assert result.exit_code == 0, result.output
    assert "[x] 0001_initial" in result.output
    result = runner.invoke(args=["db", "up"])
    assert "nada que aplicar" in result.output


# ----- health -----

def test_healthz_ok(http):
    response = http.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "keys": "ok", "mail": "ok"}


def test_healthz_503_with_pending_migration(app, http, tmp_path, monkeypatch):
    extra = tmp_path / "migrations"
    extra.mkdir()
    for f in (ROOT / "migrations").glob("*.py"):
        (extra / f.name).write_text(f.read_text())
    (extra / "0999_future.py").write_text("def up(migrator, db):\n    pass\n")
    monkeypatch.setattr(migrate, "DIRECTORY", str(extra))
    response = http.get("/healthz")
    assert response.status_code == 503
    assert response.json["pending_migrations"] == 1


def test_healthz_503_without_database(make_app, tmp_path):
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path}/missing/../nodir/x.db")
    db_file = tmp_path / "nodir" / "x.db"
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert db_file.exists() or response.json["status"] == "error"


# ----- rendering and feedback -----

def test_error_pages_are_spanish_and_generic(http):
    response = http.get("/no-existe")
    body = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Página no encontrada" in body
    assert '<html lang="es">' in body


def test_htmx_error_is_a_toast_not_a_page(http):
    response = http.get("/no-existe", headers={"HX-Request": "true"})
    assert response.status_code == 404
    assert response.headers["HX-Reswap"] == "none"
    toast = json.loads(response.headers["HX-Trigger"])["toast"][0]
    assert toast["level"] == "error" and toast["message"]
    assert "<html" not in response.get_data(as_text=True)


def test_render_returns_partial_only_for_plain_htmx(app, login_as, http):
    login_as("admin")
    full = http.get("/admin/usuarios")
    partial = http.get("/admin/usuarios", headers={"HX-Request": "true"})
    boosted = http.get("/admin/usuarios", headers={"HX-Request": "true", "HX-Boosted": "true"})
    restore = http.get("/admin/usuarios", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in full.get_data(as_text=True)
    assert "<html" not in partial.get_data(as_text=True)
    assert 'id="users-table"' in partial.get_data(as_text=True)
    assert "<html" in boosted.get_data(as_text=True)
    assert "<html" in restore.get_data(as_text=True)
    assert "HX-Request" in full.vary


def test_flash_becomes_toast_on_partial(app, login_as, http):
    from flask import flash

    @app.get("/__flash")
    def flashing():
        flash("Guardado", "success")
        return "<p>ok</p>"

    flashing._public = True
    response = http.get("/__flash", headers={"HX-Request": "true"})
    assert json.loads(response.headers["HX-Trigger"]) == {"toast": [{"level": "success", "message": "Guardado"}]}


def test_shell_has_csrf_on_main_and_pinned_htmx(login_as, http):
    login_as("commercial")
    body = http.get("/").get_data(as_text=True)
    assert re.search(r'<main id="main"[^>]*hx-headers=\'\{"X-CSRFToken": "[^"]+"\}\'', body)
    assert "/static/vendor/htmx-2.0.11.min.js" in body
    config = json.loads(re.search(r'name="htmx-config" content=\'([^\']+)\'', body).group(1))
    assert config["allowEval"] is False and config["allowScriptTags"] is False
    assert config["historyCacheSize"] == 0 and config["includeIndicatorStyles"] is False
    assert config["selfRequestsOnly"] is True and config["historyRestoreAsHxRequest"] is False


def test_vendored_htmx_is_2x():
    vendored = list((ROOT / "static" / "vendor").glob("htmx-*.min.js"))
    assert [p.name for p in vendored] == ["htmx-2.0.11.min.js"]
    assert 'version:"2.0.11"' in vendored[0].read_text()


# ----- i18n -----

def _read(path):
    with path.open("rb") as fh:
        return read_po(fh)


def test_every_msgid_has_a_spanish_translation():
    catalog = _read(ROOT / "translations" / "es" / "LC_MESSAGES" / "messages.po")
    template = _read(ROOT / "translations" / "messages.pot")
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings) or message.fuzzy:
            missing.append(message.id)
    assert missing == []
    assert {m.id for m in template if m.id} <= {m.id for m in catalog if m.id}, "run `make messages`"


def test_catalog_covers_the_source():
    """Every msgid in templates and code is in the catalog (run `make messages` after adding text)."""
    from babel.messages.extract import extract_from_dir

    template = {m.id if isinstance(m.id, str) else m.id[0] for m in _read(ROOT / "translations" / "messages.pot") if m.id}
    method_map = [("**/.venv/**", "ignore"), ("**/tests/**", "ignore"), ("**/bench/**", "ignore"),
                  ("**.py", "python"), ("templates/**.html", "jinja2"), ("templates/**.txt", "jinja2")]
    found = set()
    def visible(path):  # Babel skips "_dirs" by default; templates/_macros holds text too
        name = os.path.basename(path)
        return not name.startswith(".") and name not in ("__pycache__", "instance", "node_modules")

    for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, keywords={"_": None, "gettext": None, "ngettext": (1, 2), "_l": None,
                                              "lazy_gettext": None, "lazy_pgettext": ((1, "c"), 2)}, directory_filter=visible):
        found.add(message if isinstance(message, str) else message[0])
    assert found - template == set()


def test_spanish_by_default_english_by_header_and_preference(app, http, login_as):
    assert "Entrar" in http.get("/entrar").get_data(as_text=True)
    english = http.get("/entrar", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert "<title>Sign in · Traza</title>" in english
    user = login_as("commercial")
    User.update(locale="en").where(User.id == user.id).execute()
    body = http.get("/", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert '<html lang="en">' in body


def test_dates_follow_the_locale_and_firm_time_zone(app):
    from datetime import datetime

    from flask_babel import format_datetime

    with app.test_request_context(headers={"Accept-Language": "es"}):
        text = format_datetime(datetime(2026, 3, 5, 15, 30), "medium")
    assert "mar" in text and "10:30" in text  # Bogotá is UTC−5


def test_static_files_served_with_headers(http):
    response = http.get("/static/css/app.css")
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    response.close()


def test_no_external_urls_in_shell_assets():
    for path in list((ROOT / "templates").rglob("*.html")) + [ROOT / "static/css/app.css", ROOT / "static/js/app.js"]:
        if "mail" in path.parts:
            continue
        text = path.read_text()
        assert not re.search(r'(src|href)="https?://', text), path
        assert "@import url(http" not in text


def test_app_factory_runs_with_flask_cli():
    assert callable(create_app)
    assert os.path.exists(ROOT / "app.py")


def test_no_stray_percent_in_the_catalog():
    """Jinja formats every _() result with %: a lone % in a msgid or msgstr breaks the page."""
    placeholders = re.compile(r"%%|%\(\w+\)[sd]")  # an escaped percent or a named placeholder
    catalog = _read(ROOT / "translations" / "es" / "LC_MESSAGES" / "messages.po")
    for message in catalog:
        texts = [message.id] if isinstance(message.id, str) else list(message.id)
        texts += [message.string] if isinstance(message.string, str) else list(message.string)
        assert not any(t and "%" in placeholders.sub("", t) for t in texts), message.id


def test_the_readme_settings_table_lists_every_variable_the_code_reads():
    """An IT person configures Traza from the README: a variable read by the code and missing there is a
    setting nobody can find."""
    read = set()
    for path in [ROOT / "app.py", *ROOT.glob("core/*.py"), *ROOT.glob("models/*.py"), *ROOT.glob("blueprints/**/*.py"),
                 *ROOT.glob("services/**/*.py")]:
        read |= set(re.findall(r"""(?:os\.environ(?:\.get)?[(\[]|_env_bool\()["']([A-Z][A-Z0-9_]+)["']""",
                               path.read_text()))
    readme = (ROOT / "README.md").read_text()
    table = "\n".join(line for line in readme.splitlines() if line.startswith("| `"))
    assert "TRAZA_ENV" in read and "SMTP_HOST" in read  # the scan finds what it must
    assert {name for name in read if f"`{name}`" not in table} == set()


def test_b1_a_new_sqlite_database_and_its_wal_are_0600(tmp_path):
    from core.db import close_all, init_database

    path = tmp_path / "inst" / "nueva.db"
    database = init_database(f"sqlite:///{path}")
    database.connect()
    database.execute_sql("CREATE TABLE t (x INTEGER)")
    database.execute_sql("INSERT INTO t VALUES (1)")
    try:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        wal = path.with_name(path.name + "-wal")
        assert not wal.exists() or stat.S_IMODE(wal.stat().st_mode) == 0o600
    finally:
        database.close()
        close_all()

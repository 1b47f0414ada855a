"""The audit log: same-transaction writes, append-only, hash chain (SECURITY.md L2, L4)."""

import re

import pytest
from peewee import DatabaseError

from core import audit
from core.db import db, is_sqlite, transaction
from models.audit import AuditEvent
from models.users import User
from tests.factories import make_user


def test_l4_update_and_delete_refused(app):
    with app.test_request_context():
        with transaction():
            event = audit.record("test_event", object_type="thing", object_id=1)
    with pytest.raises(DatabaseError):
        with transaction():
            AuditEvent.update(action="other").where(AuditEvent.id == event.id).execute()
    with pytest.raises(DatabaseError):
        with transaction():
            AuditEvent.delete().where(AuditEvent.id == event.id).execute()
    assert AuditEvent.get_by_id(event.id).action == "test_event"


def _drop_triggers():
    if is_sqlite():
        db.execute_sql("DROP TRIGGER audit_event_no_update")
    else:
        db.execute_sql("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only")


def test_l4_chain_names_the_first_altered_row(app):
    with app.test_request_context():
        ids = [audit.record("step", object_type="thing", object_id=i).id for i in range(5)]
        assert audit.verify_chain() is None
        _drop_triggers()
        AuditEvent.update(detail="retocado").where(AuditEvent.id == ids[2]).execute()
        assert audit.verify_chain() == ids[2]


def test_l4_verify_cli(app):
    runner = app.test_cli_runner()
    with app.test_request_context():
        audit.record("step", object_type="thing", object_id=1)
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0 and "íntegra" in ok.output
    _drop_triggers()
    AuditEvent.update(ip="1.2.3.4").execute()
    broken = runner.invoke(args=["audit", "verify"])
    assert broken.exit_code == 1 and "Cadena rota en el evento" in broken.output


def test_l2_audit_failure_rolls_back_the_change(app, monkeypatch):
    with app.app_context():
        user = make_user()

    def boom(*args, **kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(AuditEvent, "save", boom)
    with app.test_request_context(), pytest.raises(RuntimeError):
        from services.admin import accounts

        accounts.deactivate(user, actor=None)
    assert User.get_by_id(user.id).is_active


def test_audit_row_has_request_facts_and_no_values(app, http, login_as):
    user = login_as("commercial")
    http.post("/perfil/contrasena", data={"current": user.plain_password, "password": "tejado morado bajo lluvia",
                                          "confirm": "tejado morado bajo lluvia"}, headers={"User-Agent": "Pruebas/1.0"})
    event = AuditEvent.get(AuditEvent.action == "password_change")
    assert event.actor_id == user.id and event.actor_roles == "commercial"
    assert event.fields == "password_hash" and event.ip == "127.0.0.1" and event.user_agent == "Pruebas/1.0"
    assert len(event.request_id) == 16
    dump = " ".join(str(v) for v in event.__data__.values())
    assert "tejado morado" not in dump and user.plain_password not in dump


def test_audit_log_reading_is_itself_logged_and_filtered(app, http, login_as):
    login_as("quality")
    page = http.get("/admin/auditoria?action=login_success")
    assert page.status_code == 200
    assert "login_success" in page.get_data(as_text=True)
    assert AuditEvent.select().where(AuditEvent.action == "audit_read").count() == 1
    partial = http.get("/admin/auditoria?action=login_success", headers={"HX-Request": "true"})
    assert 'id="audit-table"' in partial.get_data(as_text=True) and "<html" not in partial.get_data(as_text=True)


def test_audit_log_walks_back_by_id_without_counting(app, http, login_as):
    login_as("admin")
    with app.test_request_context():
        for i in range(60):
            audit.record("user_update", object_type="app_user", object_id=i)
    first = http.get("/admin/auditoria").get_data(as_text=True)
    older = re.search(r'href="(/admin/auditoria\?antes=(\d+)[^"]*)"', first)
    assert older, "a link to older events"
    second = http.get(older.group(1).replace("&amp;", "&")).get_data(as_text=True)
    ids_first = {int(x) for x in re.findall(r"Usuario (\d+)", first)}
    ids_second = {int(x) for x in re.findall(r"Usuario (\d+)", second)}
    assert ids_first and ids_second and ids_first.isdisjoint(ids_second)
    assert "Más recientes" in second
    from playhouse.test_utils import count_queries

    with count_queries() as page_one:
        http.get("/admin/auditoria")
    with count_queries() as page_two:
        http.get(older.group(1).replace("&amp;", "&"))
    assert page_one.count == page_two.count


def test_every_recorded_action_has_a_label():
    """The audit browser shows a Spanish label for every action the code records."""
    import re
    from pathlib import Path

    from core.audit import EVENT_LABELS

    root = Path(__file__).resolve().parent.parent
    recorded = set()
    for path in list((root / "core").glob("*.py")) + list((root / "blueprints").glob("*/*.py")):
        recorded |= set(re.findall(r'audit\.record\(\s*"([a-z_]+)"', path.read_text()))
        recorded |= set(re.findall(r'\brecord\(\s*"([a-z_]+)"', path.read_text()))
    assert recorded and recorded - set(EVENT_LABELS) == set()

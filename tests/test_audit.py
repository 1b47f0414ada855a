"""The audit log: same-transaction writes, append-only, hash chain (SECURITY.md L2, L4)."""

import ast
import re
from pathlib import Path

import pytest
from peewee import DatabaseError

from core import audit
from core.db import transaction
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


def test_l4_chain_names_the_first_altered_row(app, unguard_audit):
    with app.test_request_context():
        ids = [audit.record("step", object_type="thing", object_id=i).id for i in range(5)]
        assert audit.verify_chain() is None
        unguard_audit()
        AuditEvent.update(detail="retocado").where(AuditEvent.id == ids[2]).execute()
        assert audit.verify_chain() == ids[2]


def test_l4_verify_cli(app, unguard_audit):
    runner = app.test_cli_runner()
    with app.test_request_context():
        audit.record("step", object_type="thing", object_id=1)
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0 and "íntegra" in ok.output
    unguard_audit()
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
            audit.record("user_update", object_type="app_user", object_id=i, detail=f"n={i}")
    first = http.get("/admin/auditoria").get_data(as_text=True)
    older = re.search(r'href="(/admin/auditoria\?antes=(\d+)[^"]*)"', first)
    assert older, "a link to older events"
    second = http.get(older.group(1).replace("&amp;", "&")).get_data(as_text=True)
    ids_first = {int(x) for x in re.findall(r"n=(\d+)", first)}
    ids_second = {int(x) for x in re.findall(r"n=(\d+)", second)}
    assert ids_first and ids_second and ids_first.isdisjoint(ids_second)
    assert "Más recientes" in second
    from playhouse.test_utils import count_queries

    with count_queries() as page_one:
        http.get("/admin/auditoria")
    with count_queries() as page_two:
        http.get(older.group(1).replace("&amp;", "&"))
    assert page_one.count == page_two.count


ROOT = Path(__file__).resolve().parent.parent


def _record_calls():
    """Every ``audit.record(...)`` call of the application: (path, enclosing function node, call node)."""
    paths = [*(ROOT / "core").glob("*.py"), *(ROOT / "services").rglob("*.py"), *(ROOT / "blueprints").rglob("*.py"),
             ROOT / "app.py", ROOT / "cli.py"]
    for path in paths:
        tree = ast.parse(path.read_text())
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.Call) and (
                        (isinstance(node.func, ast.Attribute) and node.func.attr == "record"
                         and isinstance(node.func.value, ast.Name) and node.func.value.id == "audit")
                        or (isinstance(node.func, ast.Name) and node.func.id == "record"
                            and "from core.audit import record" in path.read_text())):
                    yield str(path.relative_to(ROOT)), function, node


# Actions built from a value: every value the code can give them.
COMPUTED_ACTIONS = {
    "f'quotation_{to}'": {"quotation_sent", "quotation_accepted", "quotation_rejected"},
    "f'contract_{to}'": {"contract_terminated", "contract_expired"},
}


def test_every_recorded_action_has_a_label():
    """The audit browser shows a Spanish label for every action the code records."""
    from core.audit import EVENT_LABELS

    def options(node, function):
        if isinstance(node, ast.IfExp):
            return options(node.body, function) + options(node.orelse, function)
        if isinstance(node, ast.Name):  # set earlier in the function, or a parameter (its callers pass literals)
            return [o for n in ast.walk(function) if isinstance(n, ast.Assign)
                    and any(isinstance(t, ast.Name) and t.id == node.id for t in n.targets) for o in options(n.value, function)]
        return [node]

    recorded = set()
    for _path, function, call in _record_calls():
        for option in options(call.args[0], function):
            if isinstance(option, ast.Constant):
                recorded.add(option.value)
            elif isinstance(option, ast.JoinedStr):
                recorded |= COMPUTED_ACTIONS[ast.unparse(option)]
    assert len(recorded) > 100 and "file_download" in recorded and recorded - set(EVENT_LABELS) == set()


def _columns(model) -> set[str]:
    return {f.name for f in model._meta.sorted_fields} - {"id", "created_at", "updated_at", "created_by"}


def _computed_fields() -> dict[tuple[str, str], set[str]]:
    """The field names a computed ``fields=`` list can hold, per (file, function). A dict written into a
    model (``Contract.create(**data)``) can hold any of that model's columns."""
    from core.keys import sealed_columns
    from models.cases import Case, Intervention
    from models.commercial import Contract
    from models.complaints import Complaint, CrisisIncident
    from models.documents import DocumentItem, RequirementTemplate
    from models.interactions import Interaction, Meeting
    from models.manual import SECTIONS as MANUAL_SECTIONS
    from models.reviews import TEXT_FIELDS
    from services import clients
    from services.clients.labels import PURPOSES, VERIFICATION_ITEMS
    from services.privacy import EDITABLE as DSR_EDITABLE
    from services.quality.actions import ANALYSIS_FIELDS

    return {
        ("core/keys.py", "rotate"): {spec.name for spec in sealed_columns()} | {"archivos"},
        ("services/privacy/__init__.py", "update_request"): set(DSR_EDITABLE),
        ("services/cases/__init__.py", "save_planning"): _columns(Case),
        ("services/cases/__init__.py", "read_confidential"): set(Case.CONFIDENTIAL),
        ("services/cases/__init__.py", "plan_intervention"): _columns(Intervention),
        ("services/cases/__init__.py", "record_intervention"): _columns(Intervention),
        ("services/cases/__init__.py", "save_resolution"): _columns(Case),
        ("services/commercial/__init__.py", "create_contract"): _columns(Contract),
        ("services/commercial/__init__.py", "update_contract"): _columns(Contract),
        ("services/commercial/__init__.py", "activate_contract"): _columns(Contract),
        ("services/complaints/__init__.py", "change_status"): _columns(Complaint),
        ("services/complaints/__init__.py", "save_analysis"): _columns(Complaint),
        ("services/complaints/crisis.py", "reveal"): set(CrisisIncident.SECRET_FIELDS),
        ("services/clients/__init__.py", "register"): set(clients.PROFILE_FIELDS),
        ("services/clients/__init__.py", "update_profile"): set(clients.PROFILE_FIELDS) | {"document_number"},
        ("services/clients/__init__.py", "reveal"): set(clients.REVEALABLE),
        ("services/clients/__init__.py", "save_evaluation"): set(clients.EVALUATION_FIELDS),
        ("services/clients/__init__.py", "record_verification"): set(VERIFICATION_ITEMS),
        ("services/clients/__init__.py", "record_consent"): set(PURPOSES),
        ("services/clients/__init__.py", "withdraw_consent"): set(PURPOSES),
        ("services/clients/__init__.py", "read_file"): {"file:verification", "file:consent", "file:contract"},
        ("services/interactions/__init__.py", "log"): _columns(Interaction),
        ("services/interactions/__init__.py", "schedule_meeting"): _columns(Meeting),
        ("services/documents/__init__.py", "add_item"): _columns(DocumentItem),
        ("services/documents/__init__.py", "review"): _columns(DocumentItem),
        ("services/documents/__init__.py", "save_template"): _columns(RequirementTemplate),
        ("services/quality/actions.py", "save_plan"): {*ANALYSIS_FIELDS, "owner", "due_on"},
        ("services/quality/reviews.py", "save"): {*TEXT_FIELDS, "period_start", "period_end"},
        ("services/manual/__init__.py", "create_document"): {"number", *MANUAL_SECTIONS},
        ("services/manual/__init__.py", "update_document"): {"code", "title", "kind", "owner", "created_label",
                                                             "approved_label"},
        ("services/manual/__init__.py", "new_version"): {"number", *MANUAL_SECTIONS},
        ("services/manual/__init__.py", "save_draft"): {*MANUAL_SECTIONS, "change_summary", "justification"},
        ("services/manual/follow.py", "set_plan"): {"review_months", "next_review_on", "concerned_roles"},
        ("services/reports/trace.py", "build"): {spec.name for spec in sealed_columns()},  # the reads it shows
    }


def _literal_fields(node) -> tuple[set[str], bool]:
    """The names written out in a ``fields=`` expression, and whether it also holds computed ones."""
    if isinstance(node, (ast.List, ast.Tuple)):
        names, computed = set(), False
        for element in node.elts:
            if isinstance(element, ast.Constant) and isinstance(element.value, str):
                names.add(element.value)
            else:
                computed = True
        return names, computed
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        (left, l_computed), (right, r_computed) = _literal_fields(node.left), _literal_fields(node.right)
        return left | right, l_computed or r_computed
    if isinstance(node, ast.IfExp):
        (body, b_computed), (orelse, o_computed) = _literal_fields(node.body), _literal_fields(node.orelse)
        return body | orelse, b_computed or o_computed
    return set(), True


def test_every_audited_field_has_a_label(app):
    """The audit browser names each field in Spanish: every name a ``fields=`` list can hold has a label,
    and a new computed list must say here which names it can hold."""
    from services.admin.audit_view import field_label

    computed = _computed_fields()
    names, unknown = set(), []
    for path, function, call in _record_calls():
        for keyword in call.keywords:
            if keyword.arg != "fields":
                continue
            written, is_computed = _literal_fields(keyword.value)
            names |= written
            if is_computed:
                if (path, function.name) in computed:
                    names |= computed[(path, function.name)]
                else:
                    unknown.append(f"{path}:{call.lineno} {function.name}")
    assert unknown == [], "computed fields= lists this test does not know: add the names they can hold"
    with app.test_request_context():
        assert len(names) > 150 and sorted(n for n in names if field_label(n) is None) == []

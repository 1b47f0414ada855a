"""The audit log as people read it: events, roles, fields and objects in Spanish, objects by name with a link
for a reader who may open them, the object type as a select, a constant number of queries per page."""

import re

from playhouse.test_utils import count_queries

from core import audit, crypto
from tests import factories

PARTIAL = {"HX-Request": "true"}


def _table(http, query=""):
    answer = http.get(f"/admin/auditoria{query}", headers=PARTIAL)
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def _confidential_reads(app):
    """A service agent reads a case's strategy and a client's document number, and is refused a case."""
    with app.test_request_context():
        agent = factories.make_user(roles=("service",), name="Pedro Ruiz")
        case = factories.make_case(client_name="Ferretería El Tornillo Ltda")
        audit.record("sensitive_read", case, actor=agent, fields=["legal_analysis", "strategy"], detail="planning")
        audit.record("authz_fail", object_type="legal_case", object_id=case.id, actor=agent,
                     detail="not on team: planning")
        audit.record("sensitive_read", object_type="client", object_id=case.client_id, actor=agent,
                     fields=["document_number"], detail="Verificación de identidad")
        return agent, case


def test_rows_read_in_spanish_with_objects_by_name(app, http, login_as):
    agent, case = _confidential_reads(app)
    login_as("quality")
    table = _table(http)
    assert "Lectura de datos confidenciales" in table and "Acceso denegado" in table
    assert "Pedro Ruiz" in table and "Atención al Cliente" in table
    assert "Análisis jurídico y estrategia" in table and "Número de documento de identidad" in table
    assert "No pertenece al equipo del caso: la planificación" in table and "Leído en la planificación del caso" in table
    assert f'<a href="/casos/{case.id}">EXP-{case.id:05d} · Demanda por despido sin justa causa</a>' in table
    assert f'<a href="/clientes/{case.client_id}">Ferretería El Tornillo Ltda</a>' in table
    for code in ("sensitive_read", "authz_fail", "(service)", "legal_analysis", "document_number", "not on team", "planning",
                 "Cliente " + str(case.client_id), "legal_case"):
        assert code not in table, code


def test_names_for_every_reader_links_only_to_pages_they_may_open(app, http, login_as):
    agent, case = _confidential_reads(app)
    with app.test_request_context():
        audit.record("user_update", agent, actor=agent, fields=["locale"])
    login_as("admin")  # audit.read and users.manage, but no client or case pages
    table = _table(http)
    assert "Ferretería El Tornillo Ltda" in table and "Demanda por despido sin justa causa" in table
    assert f'href="/clientes/{case.client_id}"' not in table and f'href="/casos/{case.id}"' not in table
    assert f'<a href="/admin/usuarios/{agent.id}">Pedro Ruiz</a>' in table and "Idioma" in table


def test_names_never_come_from_decrypting(app, http, login_as, monkeypatch):
    _confidential_reads(app)
    login_as("quality")  # signing in reads the authenticator key: only the page itself must not decrypt

    def refuse(*args, **kwargs):
        raise AssertionError("the audit log decrypted a value")

    monkeypatch.setattr(crypto.Cipher, "decrypt", refuse)
    assert "Ferretería El Tornillo Ltda" in _table(http)


def test_object_type_is_a_select_of_spanish_kinds(app, http, login_as):
    _, case = _confidential_reads(app)
    login_as("quality")
    page = http.get("/admin/auditoria").get_data(as_text=True)
    select = re.search(r'<select[^>]*name="object_type".*?</select>', page, re.S).group(0)
    assert '<option value="">Todos los tipos</option>' in select
    assert '<option value="client">Cliente</option>' in select and '<option value="legal_case">Caso</option>' in select
    only_clients = _table(http, "?object_type=client")
    assert "Ferretería El Tornillo Ltda" in only_clients and "Demanda por despido" not in only_clients
    assert http.get("/admin/auditoria?object_type=no_such_kind").status_code == 200


def test_an_anonymous_survey_response_is_shown_by_number_only(app, http, login_as):
    with app.test_request_context():
        audit.record("survey_answer", object_type="survey_response", object_id=7, fields=["answers"])
    login_as("quality")
    table = _table(http)
    assert "Respuesta de encuesta" in table and '<a href="/encuestas/resultados/respuestas/7">7</a>' in table
    assert "Encuesta respondida" in table and "Respuestas" in table


def test_codes_in_details_read_as_words(app):
    from services.admin.audit_view import detail_text, fields_text, roles_text

    with app.test_request_context():
        assert roles_text("commercial,service") == "Departamento Comercial, Atención al Cliente"
        assert detail_text("authz_change", "+admin -service") == (
            "Añadidos: Administración del sistema; Quitados: Atención al Cliente")
        assert detail_text("authz_fail", "audit.read") == "Reservado a: Administración del sistema, Responsable del SGC"
        assert detail_text("client_status", "prospect→evaluating") == "Prospecto → En evaluación"
        assert detail_text("case_status", "resolved→closed open_items=2") == "Resuelto → Cerrado (open_items=2)"
        assert detail_text("complaint_status", "analysis→nowhere") == "analysis→nowhere"  # not two states: as written
        assert detail_text("user_update", "a→b") == "a→b"  # free text stays
        assert fields_text("client.document_number,archivos") == (
            "Cliente: número de documento de identidad y archivos guardados")


def test_queries_per_page_do_not_grow_with_rows(app, http, login_as):
    """One query per kind of object on the page, whatever the number of rows of each kind."""
    with app.test_request_context():
        cases = [factories.make_case(client_name=f"Cliente de prueba {n}", title=f"Asunto {n}") for n in range(4)]

    def record(some):
        with app.test_request_context():
            for case in some:
                audit.record("case_status", case, fields=["status"])
                audit.record("client_update", object_type="client", object_id=case.client_id, fields=["email"])
                audit.record("user_update", object_type="app_user", object_id=case.responsible_id, fields=["name"])

    login_as("quality")
    record(cases[:1])
    with count_queries() as few:
        _table(http)
    record(cases[1:])
    with count_queries() as many:
        table = _table(http)
    assert "Asunto 3" in table and "Cliente de prueba 3" in table
    assert many.count == few.count


def test_every_record_page_exists_with_its_argument(app):
    from blueprints.admin.routes import _RECORD_PAGES

    rules = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
    for endpoint, arg in _RECORD_PAGES.values():
        assert endpoint in rules and (arg is None or arg in rules[endpoint].arguments), endpoint


def test_the_filters_options_are_in_each_readers_language_and_sorted(app, http, login_as):
    """The event and object options are translated and sorted once per language and kept: a reader in English
    after one in Spanish gets English options, in English order."""
    login_as("admin")
    spanish = http.get("/admin/auditoria").get_data(as_text=True)
    assert http.post("/perfil/idioma", data={"locale": "en"}).status_code in (302, 303)
    english = http.get("/admin/auditoria").get_data(as_text=True)
    select = re.search(r'<select[^>]*id="action".*?</select>', english, re.S).group(0)
    labels = re.findall(r'<option[^>]*value="[a-z_0-9]+"[^>]*>([^<]+)</option>', select)
    assert '<option value="login_success">Signed in</option>' in select
    assert labels == sorted(labels) and len(labels) == len(audit.EVENT_LABELS)
    spanish_select = re.search(r'<select[^>]*id="action".*?</select>', spanish, re.S).group(0)
    spanish_labels = re.findall(r'<option[^>]*value="[a-z_0-9]+"[^>]*>([^<]+)</option>', spanish_select)
    assert "Signed in" not in spanish_select and spanish_labels == sorted(spanish_labels)
    assert set(spanish_labels).isdisjoint(labels) or len(set(spanish_labels) & set(labels)) < len(labels) // 2

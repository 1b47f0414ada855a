"""Who viewed what (issue 19; SECURITY.md L1, A3, A6): a client's and a case's "Quién consultó" list the reads of
their confidential data by others, with who, when, which field and the reason, and the exports that carried it;
only management, quality and the record's responsible see them (anyone else: 404 with ``authz_fail``); a page costs
the same number of queries whatever the number of reads; one person's reads in a period for the access review."""

import io
from datetime import timedelta

import pytest
from playhouse.test_utils import count_queries

from models.audit import AuditEvent, AuditSubject
from services import cases as case_service
from services import clients as client_service
from services.privacy import reads
from tests.factories import make_case, make_client

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def record(app, make_user):
    """A client whose responsible is a commercial, with a case run by an operations lawyer."""
    owner = make_user(roles=("commercial",), name="Camila Responsable")
    lawyer = make_user(roles=("operations",), name="Laura Gómez")
    with app.test_request_context():
        client = make_client(responsible=owner.id, document_number="79111222")
        case = make_case(client=client, responsible=lawyer)
    return client, case, owner, lawyer


def _reveal(app, client, user, reason="Verificar identidad para el contrato"):
    with app.test_request_context():
        client_service.reveal(client, "document_number", reason, user)


def test_client_page_lists_a_reveal_by_another_user(app, http, login_as, make_user, record):
    client, case, owner, lawyer = record
    snoop = make_user(roles=("management",), name="Gerardo Gerente")
    _reveal(app, client, snoop)
    with app.test_request_context():
        case_service.read_confidential(case, lawyer)
    login_as(user=owner)
    response = http.get(f"/clientes/{client.id}/quien-consulto")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Gerardo Gerente" in page and "Verificar identidad para el contrato" in page
    assert "Laura Gómez" in page  # a read of the case's confidential parts is a read of the client's data
    assert "79111222" not in page  # the list names the field, never its value
    assert f'href="/clientes/{client.id}/quien-consulto"' in page  # the tab, for the responsible
    # Viewing the list is audited too, and is not itself a confidential read.
    assert AuditEvent.select().where(AuditEvent.action == "privacy_reads", AuditEvent.actor == owner.id).count() == 1
    # The htmx tab swap gets the tab alone.
    partial = http.get(f"/clientes/{client.id}/quien-consulto", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in partial and 'id="client-tab"' in partial and "Gerardo Gerente" in partial


def test_case_page_lists_reads_of_that_case_only(app, http, login_as, make_user, record):
    client, case, owner, lawyer = record
    _reveal(app, client, make_user(roles=("management",), name="Gerardo Gerente"))
    with app.test_request_context():
        case_service.read_confidential(case, make_user(roles=("management",), name="Sara Socia"))
    login_as(user=lawyer)
    page = http.get(f"/casos/{case.id}/quien-consulto").get_data(as_text=True)
    assert "Sara Socia" in page and "Gerardo Gerente" not in page


def test_pages_hidden_from_staff_without_the_role(app, http, login_as, make_user, record):
    client, case, owner, lawyer = record
    _reveal(app, client, make_user(roles=("management",), name="Gerardo Gerente"))
    other = login_as("commercial")  # may see the client, is not its responsible
    response = http.get(f"/clientes/{client.id}/quien-consulto")
    assert response.status_code == 404 and "Gerardo Gerente" not in response.get_data(as_text=True)
    assert http.get(f"/casos/{case.id}/quien-consulto").status_code == 404
    assert "quien-consulto" not in http.get(f"/clientes/{client.id}").get_data(as_text=True)  # no tab either
    assert AuditEvent.select().where(AuditEvent.action == "authz_fail", AuditEvent.actor == other.id).count() == 2
    assert http.get("/privacidad/accesos").status_code == 403


@pytest.mark.parametrize("role", ["management", "quality"])
def test_management_and_quality_see_every_list(app, http, login_as, make_user, record, role):
    client, case, owner, lawyer = record
    _reveal(app, client, owner)
    login_as(role)
    assert "Camila Responsable" in http.get(f"/clientes/{client.id}/quien-consulto").get_data(as_text=True)
    assert http.get(f"/casos/{case.id}/quien-consulto").status_code == 200


def test_an_export_with_document_numbers_counts_for_each_client_it_carried(app, http, login_as, make_user, record):
    client, case, owner, lawyer = record
    with app.test_request_context():
        left_out = make_client(name="Pedro Pérez Otro", document_number="1020304050", email="pedro@correo.test",
                               phone="+573009998877")
    boss = login_as("management")  # just signed in: the export's fresh sign-in holds
    response = http.get("/clientes/exportar.csv?q=Rojas")
    assert response.status_code == 200
    event = AuditEvent.get(AuditEvent.action == "sensitive_read", AuditEvent.actor == boss.id)
    assert {s.client_id for s in AuditSubject.select().where(AuditSubject.event == event.id)} == {client.id}
    page = http.get(f"/clientes/{client.id}/quien-consulto").get_data(as_text=True)
    assert "Exportación de la lista de clientes (CSV)" in page
    assert "Exportación de la lista" not in http.get(f"/clientes/{left_out.id}/quien-consulto").get_data(as_text=True)


def test_list_query_count_is_constant_and_pages_walk_back(app, make_user, record):
    client, case, owner, lawyer = record
    people = [make_user(roles=("management",), name=f"Persona {i}") for i in range(3)]
    _reveal(app, client, people[0])
    with app.test_request_context(), count_queries() as one:
        shown = reads.rows(list(reads.of_client(client.id).limit(reads.PAGE_SIZE)))
    assert len(shown) == 1
    for i in range(60):
        _reveal(app, client, people[i % 3], reason=f"Motivo {i}")
    with app.test_request_context():
        case_service.read_confidential(case, people[1])
    with app.test_request_context(), count_queries() as many:
        shown = reads.rows(list(reads.of_client(client.id).limit(reads.PAGE_SIZE)))
    assert len(shown) == reads.PAGE_SIZE
    # One query for the rows, one per kind of object on the page (client, case): never one per row.
    assert many.count <= one.count + 1


def test_older_page_by_keyset(app, http, login_as, make_user, record):
    client, case, owner, lawyer = record
    reader = make_user(roles=("management",), name="Lector")
    for i in range(reads.PAGE_SIZE + 5):
        _reveal(app, client, reader, reason=f"Motivo número {i:03d}")
    login_as(user=owner)
    first = http.get(f"/clientes/{client.id}/quien-consulto").get_data(as_text=True)
    assert "Motivo número 054" in first and "Motivo número 004" not in first and "antes=" in first
    oldest = AuditSubject.select().where(AuditSubject.client_id == client.id).order_by(AuditSubject.event.desc())
    cursor = list(oldest)[reads.PAGE_SIZE - 1].event_id
    second = http.get(f"/clientes/{client.id}/quien-consulto?antes={cursor}").get_data(as_text=True)
    assert "Motivo número 004" in second and "Motivo número 054" not in second


def test_access_review_lists_one_persons_reads_in_the_period(app, http, login_as, make_user, record, clock):
    client, case, owner, lawyer = record
    reader = make_user(roles=("operations",), name="Óscar Operativo")
    _reveal(app, client, reader, reason="Lectura antigua")
    clock.shift(timedelta(days=40))
    _reveal(app, client, reader, reason="Lectura reciente")
    _reveal(app, client, owner, reason="De otra persona")
    login_as("quality")
    from core.i18n import today_local

    with app.app_context():
        today = today_local()
    page = http.get(f"/privacidad/accesos?persona={reader.id}&desde={today - timedelta(days=10)}&hasta={today}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Lectura reciente" in text and "Lectura antigua" not in text and "De otra persona" not in text
    everything = http.get(f"/privacidad/accesos?persona={reader.id}&desde={today - timedelta(days=60)}&hasta={today}")
    assert "Lectura antigua" in everything.get_data(as_text=True)


def _migration():
    import importlib.util

    from core.config import ROOT

    spec = importlib.util.spec_from_file_location("m0022", ROOT / "migrations" / "0022_privacy.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_migration_backfill_equals_what_each_read_writes(app, make_user, record):
    from datetime import datetime

    from core.db import db
    from services import interactions

    client, case, owner, lawyer = record
    boss = make_user(roles=("management",), name="Gerardo Gerente")
    _reveal(app, client, boss)
    with app.test_request_context():
        case_service.read_confidential(case, lawyer)
        entry = interactions.log(client, {"occurred_at": datetime(2026, 3, 5, 15, 0), "channel": "email",
                                          "direction": "in", "kind": "update", "confidential": True,
                                          "summary": "Detalle reservado", "case": case.id}, lawyer)
        interactions.reveal(entry, boss)
    def kept():
        return sorted(AuditSubject.select(AuditSubject.event, AuditSubject.actor_id, AuditSubject.client_id,
                                          AuditSubject.case_id).tuples())
    written = kept()
    assert len(written) == 3 and {row[2] for row in written} == {client.id}
    assert sorted(row[3] for row in written if row[3]) == [case.id, case.id]
    AuditSubject.delete().execute()
    _migration()._backfill(db.obj)
    assert kept() == written


def test_staff_reads_reachable_from_the_menu_and_the_staff_admin(app, http, login_as, make_user):
    person = make_user(roles=("operations",), name="Óscar Operativo")
    login_as("admin", "management")
    assert f'href="/privacidad/accesos?persona={person.id}"' in http.get(f"/admin/usuarios/{person.id}").get_data(as_text=True)
    home = http.get("/").get_data(as_text=True)
    assert 'href="/privacidad/accesos"' in home and 'href="/privacidad/peticiones"' in home


def test_request_register_query_count_is_constant(app, http, login_as, make_user, firm_today):
    from services import privacy

    handler = login_as("service")
    with app.test_request_context():
        client = make_client(name="Ana Ruiz", document_number="52987654")

        def add(n):
            for _ in range(n):
                privacy.register(client, {"kind": "query", "channel": "email", "received_on": firm_today,
                                          "message": "¿Qué datos tienen?", "identity_method": "pending",
                                          "identity_notes": "", "assignee": handler.id}, handler)
    add(1)
    with count_queries() as one:
        assert http.get("/privacidad/peticiones").status_code == 200
    add(20)
    with count_queries() as many:
        page = http.get("/privacidad/peticiones").get_data(as_text=True)
    assert page.count("PT-000") == 21 and many.count == one.count


def test_client_reads_page_query_count_is_constant(app, http, login_as, make_user, record):
    client, case, owner, lawyer = record
    reader = make_user(roles=("management",), name="Lector")
    _reveal(app, client, reader)
    login_as(user=owner)
    with count_queries() as one:
        assert http.get(f"/clientes/{client.id}/quien-consulto").status_code == 200
    for i in range(30):
        _reveal(app, client, make_user(roles=("management",), name=f"Lector {i}") if i < 3 else reader)
    with app.test_request_context():
        case_service.read_confidential(case, reader)
    with count_queries() as many:
        page = http.get(f"/clientes/{client.id}/quien-consulto").get_data(as_text=True)
    assert page.count("<tr>") == 32 + 1  # 32 reads and the header row
    assert many.count <= one.count + 1  # + the case names (one query for every case on the page)


def test_a_confidential_document_download_counts_for_its_case_and_client(app, make_user, record):
    """A document item names its case only: the client is found through the case."""
    from werkzeug.datastructures import FileStorage

    from services import documents

    client, case, owner, lawyer = record
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    with app.test_request_context():
        item = documents.add_item(case, {"name": "Historia clínica", "confidential": True}, lawyer)
        version = documents.upload(item, case, FileStorage(io.BytesIO(pdf), "historia.pdf"), "", lawyer)
        documents.download(version, make_user(roles=("management",), name="Gerardo Gerente"))
        rows = reads.rows(list(reads.of_case(case.id)))
        assert [r["who"] for r in rows] == ["Gerardo Gerente"] and rows[0]["name"] == "Historia clínica"
        assert [r["who"] for r in reads.rows(list(reads.of_client(client.id)))] == ["Gerardo Gerente"]

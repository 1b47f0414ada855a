"""Erasure and blocking by jurisdiction (issue 19 item 4; SECURITY.md PR5, L5): every table that refers to a client
has a treatment; a Colombian firm's erasure leaves no personal value of the client anywhere (plaintext, ciphertext,
blind index, search tokens, stored files) while another client's values stay and the quality figures do not move; a
Spanish firm's blocking keeps the data but takes the client out of every list, page and search; legal holds refuse
it; the record keeps ids and counts only."""

import json
from datetime import date, timedelta

import pytest

import models
from core import files
from core.db import db
from models.audit import AuditEvent
from models.cases import Case
from models.clients import Client
from models.commercial import Contract
from models.complaints import Complaint
from models.files import StoredFile
from models.interactions import Interaction
from models.loyalty import NewsletterDelivery, NewsletterIssue
from models.privacy import DataSubjectRequest, Erasure
from models.references import tables_about_a_client
from models.surveys import SurveyAnswer, SurveyTemplate
from services.privacy import erasure
from services.privacy import export as export_service
from tests.factories import make_user
from tests.privacy.test_export import _seed

pytestmark = pytest.mark.usefixtures("clock")


def test_every_table_that_refers_to_a_client_is_erased_deleted_or_kept_with_a_reason():
    anonymized = {s.model._meta.table_name for s in export_service.SECTIONS}
    referring = tables_about_a_client(models.ALL_MODELS)  # the walk the access export's coverage test makes
    missing = sorted(referring - anonymized - set(erasure.KEPT) - set(erasure.DELETED))
    assert not missing, f"tables about a client with no erasure treatment: {missing}"
    assert all(len(reason) > 20 for reason in {**erasure.KEPT, **erasure.DELETED}.values())
    assert {"erasure", "retention_due"} <= referring


def _close_everything(client_id):
    Case.update(status="closed").where(Case.client == client_id).execute()


def _cells():
    """Every value of every column of every table, as text (bytes decoded byte for byte)."""
    for table in db.get_tables():
        cursor = db.execute_sql(f'SELECT * FROM "{table}"')  # noqa: S608 — names from the database's catalogue
        for row in cursor.fetchall():
            for value in row:
                if isinstance(value, (bytes, memoryview)):
                    yield table, bytes(value).decode("latin-1")
                elif value is not None:
                    yield table, str(value)


def _found(needles):
    needles = [n.lower() for n in needles if n]
    return sorted({(table, n) for table, cell in _cells() for n in needles if n in cell.lower()})


def _secrets_of(client_id):
    """The client's ciphertexts and blind-index values as stored, before the erasure."""
    client = Client.get_by_id(client_id)
    values = [client.document_number, client.sensitive_data, client.document_index]
    for case in Case.select().where(Case.client == client_id):
        values += [case.legal_analysis, case.strategy]
    values += [i.summary for i in Interaction.select().where(Interaction.client == client_id)]
    return [v for v in values if v]


def _figures():
    return sorted(tuple(str(v) for v in row) for row in db.execute_sql("SELECT * FROM quality_figure").fetchall())


def test_a_colombian_firm_erases_a_former_client_and_nothing_of_it_remains_anywhere(app):
    with app.app_context():
        handler = make_user(roles=("service",), name="Sara Servicio")
        manager = make_user(roles=("management",), name="Gloria Gerente")
    alfa, _dsr = _seed(app, "ALFA-101", handler)
    beta, _ = _seed(app, "BETA-202", handler)
    with app.test_request_context():
        _close_everything(alfa.id)
        # The seed names its survey templates after the client; a firm's template is not the client's data.
        SurveyTemplate.update(name=SurveyTemplate.id.cast("text")).execute()
        issue = NewsletterIssue.create(number=1, subject="Boletín de marzo", status="sent")
        for seeded in (alfa, beta):  # the newsletter's copies hold the address they went to
            NewsletterDelivery.create(issue=issue, client=seeded.id, email=seeded.email, message_id=f"m-{seeded.id}")
        canaries = ["ALFA-101", alfa.email, alfa.reveal_document(), "Salud ALFA"]
        secrets = _secrets_of(alfa.id)
        storage = [s.storage_name for s in StoredFile.select().where(StoredFile.original_name.contains("ALFA"))]
        sealed = [(files._directory() / name).read_bytes() for name in storage]
        assert storage and len(secrets) >= 4 and _found(canaries)  # the scan sees them before
        scores = [a.score for a in SurveyAnswer.select().order_by(SurveyAnswer.id)]
        figures = _figures()
        events = AuditEvent.select().count()

        record = erasure.carry_out(Client.get_by_id(alfa.id), manager, "Petición de supresión atendida")

        assert record.mode == "erased" and record.jurisdiction == "CO"
        assert not _found(canaries), "a personal value of the erased client remains in plaintext"
        assert not _found(secrets), "a ciphertext or blind-index value of the erased client remains"
        for name, content in zip(storage, sealed, strict=True):
            assert not (files._directory() / name).exists()
            assert all(p.read_bytes() != content for p in files._directory().iterdir())
        # The blind index and the search tokens no longer find it; the other client is still found.
        assert not Client.select().where(Client.any_document(canaries[2])).exists()
        assert [c.id for c in Client.listing(q="ALFA")] == []
        assert [c.id for c in Client.listing(q="BETA")] == [beta.id]
        assert _found(["BETA-202", beta.email, beta.reveal_document()])  # the control: the scan can fail
        # Its share of the aggregates stays: every score and every stored figure.
        assert [a.score for a in SurveyAnswer.select().order_by(SurveyAnswer.id)] == scores
        assert _figures() == figures
        # The record: who, why, which tables; the audit rows name ids only.
        counts = json.loads(Erasure.get_by_id(record.id).tables)
        assert counts["client"] == 1 and counts["legal_case"] == 1 and counts["stored_file"] == 2
        assert counts["newsletter_delivery"] == 1 and NewsletterDelivery.select().count() == 2  # kept, anonymous
        event = AuditEvent.get(AuditEvent.action == "client_erased")
        assert (event.actor_id, event.object_id, event.detail) == (manager.id, str(alfa.id), f"erasure={record.id}")
        assert AuditEvent.select().count() == events + 1
        from core.audit import verify_chain

        assert verify_chain() is None
        client = Client.get_by_id(alfa.id)
        assert client.erased_at and client.name == f"Cliente suprimido {alfa.id}"
        with pytest.raises(erasure.Refused):  # once is enough
            erasure.carry_out(client, manager, "otra vez")


def test_legal_holds_refuse_the_erasure_and_nothing_is_written(app, firm_today):
    with app.app_context():
        handler = make_user(roles=("service",))
        manager = make_user(roles=("management",))
    alfa, _ = _seed(app, "GAMA-303", handler, with_files=False)
    with app.test_request_context():
        case = Case.get(Case.client == alfa.id)
        holds = erasure.holds(alfa)
        assert [(h.kind, h.ref_id) for h in holds] == [("open_case", case.id)]
        complaint = Complaint.create(client=alfa.id, case=case, kind="complaint", number="Q-1", channel="email",
                                     received_at=case.created_at, description="x", owner=handler)
        _close_everything(alfa.id)
        assert [h.kind for h in erasure.holds(alfa)] == ["open_complaint"]
        Complaint.update(status="closed").where(Complaint.id == complaint.id).execute()
        # A contract that ended three years ago is still within Colombia's ten years (Código de Comercio art. 60).
        contract = Contract.get_or_none(Contract.client == alfa.id)
        assert contract is None
        assert erasure.holds(alfa) == []
        ended = firm_today - timedelta(days=3 * 365)
        Contract.insert(client=alfa.id, quotation=_quotation(alfa), status="expired", start_date=ended - timedelta(days=365),
                        end_date=ended, created_at=case.created_at, updated_at=case.created_at).execute()
        holds = erasure.holds(alfa)
        assert [h.kind for h in holds] == ["contract_retention"] and holds[0].until == ended.replace(year=ended.year + 10)
        with pytest.raises(erasure.Refused) as refused:
            erasure.carry_out(alfa, manager, "Supresión")
        assert [h.kind for h in refused.value.holds] == ["contract_retention"]
        assert not Erasure.select().exists() and Client.get_by_id(alfa.id).name == "Cliente GAMA-303"
        # In Spain the same contract does not refuse the blocking: it extends it.
        assert erasure.holds(alfa, region="ES") == []


def _quotation(client):
    from models.commercial import Quotation

    return Quotation.insert(client=client.id, number=client.id, version=1, status="accepted",
                            valid_until=date(2020, 1, 1), created_at=client.created_at,
                            updated_at=client.created_at).execute()


# ----- through the pages: Colombia erases, Spain blocks -----

def _former(app, name="Lucía Fernández Gil", number="52111222"):
    with app.test_request_context():
        from tests.factories import make_client

        client = make_client(name=name, document_number=number, email="lucia.fernandez@example.com")
        Client.update(status="former").where(Client.id == client.id).execute()
        return Client.get_by_id(client.id)


def test_a_colombian_firm_erases_a_former_client_from_its_page_answering_the_request(app, http, login_as, firm_today):
    client = _former(app)
    with app.test_request_context():
        handler = make_user(roles=("service",))
        from services import privacy as requests_service

        dsr = requests_service.register(client, {"kind": "erasure", "channel": "email", "received_on": firm_today,
                                                 "message": "Supriman mis datos", "identity_method": "registered_contact",
                                                 "identity_notes": "Correo registrado", "assignee": handler.id}, handler)
    manager = login_as("management")
    assert "Supresión o bloqueo" in http.get(f"/clientes/{client.id}").get_data(as_text=True)
    page = http.get(f"/privacidad/peticiones/{dsr.id}").get_data(as_text=True)
    assert f"/clientes/{client.id}/supresion?peticion={dsr.id}" in page
    page = http.get(f"/clientes/{client.id}/supresion?peticion={dsr.id}").get_data(as_text=True)
    assert 'data-testid="erasure-no-holds"' in page and "se suprimen" in page
    missing = http.post(f"/clientes/{client.id}/supresion", data={"reason": "", "peticion": str(dsr.id)})
    assert missing.status_code == 422 and "sin datos personales" in missing.get_data(as_text=True)
    assert Client.get_by_id(client.id).erased_at is None
    done = http.post(f"/clientes/{client.id}/supresion", data={"reason": f"Petición {dsr.id}", "confirm": "y",
                                                              "peticion": str(dsr.id)})
    assert done.status_code == 303 and done.headers["Location"].endswith("/privacidad/supresiones")
    erased = Client.get_by_id(client.id)
    assert erased.erased_at and erased.name == f"Cliente suprimido {client.id}" and erased.document_index is None
    record = Erasure.get()
    assert (record.mode, record.request_id, record.performed_by_id) == ("erased", dsr.id, manager.id)
    assert DataSubjectRequest.get_by_id(dsr.id).status == "answered"
    register = http.get("/privacidad/supresiones").get_data(as_text=True)
    assert "Suprimido" in register and f"Petición {dsr.id}" in register and "Lucía" not in register
    assert http.get(f"/clientes/{client.id}/supresion").status_code == 404  # once


def test_holds_are_listed_and_refuse_the_erasure_on_its_page(app, http, login_as):
    with app.test_request_context():
        from tests.factories import make_case

        case = make_case(title="Demanda laboral")
        Client.update(status="former").where(Client.id == case.client_id).execute()
    login_as("quality")
    page = http.get(f"/clientes/{case.client_id}/supresion")
    text = page.get_data(as_text=True)
    assert 'data-testid="erasure-holds"' in text and "Caso aún abierto" in text and f"/casos/{case.id}" in text
    assert 'name="confirm"' not in text
    refused = http.post(f"/clientes/{case.client_id}/supresion", data={"reason": "Retención", "confirm": "y"})
    assert refused.status_code == 422 and not Erasure.select().exists()
    assert Client.get_by_id(case.client_id).erased_at is None


@pytest.mark.parametrize("role", ["commercial", "operations", "service"])
def test_roles_without_the_permission_cannot_erase(app, http, login_as, role):
    client = _former(app)
    login_as(role)
    assert http.get(f"/clientes/{client.id}/supresion").status_code == 403
    assert http.post(f"/clientes/{client.id}/supresion", data={"reason": "x", "confirm": "y"}).status_code == 403
    assert "Supresión o bloqueo" not in http.get(f"/clientes/{client.id}").get_data(as_text=True)


@pytest.fixture
def spain(make_app, clock):
    return make_app(FIRM_REGION="ES")


def test_a_spanish_firm_blocks_a_former_client_out_of_every_list_page_search_and_export(spain, login_as, firm_today, clock):
    app = spain
    http = app.test_client()  # the Spanish firm's app (the ``http`` fixture is the default firm's)
    client = _former(app)
    with app.test_request_context():
        from tests.factories import make_case

        case = make_case(client=client, title="Reclamación de cantidad")
        Case.update(status="closed").where(Case.id == case.id).execute()
        Client.update(status="former").where(Client.id == client.id).execute()
    manager = login_as("management", client=http)
    page = http.get(f"/clientes/{client.id}/supresion").get_data(as_text=True)
    assert "LOPDGDD" in page and "Bloquear al cliente" in page
    done = http.post(f"/clientes/{client.id}/supresion", data={"reason": "Petición de supresión", "confirm": "y"})
    assert done.status_code == 303
    blocked = Client.get_by_id(client.id)
    assert blocked.blocked_on == firm_today and blocked.blocked_until == firm_today.replace(year=firm_today.year + 5)
    assert blocked.reveal_document() == "52111222" and blocked.erased_at is None  # kept as it was
    record = Erasure.get()
    assert (record.mode, record.jurisdiction, json.loads(record.tables)) == ("blocked", "ES", {"client": 1})
    assert AuditEvent.get(AuditEvent.action == "client_blocked").object_id == str(client.id)

    # Out of reach for ordinary roles: lists, search, the client's and the case's pages, the export.
    http.post("/salir")
    login_as("commercial", "operations", client=http)
    for url in (f"/clientes/{client.id}", f"/clientes/{client.id}/admision", f"/casos/{case.id}"):
        assert http.get(url).status_code == 404, url
    for url in ("/clientes", "/clientes?buscar=Lucía", "/clientes?buscar=52111222", "/casos", "/buscar?q=Lucía",
                "/buscar?q=52111222", "/buscar?q=Fernández%20Gil"):
        text = http.get(url).get_data(as_text=True)
        assert "Lucía Fernández" not in text and "Reclamación de cantidad" not in text, url
    assert http.get(f"/privacidad/bloqueados/{client.id}").status_code == 403
    http.post("/salir")
    login_as("quality", client=http)
    assert http.post(f"/clientes/{client.id}/exportacion-datos").status_code == 404
    assert 'data-testid="blocked-clients"' not in http.get("/privacidad/supresiones").get_data(as_text=True)
    http.post("/salir")

    # Management holds the legal-claims permission: the blocked client opens there, and the read is recorded.
    clock.shift(timedelta(seconds=61))  # a new TOTP step: each is accepted once
    login_as(user=manager, client=http)
    register = http.get("/privacidad/supresiones").get_data(as_text=True)
    assert f"/privacidad/bloqueados/{client.id}" in register
    text = http.get(f"/privacidad/bloqueados/{client.id}").get_data(as_text=True)
    assert "Lucía Fernández Gil" in text and "52111222" in text
    read = AuditEvent.select().where(AuditEvent.action == "sensitive_read").order_by(AuditEvent.id.desc()).get()
    assert (read.actor_id, read.object_id, read.detail) == (manager.id, str(client.id), "legal_claims")


def test_the_retention_job_lists_what_is_due_and_its_approval_erases_through_the_same_service(app, http, login_as, clock):
    old = _former(app, "Ramiro Ortega Paz", "79000111")
    recent = _former(app, "Inés Carrasco Vidal", "79000222")
    with app.app_context():
        past = old.updated_at - timedelta(days=6 * 366)
        Client.update(updated_at=past).where(Client.id == old.id).execute()
        from core import jobs

        results = {r.name: r for r in jobs.run()}
        assert results["conservacion_vencida"].ok and results["conservacion_vencida"].count == 1
        assert [r.count for r in jobs.run() if r.name == "conservacion_vencida"] == [0]  # listed once
    from models.privacy import RetentionDue

    due = RetentionDue.get()
    assert (due.client_id, due.category, due.status) == (old.id, "former_client", "pending")
    login_as("quality")
    page = http.get("/privacidad/conservacion").get_data(as_text=True)
    assert "Ramiro Ortega Paz" in page and "Inés" not in page and "Excliente" in page
    assert f'href="/clientes/{old.id}"' in page and f'action="/privacidad/conservacion/{due.id}/aprobar"' in page
    assert f'action="/privacidad/conservacion/{due.id}/descartar"' in page and page.count('name="csrf_token"') >= 2
    response = http.post(f"/privacidad/conservacion/{due.id}/aprobar", data={})
    assert response.status_code == 303
    assert Client.get_by_id(old.id).erased_at and Client.get_by_id(recent.id).erased_at is None
    assert RetentionDue.get_by_id(due.id).status == "done"
    assert Erasure.get().reason == "retention:former_client"
    assert "Ramiro" not in http.get("/privacidad/conservacion").get_data(as_text=True)


def test_the_register_and_the_retention_review_cost_the_same_queries_for_any_number_of_rows(app, http, login_as,
                                                                                             firm_today):
    from playhouse.test_utils import count_queries

    from models.privacy import RetentionDue

    manager = login_as("management")

    def add(n):
        for i in range(n):
            client = _former(app, f"Cliente Antiguo {i} {RetentionDue.select().count()}", f"7{i}{Erasure.select().count():06d}")
            Erasure.create(client=client.id, mode="blocked", jurisdiction="ES", reason="Petición", performed_by=manager,
                           tables=json.dumps({"client": 1}))
            Client.update(blocked_on=firm_today, blocked_until=firm_today + timedelta(days=900)).where(
                Client.id == client.id).execute()
            other = _former(app, f"Otro Antiguo {i} {RetentionDue.select().count()}", f"8{i}{Erasure.select().count():06d}")
            RetentionDue.create(client=other.id, category="former_client", due_on=firm_today)

    counts = []
    for n in (1, 4):
        add(n)
        for url in ("/privacidad/supresiones", "/privacidad/conservacion"):
            http.get(url)
            with count_queries() as counter:
                assert http.get(url).status_code == 200
            counts.append((url, counter.count))
    assert counts[:2] == counts[2:], counts
    assert 'data-testid="blocked-clients"' in http.get("/privacidad/supresiones").get_data(as_text=True)

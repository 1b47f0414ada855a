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
from models.privacy import Erasure
from models.surveys import SurveyAnswer, SurveyTemplate
from services.privacy import erasure
from services.privacy import export as export_service
from tests.factories import make_user
from tests.privacy.test_export import _refers_to_client, _seed

pytestmark = pytest.mark.usefixtures("clock")


def test_every_table_that_refers_to_a_client_is_erased_deleted_or_kept_with_a_reason():
    anonymized = {s.model._meta.table_name for s in export_service.SECTIONS}
    referring = {m._meta.table_name for m in models.ALL_MODELS if m is Client or _refers_to_client(m)}
    missing = sorted(referring - anonymized - set(erasure.KEPT) - set(erasure.DELETED))
    assert not missing, f"tables about a client with no erasure treatment: {missing}"
    assert all(len(reason) > 20 for reason in {**erasure.KEPT, **erasure.DELETED}.values())
    assert {"erasure", "retention_due"} <= referring


def _close_everything(client_id):
    Case.update(status="closed").where(Case.client == client_id).execute()


def _cells():
    """Every value of every column of every table, as text (bytes decoded byte for byte)."""
    for table in db.get_tables():
        cursor = db.execute_sql(f'SELECT * FROM "{table}"')
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
        assert [h.kind for h in holds] == ["contract_retention"] and holds[0].until == erasure._add_years(ended, 10)
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

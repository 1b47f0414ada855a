"""The access export (issue 19 item 3; SECURITY.md PR4): every table that refers to a client, directly or through a
case, is exported or excluded with a reason; on the demo data each exported table carries exactly the rows whose
foreign keys lead to the client, worked out from the rows themselves; a seeded client's values come out in clear and nothing of another
client does; the zip holds the JSON, the PDF and the client's files; the PDF reads in Spanish; only the roles that may
generate it can; generating it is an audited confidential read, kept as an access request's evidence; the number of
queries does not grow with the rows."""

import io
import json
import subprocess
import zipfile
from datetime import timedelta

import pytest
from peewee import ForeignKeyField
from playhouse.test_utils import count_queries

import models
from core import files
from core.db import utcnow
from models.audit import AuditEvent, AuditSubject
from models.cases import Case
from models.clients import Client, Party
from models.complaints import CrisisIncident
from models.consent import Consent
from models.documents import DocumentItem, DocumentVersion
from models.files import StoredFile
from models.interactions import Interaction
from models.privacy import DataSubjectRequest
from models.references import refers_to_client, tables_about_a_client
from models.surveys import SurveyAnswer, SurveyQuestion, SurveyResponse, SurveyTemplate
from models.tasks import Task
from services import privacy as requests_service
from services.privacy import export
from tests.factories import make_case, make_client, make_notice, make_user

pytestmark = pytest.mark.usefixtures("clock")

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


# ----- coverage: every table that refers to a client or a case -----

def test_every_table_that_refers_to_a_client_is_exported_or_excluded_with_a_reason():
    exported = {s.model._meta.table_name for s in export.SECTIONS}
    referring = tables_about_a_client(models.ALL_MODELS)  # the walk the traceability report's coverage shares
    missing = sorted(referring - exported - set(export.EXCLUDED))
    assert not missing, f"tables about a client neither exported nor excluded: {missing}"
    assert all(len(reason) > 20 for reason in export.EXCLUDED.values())
    assert not exported & set(export.EXCLUDED)
    # The walk itself finds the indirect ones (a quotation's lines, a document's versions, a survey's answers).
    assert {"quotation_line", "document_version", "survey_answer", "crisis_step", "survey_link"} <= referring


# ----- a seeded client -----

def _seed(app, tag: str, handler, with_files=True):
    """A client with a value of its own (``tag``) in the tables the access request is about."""
    with app.test_request_context():
        client = make_client(name=f"Cliente {tag}", document_number=f"9{len(tag)}77{tag[-3:]}".replace("-", "0"),
                             email=f"{tag.lower()}@example.com")
        client = Client.get_by_id(client.id)
        client.set_sensitive(f"Salud {tag}")
        client.save()
        notice = make_notice()
        evidence = files.save(PDF, "application/pdf", f"consentimiento-{tag}.pdf", "consent", handler) if with_files else None
        Consent.create(client=client, purpose="service", granted=True, method="written", given_on=utcnow().date(),
                       notice=notice, notice_sha256=notice.sha256, collected_by=handler, evidence=evidence)
        case = make_case(client=Client.get_by_id(client.id), title=f"Caso {tag}")
        case = Case.get_by_id(case.id)
        case.set_confidential("legal_analysis", f"Analisis {tag}")
        case.save()
        interaction = Interaction(client=client, case=case, occurred_at=utcnow(), confidential=True, kind="update")
        interaction.save()
        interaction.set_summary(f"Llamada {tag}")
        interaction.save()
        item = DocumentItem.create(case=case, name=f"Cedula {tag}")
        if with_files:
            stored = files.save(PDF + tag.encode(), "application/pdf", f"cedula-{tag}.pdf", "document", handler)
            DocumentVersion.create(item=item, file=stored, number=1, uploaded_by=handler)
        incident = CrisisIncident(client=client, case=case, opened_by=handler, occurred_at=utcnow())
        incident.save()
        incident.seal("behaviour", f"Conducta {tag}")
        incident.save()
        template = SurveyTemplate.create(name=f"Encuesta {tag}", family=abs(hash(tag)) % 10000)
        question = SurveyQuestion.create(template=template, kind="text", text="Comentarios")
        day = utcnow().date()
        named = SurveyResponse.create(template=template, client=client, case=case, answered_on=day,
                                      month=day.replace(day=1))
        SurveyAnswer.create(response=named, question=question, value=f"Opinion {tag}")
        # A row marked anonymous must not come out even if something tied it to the client.
        hidden = SurveyResponse.create(template=template, client=client, anonymous=True, answered_on=day,
                                       month=day.replace(day=1))
        SurveyAnswer.create(response=hidden, question=question, value=f"Anonima {tag}")
        dsr = requests_service.register(client, {"kind": "query", "channel": "email", "received_on": day,
                                                 "message": f"Peticion {tag}", "identity_method": "registered_contact",
                                                 "identity_notes": "", "assignee": handler.id}, handler)
        return Client.get_by_id(client.id), dsr


def _values(data) -> str:
    return json.dumps(data, ensure_ascii=False)


def test_the_json_holds_the_clients_values_in_clear_and_nothing_of_another_client(app):
    with app.app_context():
        handler = make_user(roles=("service",), name="Sara Servicio")
    client, _dsr = _seed(app, "ALFA-101", handler)
    _seed(app, "BETA-202", handler)
    with app.test_request_context():
        data = export.collect(client.id)
    text = _values({k: v for k, v in data.items() if k != "_stored"})
    for value in ("Cliente ALFA-101", "alfa-101@example.com", "Salud ALFA-101", "Analisis ALFA-101",
                  "Llamada ALFA-101", "Conducta ALFA-101", "Opinion ALFA-101", "Peticion ALFA-101",
                  "Cedula ALFA-101", "Caso ALFA-101"):
        assert value in text, value
    assert data["sections"]["client"][0]["document_number"] == Client.get_by_id(client.id).reveal_document()
    assert "BETA" not in text
    assert "Anonima" not in text
    consent = data["sections"]["consents"][0]
    assert consent["notice"]["sha256"] == consent["notice_sha256"] and "Ley 1581" in consent["notice"]["text"]
    assert data["sections"]["cases"][0]["responsible"] == "Laura Gómez"  # staff named, not by id
    # The secrets left the database only in clear here: the stored ciphertexts do not hold them.
    assert "Analisis" not in (Case.get(Case.client == client.id).legal_analysis or "")


def test_the_zip_holds_the_json_the_pdf_and_the_files(app):
    with app.app_context():
        handler = make_user(roles=("quality",), name="Rosa Calidad")
    client, _dsr = _seed(app, "GAMA-303", handler)
    _seed(app, "DELTA-404", handler)
    with app.test_request_context():
        body, kept = export.generate(client, handler)
    assert not kept  # from the client's page: nothing is kept but the audit row
    archive = zipfile.ZipFile(io.BytesIO(body))
    names = set(archive.namelist())
    assert {"datos.json", "informe.pdf"} <= names
    data = json.loads(archive.read("datos.json"))
    assert {f["path"] for f in data["files"]} == names - {"datos.json", "informe.pdf"}
    contents = sorted(archive.read(n) for n in names if n.startswith("archivos/"))
    assert contents == sorted([PDF, PDF + b"GAMA-303"])  # decrypted; the other client's file is not there
    assert any(n.endswith("cedula-GAMA-303.pdf") for n in names)
    version = data["sections"]["document_versions"][0]
    assert version["file"] in names
    # The PDF, as text: Spanish, "usted", the key items.
    pdf = archive.read("informe.pdf")
    assert pdf.startswith(b"%PDF-")
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    flat = " ".join(text.split())
    for expected in ("Cliente GAMA-303", "Sus datos", "Sus consentimientos", "Sus casos", "Analisis GAMA-303",
                     "Llamada GAMA-303", "Opinion GAMA-303", "Peticion GAMA-303", "Salud GAMA-303",
                     "derecho de acceso", "Ley 1581"):
        assert expected in flat, expected
    assert "DELTA" not in flat and "Anonima" not in flat
    # Audited as a read of the client's confidential data, so it shows in "Quién consultó".
    event = AuditEvent.get(AuditEvent.action == "sensitive_read", AuditEvent.fields == "access_export")
    assert event.actor_id == handler.id and "sha256=" in event.detail and "GAMA" not in event.detail
    assert AuditSubject.get(AuditSubject.event == event.id).client_id == client.id


def test_from_an_access_request_the_zip_is_kept_as_its_evidence(app, http, login_as):
    handler = login_as("service")
    client, dsr = _seed(app, "EPSI-505", handler, with_files=False)
    page = http.get(f"/privacidad/peticiones/{dsr.id}").get_data(as_text=True)
    assert "Generar exportación" in page
    response = http.post(f"/privacidad/peticiones/{dsr.id}/exportacion")
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    first = DataSubjectRequest.get_by_id(dsr.id).evidence
    assert first.purpose == export.EXPORT_PURPOSE and first.size == len(response.data)
    # A second export replaces the first (row and file); its zip does not carry the first one inside.
    again = http.post(f"/privacidad/peticiones/{dsr.id}/exportacion")
    assert not any(n.endswith(".zip") for n in zipfile.ZipFile(io.BytesIO(again.data)).namelist())
    assert StoredFile.get_or_none(StoredFile.id == first.id) is None
    assert DataSubjectRequest.get_by_id(dsr.id).evidence.size == len(again.data)
    # The client's "Quién consultó" lists it.
    assert AuditSubject.select().where(AuditSubject.client_id == client.id).count() == 2


def test_an_unidentified_requester_or_another_kind_of_request_gets_no_export(app, http, login_as):
    handler = login_as("quality")
    client, dsr = _seed(app, "ZETA-606", handler, with_files=False)
    DataSubjectRequest.update(identity_method="pending").where(DataSubjectRequest.id == dsr.id).execute()
    response = http.post(f"/privacidad/peticiones/{dsr.id}/exportacion")
    assert response.status_code == 303 and DataSubjectRequest.get_by_id(dsr.id).evidence_id is None
    DataSubjectRequest.update(kind="erasure", identity_method="document").where(DataSubjectRequest.id == dsr.id).execute()
    assert http.post(f"/privacidad/peticiones/{dsr.id}/exportacion").status_code == 404
    assert not AuditEvent.select().where(AuditEvent.fields == "access_export").exists()


@pytest.mark.parametrize("role", ["commercial", "operations", "service", "admin"])
def test_roles_without_permission_cannot_export_from_the_client_page(app, http, login_as, role):
    with app.app_context():
        handler = make_user(roles=("service",), name="Sara Servicio")
    client, _dsr = _seed(app, f"ETA-{role}", handler, with_files=False)
    login_as(role)
    response = http.post(f"/clientes/{client.id}/exportacion-datos")
    assert response.status_code == 403
    assert not AuditEvent.select().where(AuditEvent.fields == "access_export").exists()
    assert AuditEvent.select().where(AuditEvent.action == "authz_fail").exists()


def test_management_exports_from_the_client_page(app, http, login_as):
    boss = login_as("management")
    client, _dsr = _seed(app, "THETA-707", boss, with_files=False)
    page = http.get(f"/clientes/{client.id}/quien-consulto").get_data(as_text=True)
    assert 'data-testid="client-export"' in page
    response = http.post(f"/clientes/{client.id}/exportacion-datos")
    assert response.status_code == 200
    assert "Cliente THETA-707" in zipfile.ZipFile(io.BytesIO(response.data)).read("datos.json").decode()


def _interactions(app, client, n):
    with app.test_request_context():
        case = Case.get(Case.client == client.id)
        start = utcnow() - timedelta(days=n + 1)
        for i in range(n):
            row = Interaction(client=client, case=case if i % 2 else None, occurred_at=start + timedelta(days=i),
                              confidential=bool(i % 3 == 0), kind="update", created_by=case.responsible_id)
            row.save()
            row.set_summary(f"Seguimiento {i}")
            row.save()


def test_the_number_of_queries_does_not_grow_with_the_rows(app):
    with app.app_context():
        handler = make_user(roles=("quality",), name="Rosa Calidad")
    few, _ = _seed(app, "IOTA-808", handler)
    many, _ = _seed(app, "KAPPA-909", handler)
    _interactions(app, few, 1)
    _interactions(app, many, 50)
    counts = []
    for client in (few, many):
        with app.test_request_context():
            with count_queries() as counter:
                data = export.collect(client.id)
            counts.append(counter.count)
    assert len(data["sections"]["interactions"]) == 51
    assert counts[0] == counts[1], counts
    assert counts[0] <= len(export.SECTIONS) + len(export.NAMED) + 3  # + staff names, files, reads


def test_an_uploaded_evidence_replaces_a_kept_export_and_nothing_is_left_behind(app, http, login_as):
    handler = login_as("service")
    _client, dsr = _seed(app, "LAMBDA-111", handler, with_files=False)
    assert http.post(f"/privacidad/peticiones/{dsr.id}/exportacion").status_code == 200
    kept = DataSubjectRequest.get_by_id(dsr.id).evidence
    with app.app_context():
        stored_path = files._directory() / kept.storage_name
    assert stored_path.exists()
    response = http.post(f"/privacidad/peticiones/{dsr.id}/cerrar", data={
        "outcome": "answered", "answer": "Le enviamos la copia de sus datos.", "evidence_note": "",
        "evidence": (io.BytesIO(PDF), "acuse.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 303
    evidence = DataSubjectRequest.get_by_id(dsr.id).evidence
    assert evidence.purpose == "privacy_request" and evidence.original_name == "acuse.pdf"
    assert StoredFile.get_or_none(StoredFile.id == kept.id) is None and not stored_path.exists()
    # Answered, its evidence is settled: no more exports from it (the client page still makes them).
    assert "Generar exportación" not in http.get(f"/privacidad/peticiones/{dsr.id}").get_data(as_text=True)
    assert http.post(f"/privacidad/peticiones/{dsr.id}/exportacion").status_code == 303
    assert DataSubjectRequest.get_by_id(dsr.id).evidence_id == evidence.id
    assert AuditEvent.select().where(AuditEvent.fields == "access_export").count() == 1


def _waits_on(model, owners) -> set:
    """The tables ``model`` links to (towards a client) that are not worked out yet."""
    return {f.rel_model for f in model._meta.sorted_fields if isinstance(f, ForeignKeyField) and f.rel_model is not model
            and f.rel_model not in owners and (refers_to_client(f.rel_model) or f.rel_model in (Client, Case))}


def _owners(models_in_order) -> dict:
    """For every row of every table: the clients it refers to, by any chain of foreign keys to Client or Case,
    worked out from the rows themselves (not from the export's queries). A client's own self-reference (who referred
    whom) is another client's link, not this row's; an anonymous survey answer belongs to nobody."""
    owners = {Client: {cid: {cid} for (cid,) in Client.select(Client.id).tuples()}}
    pending = [m for m in models_in_order if m is not Client]
    stuck = False  # a cycle of links (a quotation renewing a contract made from a quotation): break it once
    while pending:
        progressed = False
        for model in list(pending):
            fks = [f for f in model._meta.sorted_fields if isinstance(f, ForeignKeyField) and f.rel_model is not model]
            parents = [f for f in fks if f.rel_model in owners or refers_to_client(f.rel_model) or f.rel_model in (Client, Case)]
            waiting = {f.rel_model for f in parents if f.rel_model not in owners}
            if waiting:
                if not (stuck and all(model in _waits_on(other, owners) for other in waiting)):
                    continue
                # two tables waiting on each other: this one's other links are known, its link into the cycle leads
                # to the same client and comes round when the other table is worked out
                parents, stuck = [f for f in parents if f.rel_model in owners], False
            table = {}
            flag = [model._meta.fields["anonymous"]] if "anonymous" in model._meta.fields else []
            for row_id, *values in model.select(model.id, *parents, *flag).tuples():
                refs, anonymous = values[:len(parents)], bool(flag and values[-1])
                table[row_id] = set() if anonymous else set().union(
                    *(owners[f.rel_model].get(ref, set()) for f, ref in zip(parents, refs, strict=True) if ref is not None))
            owners[model] = table
            pending.remove(model)
            progressed = True
        stuck = not progressed
    return owners


def test_the_export_holds_every_row_that_refers_to_the_client_on_the_demo_data(app):
    """Every exported table, every demo client: the rows the export carries are exactly the rows whose foreign keys
    lead to the client (or one of its cases), however indirectly."""
    from services import demo

    with app.test_request_context():
        demo.load()
        # Rows linked only through a case or an interaction, as the app makes them (a counterparty attached to a
        # case later, a follow-up task of a communication).
        case = Case.select().order_by(Case.id).first()
        Party.create(kind="counterparty", name="Parte del caso", name_key="parte del caso", case=case)
        interaction = Interaction.select().where(Interaction.client != case.client_id).order_by(Interaction.id).first()
        Task.create(kind="follow_up", title="Responder", owner=case.responsible_id, interaction=interaction,
                    due_on=interaction.occurred_at.date())
        referring = [m for m in models.ALL_MODELS if m is Client or m is Case or refers_to_client(m)]
        owners = _owners(referring)
        by_model = {s.model: s.name for s in export.SECTIONS}
        seen = set()
        for (client_id,) in Client.select(Client.id).tuples():
            data = export.collect(client_id)
            for model, name in by_model.items():
                expected = {row_id for row_id, found in owners[model].items() if client_id in found}
                got = {row["id"] for row in data["sections"][name]}
                assert got == expected, (client_id, name, sorted(got ^ expected)[:5])
                seen |= {name} if got else set()
    # The demo data reaches most tables, so the comparison is not vacuous.
    assert set(by_model.values()) - seen <= {"document_versions", "final_deliveries", "meetings", "renewal_decisions"}

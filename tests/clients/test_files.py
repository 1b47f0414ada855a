"""Evidence files: type by content, size, storage outside static/, encryption, authorised download
(SECURITY.md F1–F4)."""

import io
from pathlib import Path

from models.audit import AuditEvent
from models.files import StoredFile
from models.intake import VerificationCheck
from tests.factories import collect_spooled_bodies, make_client

PDF = b"%PDF-1.4\n% Cedula escaneada CENTINELA-PDF\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, "PNG")
    return out.getvalue()


PNG = _png()


def _attach(http, client, name, data):
    return http.post(f"/clientes/{client.id}/verificacion", content_type="multipart/form-data", data={
        "item": "identity_document", "state": "verified", "notes": "",
        "file": (io.BytesIO(data), name)})


def test_f1_type_must_match_content_and_extension(app, http, login_as):
    owner = login_as("commercial")
    with app.test_request_context():
        client = make_client(responsible=owner.id)
    fake_png = b"\x89PNG\r\n\x1a\n" + b"<html><script>alert(1)</script>"  # PNG signature, no picture
    for name, data in (("cedula.pdf", PNG), ("x.pdf.php", PDF), ("script.html", b"<script>"), ("vacio.pdf", b""),
                       ("foto.png", fake_png)):
        response = _attach(http, client, name, data)
        assert response.status_code == 303, name
        assert StoredFile.select().count() == 0, name
        assert VerificationCheck.select().count() == 0, name  # nothing half-written
    assert _attach(http, client, "cedula.pdf", PDF).status_code == 303
    assert StoredFile.select().count() == 1


def test_f2_size_limit(app, http, login_as):
    owner = login_as("commercial")
    with app.test_request_context():
        client = make_client(responsible=owner.id)
    _attach(http, client, "grande.pdf", PDF + b"0" * (20 * 1024 * 1024))
    collect_spooled_bodies()
    assert StoredFile.select().count() == 0


def test_f3_stored_encrypted_under_a_random_name_outside_static(app, http, login_as):
    owner = login_as("commercial")
    with app.test_request_context():
        client = make_client(responsible=owner.id)
    _attach(http, client, "../../app.py.pdf", PDF)
    stored = StoredFile.get()
    assert stored.original_name == "app.py.pdf" and len(stored.storage_name) == 32
    path = Path(app.config["INSTANCE_PATH"]) / "files" / stored.storage_name
    assert path.exists() and b"CENTINELA-PDF" not in path.read_bytes()
    assert not list((Path(__file__).resolve().parents[2] / "static").rglob(stored.storage_name))
    assert http.get(f"/static/{stored.storage_name}").status_code == 404


def test_f4_download_authorised_audited_with_safe_headers(app, http, login_as):
    owner = login_as("commercial")
    with app.test_request_context():
        client = make_client(responsible=owner.id)
        other_client = make_client(name="Otro Cliente", document_number="", email="")
    _attach(http, client, "cédula.pdf", PDF)
    stored = StoredFile.get()
    response = http.get(f"/clientes/{client.id}/archivos/{stored.id}?motivo=Poder")
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''c%C3%A9dula.pdf" in response.headers["Content-Disposition"]
    assert response.headers["Content-Security-Policy"] == "sandbox"
    assert response.headers["X-Content-Type-Options"] == "nosniff" and response.headers["Cache-Control"] == "no-store"
    event = AuditEvent.get(AuditEvent.action == "sensitive_read")
    assert event.fields == "file:verification" and event.detail == "Poder"
    assert http.get(f"/clientes/{other_client.id}/archivos/{stored.id}").status_code == 404  # not this client's


def test_f4_outsider_gets_404(app, login_as):
    with app.test_request_context():
        client = make_client()
    owner = app.test_client()
    me = login_as("commercial", client=owner)
    from models.clients import Client

    Client.update(responsible=me.id).where(Client.id == client.id).execute()
    _attach(owner, client, "cedula.pdf", PDF)
    stored = StoredFile.get()
    outsider = app.test_client()
    login_as("service", client=outsider)
    assert outsider.get(f"/clientes/{client.id}/archivos/{stored.id}").status_code == 404


def test_consent_evidence_and_signed_contract_copy(clock, app, http, login_as, firm_today):
    from models.commercial import Contract, Quotation
    from models.consent import Consent
    from tests.factories import make_notice

    owner = login_as("commercial")
    with app.test_request_context():
        client = make_client(responsible=owner.id)
        make_notice()
        quotation = Quotation.create(client=client, number=3, status="accepted", valid_until=firm_today)
        contract = Contract.create(client=client, quotation=quotation, start_date=firm_today, end_date=firm_today)
    http.post(f"/clientes/{client.id}/consentimiento", content_type="multipart/form-data", data={
        "purposes": ["service"], "method": "written", "given_on": firm_today.isoformat(),
        "evidence": (io.BytesIO(PNG), "formulario.png")})
    assert Consent.get().evidence.original_name == "formulario.png"
    response = http.post(f"/comercial/contratos/{contract.id}/copia-firmada", content_type="multipart/form-data",
                         data={"file": (io.BytesIO(PDF), "contrato-firmado.pdf")})
    assert response.status_code == 303 and Contract.get_by_id(contract.id).signed_copy.original_name == "contrato-firmado.pdf"
    page = http.get(f"/comercial/contratos/{contract.id}").get_data(as_text=True)
    assert "contrato-firmado.pdf" in page

"""The quotation and the contract as documents the firm sends: rendered by WeasyPrint from the same partial the
page shows, on A4 with the embedded Unicode font, the firm's and the client's identity, totals, page x of y, and
the acceptance or signatures. PDF text is compressed and subset, so the words are checked on the markup the PDF is
made from (core.pdf.document_html) and the PDF itself for its format, font and pages."""

import re
import zlib
from datetime import timedelta

import pytest

from core import pdf
from models.audit import AuditEvent
from models.clients import Client
from models.commercial import Contract, Quotation
from services.clients import labels as client_labels
from services.commercial import labels
from tests.factories import make_client

LONG_SERVICE = "Representación judicial en proceso ordinario laboral de primera instancia — audiencias incluidas"


@pytest.fixture
def firm(app):
    app.config.update(FIRM_NIT="900.123.456-7", FIRM_ADDRESS="Calle 93 # 11-26, oficina 502, Bogotá D.C.")


def _lines(*rows):
    data = {}
    for i, (service, qty, price, tax) in enumerate(rows):
        data.update({f"lines-{i}-service": service, f"lines-{i}-quantity": qty, f"lines-{i}-unit_price": price,
                     f"lines-{i}-tax_rate": tax})
    return data


def make_documents(app, http, firm_today, lines=6):
    """A company client with a quotation of several lines (one long), accepted, and its draft contract."""
    with app.test_request_context():
        client = make_client(name="Inversiones Andinas S.A.S.", kind="company", document_type="NIT",
                             document_number="900765432-1", email="gerencia@andinas.test", phone="+576017654321",
                             address="Carrera 7 # 71-21, torre B, piso 9", city="Bogotá")
        Client.update(status="accepted").where(Client.id == client.id).execute()
    rows = [(LONG_SERVICE, "1", "4500000", "19"), ("Revisión de contratos laborales", "3", "350000.50", "19"),
            ("Asesoría en reglamento interno de trabajo", "1", "1200000", "19"),
            ("Capacitación a jefes de área (4 horas)", "2", "900000", "0"),
            ("Auditoría de nómina y seguridad social", "1", "2750000", "19"),
            ("Gastos de notaría y certificados", "1", "180000", "0")][:lines]
    http.post(f"/comercial/clientes/{client.id}/cotizaciones/nueva", data={
        **_lines(*rows), "valid_until": (firm_today + timedelta(days=30)).isoformat(),
        "notes": "Honorarios pagaderos 50 % al inicio y 50 % a la entrega.\nNo incluye gastos de desplazamiento fuera de Bogotá."})
    quotation = Quotation.get()
    http.post(f"/comercial/cotizaciones/{quotation.id}/enviar")
    http.post(f"/comercial/cotizaciones/{quotation.id}/aceptar")
    http.post(f"/comercial/cotizaciones/{quotation.id}/contrato", data={
        "conditions": "Asesoría laboral permanente a la empresa, con informe mensual de avances.",
        "frequency": "monthly", "duration_months": "12", "start_date": firm_today.isoformat(),
        "end_date": (firm_today + timedelta(days=364)).isoformat(),
        "firm_duties": "Atender las consultas en un plazo de 48 horas hábiles.\nGuardar reserva sobre la información recibida.",
        "client_duties": "Entregar la información y los documentos a tiempo.\nPagar los honorarios en las fechas acordadas.",
        "signed_on": "", "signer": "", "renews": "0"})
    return client, Quotation.get_by_id(quotation.id), Contract.get()


def _objects(data: bytes) -> bytes:
    """The PDF with its compressed streams inflated (page and font objects live in object streams)."""
    parts = [data]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            pass  # an image or a font program
    return b"\n".join(parts)


def _pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", _objects(data)))


def _assert_a4_with_embedded_inter(data: bytes):
    assert data.startswith(b"%PDF-")
    objects = _objects(data)
    boxes = {tuple(round(float(v)) for v in box.split()) for box in re.findall(rb"/MediaBox\s*\[([^\]]+)\]", objects)}
    assert boxes == {(0, 0, 595, 842)}  # A4 in points
    assert re.search(rb"/BaseFont\s*/[A-Z]{6}\+Inter", objects) and re.search(rb"/FontFile[23]?\b", objects)
    assert b"Helvetica" not in objects  # no Latin-1 base font anywhere


def test_quotation_pdf_is_a_document_of_the_firm(app, http, login_as, firm, firm_today):
    login_as("commercial")
    client, quotation, _contract = make_documents(app, http, firm_today)
    response = http.get(f"/comercial/cotizaciones/{quotation.id}/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="cotizacion-00001-v1.pdf"'
    _assert_a4_with_embedded_inter(response.data)
    assert _pages(response.data) >= 1

    with app.test_request_context():
        lines = quotation.lines_list()
        html = pdf.document_html("commercial/quotation_pdf.html", quotation=quotation, lines=lines,
                                 totals=Quotation.totals(lines), status_now="accepted", labels=labels,
                                 client_labels=client_labels, client_document="NIT 900765432-1")
    text = re.sub(r"\s+", " ", html)
    for expected in ("Duarte &amp; Asociados Abogados", "NIT 900.123.456-7", "Calle 93 # 11-26", "Inversiones Andinas S.A.S.",
                     "NIT 900765432-1", "Carrera 7 # 71-21", LONG_SERVICE, "Precio unitario", "Tarifa de impuesto",
                     'class="totals"', "Aceptado por el cliente"):
        assert expected in text, expected
    assert 'class="table lines"' in text  # the page's own table markup
    with app.test_request_context():
        assert pdf.page_counter() == '"Página " counter(page) " de " counter(pages) ""'
    event = AuditEvent.select().where(AuditEvent.action == "sensitive_read").get()
    assert event.object_id == str(client.id) and "COT-00001" in event.detail  # the company's NIT was read


def test_contract_pdf_has_parties_value_clauses_and_signatures(app, http, login_as, firm, firm_today):
    login_as("commercial")
    _client, quotation, contract = make_documents(app, http, firm_today)
    page = http.get(f"/comercial/contratos/{contract.id}").get_data(as_text=True)
    assert f'href="/comercial/contratos/{contract.id}/pdf"' in page
    response = http.get(f"/comercial/contratos/{contract.id}/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f'attachment; filename="contrato-{contract.id:05d}.pdf"'
    _assert_a4_with_embedded_inter(response.data)
    with app.test_request_context():
        lines = quotation.lines_list()
        html = pdf.document_html("commercial/contract_pdf.html", contract=contract, lines=lines,
                                 totals=Quotation.totals(lines), labels=labels, client_labels=client_labels,
                                 client_document="NIT 900765432-1")
    text = re.sub(r"\s+", " ", html)
    for expected in ("Contrato de servicio", contract.code, "NIT 900.123.456-7", "Inversiones Andinas S.A.S.",
                     quotation.code, "Servicios y valor", "Atender las consultas", "Entregar la información",
                     "Por Duarte &amp; Asociados Abogados", "El cliente"):
        assert expected in text, expected


def test_a_person_keeps_their_identity_number_masked_on_paper(app, http, login_as, firm_today):
    login_as("commercial")
    with app.test_request_context():
        person = make_client(name="María Fernanda Rojas", document_number="52123456")
        Client.update(status="accepted").where(Client.id == person.id).execute()
    http.post(f"/comercial/clientes/{person.id}/cotizaciones/nueva", data={
        **_lines(("Consulta", "1", "200000", "19")), "valid_until": (firm_today + timedelta(days=30)).isoformat()})
    assert http.get(f"/comercial/cotizaciones/{Quotation.get().id}/pdf").status_code == 200
    assert not AuditEvent.select().where(AuditEvent.action == "sensitive_read").exists()


def test_a_document_fetches_nothing_outside_static(app):
    fetcher = pdf._fetcher()
    for url in ("https://example.test/logo.png", "file:///etc/passwd", (pdf.STATIC / ".." / "app.py").as_uri()):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    fetched = fetcher.fetch((pdf.STATIC / "fonts" / "Inter-Regular.otf").as_uri())
    fetched.close()
    with app.test_request_context():  # an outside image is left out; the document still renders
        assert pdf.to_pdf('<p>Hola</p><img src="https://example.test/x.png">').startswith(b"%PDF-")

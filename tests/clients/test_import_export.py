"""CSV import (preview, per-row errors, duplicates, all-or-nothing) and CSV/XLSX export (issue: clients)."""

import io

from openpyxl import load_workbook

from models.audit import AuditEvent
from models.clients import Client
from tests.factories import make_area, make_client

GOOD = ("nombre;tipo;tipo_documento;numero_documento;correo;telefono;ciudad;pais;area;origen;necesidad\n"
        "Ana María Ruiz;persona;CC;52123456;ana.ruiz@correo.test;3001234567;Bogotá;CO;Derecho laboral;web;Despido\n"
        "Inversiones Roble S.A.S.;empresa;NIT;900123456-8;;;Medellín;CO;Derecho laboral;alianza;Contratos\n")


def _upload(http, text, **extra):
    return http.post("/clientes/importar", data={"file": (io.BytesIO(text.encode("utf-8")), "clientes.csv"), **extra},
                     content_type="multipart/form-data")


def test_import_previews_then_imports_all(app, http, login_as):
    login_as("commercial")
    with app.test_request_context():
        make_area("Derecho laboral")
    preview = _upload(http, GOOD)
    body = preview.get_data(as_text=True)
    assert preview.status_code == 200 and Client.select().count() == 0
    assert "2 filas leídas" in body and "Importar 2 clientes" in body
    done = http.post("/clientes/importar", data={"csv_text": GOOD, "confirm": "1"}, content_type="multipart/form-data")
    assert done.status_code == 303
    assert sorted(c.name for c in Client.select()) == ["Ana María Ruiz", "Inversiones Roble S.A.S."]
    ana = Client.get(Client.name == "Ana María Ruiz")
    assert ana.phone == "+573001234567" and ana.reveal_document() == "52123456" and ana.status == "prospect"
    assert AuditEvent.select().where(AuditEvent.action == "client_import").count() == 1


def test_import_errors_per_row_and_nothing_written(app, http, login_as):
    login_as("commercial")
    with app.test_request_context():
        make_area("Derecho laboral")
        make_client(name="Ya Existe", document_type="CC", document_number="52123456", email="otra@correo.test")
    text = GOOD + "Sin Tipo;robot;CC;12;no-es-correo;12;;CO;Astrología;tiktok;\n;persona;;;;;;;;;\n"
    response = _upload(http, text)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    for message in ("El tipo debe ser", "no es válido para su tipo", "correo electrónico no es válido",
                    "teléfono no es válido", "Área de práctica desconocida", "Origen desconocido", "Falta el nombre",
                    "posible duplicado"):
        assert message in body, message
    forced = http.post("/clientes/importar", data={"csv_text": text, "confirm": "1"}, content_type="multipart/form-data")
    assert forced.status_code == 422 and Client.select().count() == 1  # all or nothing


def test_import_refuses_a_file_without_header(app, http, login_as):
    login_as("commercial")
    response = _upload(http, "a,b\n1,2\n")
    assert response.status_code == 422 and "nombre" in response.get_data(as_text=True)


def test_export_neutralises_formulas_and_masks_documents(app, http, login_as):
    owner = login_as("commercial")
    with app.test_request_context():
        make_client(name="=HYPERLINK(\"http://evil\")", document_number="52123456", responsible=owner.id)
    csv_text = http.get("/clientes/exportar.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in csv_text and "52123456" not in csv_text and "•••• 3456" in csv_text
    workbook = load_workbook(io.BytesIO(http.get("/clientes/exportar.xlsx").data))
    cells = {cell.value: cell for row in workbook.active.iter_rows() for cell in row}
    assert cells["=HYPERLINK(\"http://evil\")"].data_type == "s"  # a text cell, never a formula
    assert "52123456" not in cells
    assert AuditEvent.select().where(AuditEvent.action == "client_export").count() == 2


def test_management_export_shows_documents_and_is_a_logged_sensitive_read(app, http, login_as):
    login_as("management")
    with app.test_request_context():
        make_client(name="Cliente Documentado", document_number="52123456")
    assert "52123456" in http.get("/clientes/exportar.csv?q=documentado").get_data(as_text=True)
    event = AuditEvent.get(AuditEvent.action == "sensitive_read")
    assert event.fields == "document_number" and "q=documentado" in event.detail

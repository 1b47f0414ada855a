"""CSV import (preview, per-row errors, duplicates, all-or-nothing) and CSV/XLSX export (issue: clients)."""

import base64
import csv
import io
import re
import zlib

import pytest
from openpyxl import load_workbook
from playhouse.test_utils import count_queries

from models.audit import AuditEvent
from models.clients import Client
from tests.factories import make_area, make_client

GOOD = ("nombre;tipo;tipo_documento;numero_documento;correo;telefono;ciudad;pais;area;origen;necesidad\n"
        "Ana María Ruiz;persona;CC;52123456;ana.ruiz@correo.test;3001234567;Bogotá;CO;Derecho laboral;web;Despido\n"
        "Inversiones Roble S.A.S.;empresa;NIT;900123456-8;;;Medellín;CO;Derecho laboral;alianza;Contratos\n")


def _upload(http, text, **extra):
    return http.post("/clientes/importar", data={"file": (io.BytesIO(text.encode("utf-8")), "clientes.csv"), **extra},
                     content_type="multipart/form-data")


def _packed(body: str) -> str:
    """The checked file, as the result page sends it back to import it or to download its rejected rows."""
    return re.search(r'name="packed" value="([^"]+)"', body).group(1)


def _confirm(http, body, confirm="1", **extra):
    return http.post("/clientes/importar", data={"packed": _packed(body), "confirm": confirm, **extra},
                     content_type="multipart/form-data")


def _rejected(http, body):
    return http.post("/clientes/importar/rechazadas.csv", data={"packed": _packed(body)}, content_type="multipart/form-data")


def _csv_rows(response) -> list[dict]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")  # UTF-8 with a BOM, as the export: Excel keeps the accents
    return list(csv.DictReader(io.StringIO(text[1:]), delimiter=";"))


def test_import_previews_then_imports_all(app, http, login_as):
    login_as("commercial")
    with app.test_request_context():
        make_area("Derecho laboral")
    preview = _upload(http, GOOD)
    body = preview.get_data(as_text=True)
    assert preview.status_code == 200 and Client.select().count() == 0
    assert "2 filas leídas" in body and "Importar 2 clientes" in body and "Importando 2 filas…" in body
    assert "52123456" not in body  # the file travels compressed, never as readable text
    done = _confirm(http, body)
    assert done.status_code == 303
    assert sorted(c.name for c in Client.select()) == ["Ana María Ruiz", "Inversiones Roble S.A.S."]
    ana = Client.get(Client.name == "Ana María Ruiz")
    assert ana.phone == "+573001234567" and ana.reveal_document() == "52123456" and ana.status == "prospect"
    assert ana.responsible_id is None  # none posted (the page's select proposes the importer)
    assert Client.get(Client.name == "Inversiones Roble S.A.S.").reveal_document() == "9001234568"
    assert AuditEvent.select().where(AuditEvent.action == "client_import").count() == 1


def test_import_errors_grouped_by_kind_and_nothing_written(app, http, login_as):
    login_as("commercial")
    with app.test_request_context():
        make_area("Derecho laboral")
        make_client(name="Ya Existe", document_type="CC", document_number="52123456", email="otra@correo.test")
    text = GOOD + "Sin Tipo;robot;CC;12;no-es-correo;12;;CO;Astrología;tiktok;\n;persona;;;;;;;;;\n"
    response = _upload(http, text)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    for message in ("Tipo desconocido: 1 fila", "El tipo debe ser", "Número de documento no válido: 1 fila",
                    "no es válido para su tipo", "Correo no válido: 1 fila", "Teléfono no válido: 1 fila",
                    "Área de práctica desconocida: 1 fila", "Derecho laboral", "Origen desconocido: 1 fila",
                    "Falta el nombre: 1 fila", "Posible duplicado: 1 fila", "Ya Existe"):
        assert message in body, message
    for value in ("<code>robot</code>", "<code>no-es-correo</code>", "<code>Astrología</code>", "<code>tiktok</code>"):
        assert value in body, value  # the value as the file gave it
    assert "•••• 3456" in body and "52123456" not in body  # a document number is masked, like everywhere
    assert "Importar las 1 filas válidas" not in body and "Importar 1 fila válida" in body  # Roble is fine
    forced = _confirm(http, body, confirm="1")
    assert forced.status_code == 422 and Client.select().count() == 1  # "1": all or nothing


def test_a_thousand_bad_phones_make_a_short_page_with_the_counts(app, http, login_as):
    login_as("commercial")
    lines = ["nombre;telefono;correo"] + [f"Cliente Bueno {n};3001234{n:03d};bueno{n}@correo.test" for n in range(100)]
    lines += [f"Cliente Malo {n};12{n};malo{n}@correo.test" for n in range(900)]
    response = _upload(http, "\n".join(lines) + "\n")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert len(body.encode()) < 60_000, len(body.encode())
    assert "1000 filas leídas" in body and "100 listas para importar" in body and "900 con errores" in body
    assert "Teléfono no válido: 900 filas" in body and body.count("Teléfono no válido") == 1
    assert "<td>102</td><td>telefono</td>" in body and "<code>120</code>" in body  # row, column, value as given
    assert "Ver 20 filas más" in body and "Las otras 875 filas están en el archivo de filas rechazadas." in body
    assert "Descargar las 900 filas rechazadas (CSV)" in body and "Importar las 100 filas válidas" in body


def test_the_valid_rows_import_and_the_rejected_ones_come_back_to_fix(app, http, login_as):
    login_as("commercial")
    text = ("Nombre;Teléfono;Correo;Ciudad\n"
            "Ana Ruiz;3001234567;ana@correo.test;Bogotá\n"
            "=HYPERLINK(\"http://evil\");12;malo@correo.test;Cali\n"
            "Beto Paz;300 765 4321;beto@correo\n")
    body = _upload(http, text).get_data(as_text=True)
    download = _rejected(http, body)
    assert download.status_code == 200 and download.headers["Content-Type"].startswith("text/csv")
    assert 'filename="filas-rechazadas.csv"' in download.headers["Content-Disposition"]
    rows = _csv_rows(download)
    assert list(rows[0]) == ["Nombre", "Teléfono", "Correo", "Ciudad", "error"]  # the file's own columns
    assert [r["Nombre"] for r in rows] == ["'=HYPERLINK(\"http://evil\")", "Beto Paz"]  # formulas neutralised
    assert rows[0]["error"] == "Teléfono no válido" and rows[1]["error"] == "Correo no válido"
    assert AuditEvent.select().where(AuditEvent.action == "client_export").count() == 1
    done = _confirm(http, body, confirm="valid")
    assert done.status_code == 303 and [c.name for c in Client.select()] == ["Ana Ruiz"]
    # Fixed in the spreadsheet, the file goes back in as it is, with its "error" column.
    fixed = download.get_data(as_text=True).replace(";12;", ";3109876543;").replace("beto@correo;", "beto@correo.test;")
    again = http.post("/clientes/importar", data={"file": (io.BytesIO(fixed.encode()), "filas-rechazadas.csv")},
                      content_type="multipart/form-data")
    assert again.status_code == 200, again.get_data(as_text=True)
    assert _confirm(http, again.get_data(as_text=True)).status_code == 303
    names = sorted(c.name for c in Client.select())
    assert names == ["=HYPERLINK(\"http://evil\")", "Ana Ruiz", "Beto Paz"]  # the apostrophe is not kept


def test_the_import_assigns_the_responsible_chosen(app, http, login_as, make_user):
    """The picker listed everyone who may be responsible (most of 2,000 staff): it offers nobody and the importer,
    and anyone else who may be responsible is found by name (as on the client form) and accepted."""
    me = login_as("commercial")
    lawyer = make_user(roles=("operations",), name="Abogada Responsable")
    admin = make_user(roles=("admin",), name="Solo Administra")
    gone = make_user(roles=("operations",), name="Abogado Inactivo", active=False)
    page = http.get("/clientes/importar").get_data(as_text=True)
    assert "Abogada Responsable" not in page and "Solo Administra" not in page
    select = re.search(r'<select[^>]*id="responsible".*?</select>', page, re.S).group(0)
    assert set(re.findall(r'value="(\d+)"', select)) == {"0", str(me.id)} and "/casos/personal" in page
    search = http.get("/casos/personal?persona=abogada&campo=responsible").get_data(as_text=True)
    assert f'value="{lawyer.id}" selected' in search and str(gone.id) not in search
    assert "Solo" not in http.get("/casos/personal?persona=solo&campo=responsible").get_data(as_text=True)
    for refused in (admin, gone):  # may not be responsible, or no longer works here: beside the field
        response = _upload(http, GOOD.replace("Derecho laboral", ""), responsible=str(refused.id))
        body = response.get_data(as_text=True)
        assert response.status_code == 422 and 'id="responsible-error"' in body and "Opción inválida" in body
    body = _upload(http, GOOD.replace("Derecho laboral", ""), responsible=str(lawyer.id)).get_data(as_text=True)
    assert f'<option selected value="{lawyer.id}">' in body  # kept for the confirmation
    refused = _confirm(http, body, responsible=str(admin.id))
    assert refused.status_code == 422 and Client.select().count() == 0
    assert 'id="responsible-error"' in refused.get_data(as_text=True)
    assert _confirm(http, body, responsible=str(lawyer.id)).status_code == 303
    with count_queries() as few:
        http.get("/clientes/importar")
    for n in range(4):
        make_user(roles=("operations",), name=f"Más Personal {n}")
    with count_queries() as more:
        http.get("/clientes/importar")
    assert more.count == few.count
    assert {c.responsible_id for c in Client.select()} == {lawyer.id}
    assert "responsible" in AuditEvent.get(AuditEvent.action == "client_import").fields


def test_the_importer_is_the_default_responsible_and_unassigned_is_a_choice(app, http, login_as):
    me = login_as("management")
    page = http.get("/clientes/importar").get_data(as_text=True)
    assert f'<option selected value="{me.id}">' in page  # who may create clients may be responsible
    body = _upload(http, GOOD.replace("Derecho laboral", ""), responsible=str(me.id)).get_data(as_text=True)
    assert _confirm(http, body, responsible="0").status_code == 303
    assert {c.responsible_id for c in Client.select()} == {None}


def test_the_upload_under_htmx_answers_the_result_only(app, http, login_as):
    login_as("commercial")
    response = http.post("/clientes/importar", data={"file": (io.BytesIO(b"nombre\nAna Ruiz\n"), "c.csv")},
                         headers={"HX-Request": "true"}, content_type="multipart/form-data")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and body.lstrip().startswith('<div id="client-import"') and "<html" not in body


@pytest.mark.parametrize("packed", ["no es base64", "", base64.b64encode(b"sin comprimir").decode(),
                                    base64.b64encode(zlib.compress(b"x" * (6 * 1024 * 1024))).decode()])
def test_a_file_sent_back_spoiled_is_refused_beside_the_field(app, http, login_as, packed):
    login_as("commercial")
    for url in ("/clientes/importar", "/clientes/importar/rechazadas.csv"):
        response = http.post(url, data={"packed": packed, "confirm": "1"}, content_type="multipart/form-data")
        assert response.status_code == 422 and 'class="error"' in response.get_data(as_text=True)
    assert Client.select().count() == 0


def test_import_refuses_a_file_without_header(app, http, login_as):
    login_as("commercial")
    response = _upload(http, "a,b\n1,2\n")
    assert response.status_code == 422 and "nombre" in response.get_data(as_text=True)


def test_ten_thousand_rows_import_in_bulk(app, http, login_as):
    """The most a file may hold goes in with a few statements per table, each document bound to its row."""
    from core.db import db

    login_as("commercial")
    lines = ["nombre;tipo_documento;numero_documento;correo"]
    lines += [f"Cliente {n};CC;{10_000_000 + n};c{n}@correo.test" for n in range(10_000)]
    body = _upload(http, "\n".join(lines) + "\n").get_data(as_text=True)
    statements = []
    original = db.obj.execute_sql
    db.obj.execute_sql = lambda sql, params=None, *a, **k: (statements.append(sql), original(sql, params, *a, **k))[1]
    try:
        assert _confirm(http, body).status_code == 303
    finally:
        db.obj.execute_sql = original
    assert Client.select().count() == 10_000
    assert len([s for s in statements if s.startswith("INSERT")]) < 200, len(statements)
    last = Client.get(Client.name == "Cliente 9999")
    assert last.reveal_document() == "10009999" and last.masked_document == "•••• 9999"


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

"""A client list exported to CSV reads back through the import, in Spanish and with the firm's dates
(issue 11, item 12)."""

import csv
import io
import re
from datetime import UTC, datetime

import pytest
import time_machine

from models.clients import Client
from tests.factories import make_area, make_client


def _clients(owner_id):
    make_area("Derecho laboral")
    make_client(name="Ana María Ruiz", email="ana.ruiz@correo.test", source="social", responsible=owner_id)
    make_client(kind="company", name="Inversiones Roble S.A.S.", document_type="NIT", document_number="9001234568",
                email="", source="alliance", responsible=owner_id)
    make_client(name="Pedro Pérez Gómez", document_type="", document_number="", email="", phone="", source="visit")


def _rows(csv_text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff")), delimiter=";"))


@pytest.mark.parametrize("role", ["commercial", "management"])  # masked documents, and documents in clear
def test_an_exported_list_reads_back_as_existing_clients(app, http, login_as, role):
    owner = login_as(role)
    with app.test_request_context():
        _clients(owner.id)
    exported = http.get("/clientes/exportar.csv").get_data(as_text=True)
    rows = {r["nombre"]: r for r in _rows(exported)}
    assert (rows["Ana María Ruiz"]["tipo"], rows["Ana María Ruiz"]["estado"], rows["Ana María Ruiz"]["origen"]) == \
        ("persona", "prospecto", "redes")
    assert (rows["Inversiones Roble S.A.S."]["tipo"], rows["Inversiones Roble S.A.S."]["origen"]) == ("empresa", "alianza")
    preview = http.post("/clientes/importar", data={"file": (io.BytesIO(exported.encode("utf-8")), "clientes.csv")},
                        content_type="multipart/form-data")
    body = preview.get_data(as_text=True)
    assert "3 filas leídas" in body and "3 posibles duplicados" in body
    assert "con errores" not in body and 'class="error"' not in body
    assert preview.status_code == 422 and Client.select().count() == 3  # nothing imported twice


def test_the_import_reads_spanish_labels_and_headers_written_by_hand(app, http, login_as):
    login_as("commercial")
    with app.test_request_context():
        make_area("Derecho laboral")
    text = ("Nombre;Tipo;Teléfono;País;Área;Origen\n"
            "Lucía Gómez;Persona;3001234567;CO;Derecho laboral;Redes sociales\n"
            "Constructora Andina S.A.S.;EMPRESA;;CO;;Visita comercial\n")
    preview = http.post("/clientes/importar", data={"file": (io.BytesIO(text.encode("utf-8")), "clientes.csv")},
                        content_type="multipart/form-data")
    body = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "2 filas leídas" in body and 'class="error"' not in body
    packed = re.search(r'name="packed" value="([^"]+)"', body).group(1)  # the file, as the page sends it back
    http.post("/clientes/importar", data={"packed": packed, "confirm": "1"}, content_type="multipart/form-data")
    lucia = Client.get(Client.name == "Lucía Gómez")
    assert (lucia.kind, lucia.source, lucia.phone) == ("person", "social", "+573001234567")
    assert Client.get(Client.name == "Constructora Andina S.A.S.").kind == "company"


def test_creado_is_the_firms_day_not_utcs(app, http, login_as):
    login_as("commercial")
    # 22:57 on 5 December in Bogotá is 03:57 on 6 December in UTC.
    with time_machine.travel(datetime(2024, 12, 6, 3, 57, tzinfo=UTC), tick=False), app.test_request_context():
        make_client(name="Cliente Nocturno")
    rows = _rows(http.get("/clientes/exportar.csv").get_data(as_text=True))
    assert [r["creado"] for r in rows] == ["2024-12-05"]

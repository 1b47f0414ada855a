"""The XLSX export as a spreadsheet user opens it: typed cells (numbers, dates), phones as written, a bold
header row frozen with an autofilter, sensible widths; a text that would be a formula stays a text cell."""

import io
import zipfile
from datetime import datetime

from openpyxl import load_workbook

from tests.factories import make_client


def test_client_xlsx_has_typed_cells_a_frozen_bold_filtered_header_and_widths(app, http, login_as):
    owner = login_as("commercial")
    with app.test_request_context():
        make_client(name="Inversiones Andinas S.A.S.", kind="company", document_type="NIT",
                    document_number="900123456-8", phone="+573001234567", responsible=owner.id)
        make_client(name='=HYPERLINK("http://evil")', document_number="52123456", phone="+573109876543",
                    responsible=owner.id)
    data = http.get("/clientes/exportar.xlsx").data
    sheet = load_workbook(io.BytesIO(data)).active
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["id", "nombre", "tipo"] and all(c.font.b for c in sheet[1])
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(header)).column_letter}3"
    column = {name: i for i, name in enumerate(header)}
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) == 2
    for row in rows:
        assert isinstance(row[column["id"]].value, int)
        created = row[column["creado"]]
        assert isinstance(created.value, datetime) and created.number_format == "dd/mm/yyyy"
        phone = row[column["telefono"]]
        assert phone.value.startswith("+57") and phone.data_type == "s"  # no apostrophe
    names = {row[column["nombre"]].value: row[column["nombre"]] for row in rows}
    assert names['=HYPERLINK("http://evil")'].data_type == "s"
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        xml = book.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml  # no formula anywhere in the file
    assert sheet.column_dimensions["B"].width >= len("Inversiones Andinas S.A.S.")
    assert sheet.column_dimensions["A"].width < sheet.column_dimensions["B"].width

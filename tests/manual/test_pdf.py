"""A version of the manual on paper (issue 17): PRO 008's header block on every page (code and title, Crea,
Aprueba, Ver., Fecha, "Página x de y"), the sections in the firm's order, the version history (§9) at the end and the
attachments by title; a superseded version says so on every page; a version not in force does not print; the same
version prints the same document twice."""

import re
import subprocess

import pytest

from models.manual import ManualDocument, ManualVersion
from services import manual as service
from services.manual import pro008

pytestmark = pytest.mark.usefixtures("clock")

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _pages(body: bytes, tmp_path, name="version.pdf") -> list[str]:
    path = tmp_path / name
    path.write_bytes(body)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return [re.sub(r"[ \t]+", " ", page) for page in text.split("\f") if page.strip()]


def _pro008(app, quality, manager):
    with app.test_request_context():
        pro008.load(quality, manager)
    document = ManualDocument.get(ManualDocument.code == "PRO 008")
    return document, ManualVersion.get(ManualVersion.document == document)


def test_pro_008_prints_with_its_header_block_on_every_page(app, http, login_as, make_user, tmp_path):
    document, version = _pro008(app, make_user(roles=("quality",)), make_user(roles=("management",)))
    login_as("commercial")  # whoever reads the manual
    page = http.get(f"/manual/{document.id}").get_data(as_text=True)
    url = f"/manual/{document.id}/versiones/{version.id}/pdf"
    assert f'href="{url}"' in page
    response = http.get(url)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="pro-008-v000.pdf"'
    pages = _pages(response.data, tmp_path)
    assert len(pages) >= 3
    for number, text in enumerate(pages, 1):
        head = text[:600]
        assert "PRO 008 | Gestión del Cliente" in head, number
        assert "Crea: EGC" in head and "Aprueba: CEO" in head and "Ver. 0" in head and "Fecha: 01.12.2024" in head
        assert f"Página {number} de {len(pages)}" in head
        assert "Versión sustituida" not in text
    everything = "\n".join(pages)
    # The contents on the first page, then the sections 1–8 in the firm's order, §9 last.
    assert "Contenido" in pages[0] and "9. Historial de Versiones" in pages[0]
    body = "\n".join(pages[1:])
    titles = ["1. Objetivo", "2. Alcance", "3. Responsabilidades", "4. Definiciones", "5. Procedimiento",
              "5.1. Captación de Clientes", "5.4. Seguimiento Post-Servicio", "6. Registros",
              "7. Indicadores de Desempeño", "8. Documentos Relacionados", "9. Historial de Versiones"]
    places = [body.find(title) for title in titles]
    assert -1 not in places and places == sorted(places), dict(zip(titles, places, strict=True))
    assert "Contactar al cliente en un plazo de 5 días" in body
    assert re.search(r"Versión Fecha Asiento Aprueba\s*\n\s*000 01\.12\.2024 Original CEO", everything)
    assert "Plantillas y formularios" not in body  # nothing attached


def test_the_same_version_prints_the_same_document_twice(app, http, login_as, make_user, tmp_path, clock):
    document, version = _pro008(app, make_user(roles=("quality",)), make_user(roles=("management",)))
    login_as("operations")
    url = f"/manual/{document.id}/versiones/{version.id}/pdf"
    first = http.get(url).data
    clock.shift(86400 * 3)  # another day, another reader: the same paper
    other = app.test_client()
    login_as("management", client=other)
    second = other.get(url).data
    assert first == second
    assert b"CreationDate" not in first


def test_a_superseded_version_says_so_on_every_page_and_the_history_grows(app, http, login_as, make_user, tmp_path,
                                                                          firm_today):
    quality, manager = make_user(roles=("quality",)), make_user(roles=("management",))
    document, old = _pro008(app, quality, manager)
    with app.test_request_context():
        new = service.new_version(ManualDocument.get_by_id(document.id), quality)
        service.save_draft(new, {**new.sections(), "objective": "Gestionar al cliente con eficacia.",
                                 "change_summary": "Objetivo más breve", "justification": "Revisión anual."}, quality)
        service.attach(new, "Formulario de cotización", (PDF, "application/pdf", "cotizacion.pdf"),
                       quality)
        service.submit(new, quality)
        service.approve(ManualVersion.get_by_id(new.id), manager)
        service.publish(ManualVersion.get_by_id(new.id), manager)
    login_as("service")
    page = http.get(f"/manual/{document.id}/versiones/{old.id}").get_data(as_text=True)
    assert f'/manual/{document.id}/versiones/{old.id}/pdf' in page and "(sustituida)" in page
    pages = _pages(http.get(f"/manual/{document.id}/versiones/{old.id}/pdf").data, tmp_path, "old.pdf")
    for number, text in enumerate(pages, 1):
        assert "Versión sustituida" in text and "Ver. 0" in text and f"Página {number} de {len(pages)}" in text
    assert "Esta versión ha sido sustituida: no es el procedimiento vigente." in pages[0]
    current = _pages(http.get(f"/manual/{document.id}/versiones/{new.id}/pdf").data, tmp_path, "new.pdf")
    everything = "\n".join(current)
    day = firm_today.strftime("%d.%m.%Y")
    assert "Versión sustituida" not in everything and "Ver. 1" in current[0] and f"Fecha: {day}" in current[-1]
    assert re.search(rf"000 01\.12\.2024 Original CEO\s*\n\s*001 {re.escape(day)} Objetivo más breve CEO", everything)
    assert "Gestionar al cliente con eficacia." in everything
    assert "Plantillas y formularios" in everything and "Formulario de cotización" in everything


def test_a_version_not_in_force_does_not_print(app, http, login_as, make_user):
    quality = login_as("quality")
    with app.test_request_context():
        document = service.create_document({"code": "PRO 030", "title": "Borrador", "kind": "procedure",
                                            "owner": quality.id, "objective": "Algo.", "change_summary": "Original",
                                            "justification": "Primera edición."},
                                           quality)
    draft = document.versions.get()
    url = f"/manual/{document.id}/versiones/{draft.id}/pdf"
    page = http.get(f"/manual/{document.id}").get_data(as_text=True)
    assert url not in page
    response = http.get(url)
    assert response.status_code == 409 and response.mimetype == "text/html"
    assert "Solo se imprime una versión que haya entrado en vigor" in response.get_data(as_text=True)
    reader = app.test_client()
    login_as("commercial", client=reader)  # a reader does not see the draft at all
    assert reader.get(url).status_code == 404
    assert reader.get(f"/manual/{document.id}/versiones/99999/pdf").status_code == 404

"""The demo firm's manual holds PRO 008 as the firm wrote it: its eight sections word for word, published on
01.12.2024 as version 000 ("Original", approved by the CEO, created by EGC), with its version history (§9)."""

import re
from datetime import date
from pathlib import Path

import pytest

from models.manual import ManualDocument, ManualVersion
from services import demo
from services.manual import crisis_protocol, pro008

pytestmark = pytest.mark.usefixtures("clock")

DOMAIN = Path(__file__).resolve().parents[3] / "shared" / "domain"
SOURCE = DOMAIN / "PRO-008-gestion-del-cliente.txt"
CRISIS = DOMAIN / "protocolo-cliente-en-crisis.txt"


def _plain(text: str) -> str:
    text = re.sub(r"^\s*(?:[-•]\s*)?(?:\d+\.\s+)?", "", text, flags=re.M)
    return re.sub(r"\s+", " ", text.replace("**", "").replace("### ", "")).strip()


def _source_lines() -> list[str]:
    """The body lines of PRO 008's sections 1–8 as the firm's file has them (page headers and the contents left
    out); the copy kept in services/manual/pro008.py when the file is not beside the repository."""
    if not SOURCE.exists():
        return [line for text in pro008.SECTIONS.values() for line in text.splitlines() if line.strip()]
    body = SOURCE.read_text(encoding="utf-8").split("1. Objetivo\n\n", 1)[1].split("9.- Historial", 1)[0]
    header = re.compile(r"^(PRO 008 \||Crea:|Aprueba:|Ver\. 0|Fecha:|\d\. )")  # page headers, section titles
    return [line for line in body.splitlines() if line.strip() and not header.match(line.strip())]


def test_the_demo_publishes_pro_008_as_it_is(app, http, login_as):
    with app.test_request_context():
        demo.load()
    document = ManualDocument.get(ManualDocument.code == "PRO 008")
    version = ManualVersion.get(ManualVersion.document == document)
    assert (document.title, document.kind, document.created_label, document.approved_label) == (
        "Gestión del Cliente", "procedure", "EGC", "CEO")
    assert (version.label, version.state, version.published_on, version.change_summary, version.approver_title) == (
        "000", "published", date(2024, 12, 1), "Original", "CEO")
    assert document.current_id == version.id and version.approver.email.startswith("gerencia@")
    stored = _plain("\n".join(version.sections().values()))
    lines = _source_lines()
    assert len(lines) >= 30
    for line in lines:
        assert _plain(line) in stored, line
    login_as("commercial")
    page = http.get(f"/manual/{document.id}").get_data(as_text=True)
    assert "PRO 008 | Gestión del Cliente" in page and "Ver. 000" in page
    assert re.search(r">000</a></td><td>01\.12\.2024</td><td>Original</td><td>CEO</td>", page)
    assert "<strong>Encuesta de Satisfacción:</strong> Contactar al cliente en un plazo de 5 días" in page
    assert "<h3>5.4. Seguimiento Post-Servicio</h3>" in page


def test_the_demo_files_the_crisis_protocol_and_the_crisis_screens_link_to_it(app, http, login_as):
    with app.test_request_context():
        demo.load()
    document = ManualDocument.get(ManualDocument.code == crisis_protocol.CODE)
    version = ManualVersion.get(ManualVersion.document == document)
    assert version.state == "published" and document.current_id == version.id
    stored = _plain("\n".join(version.sections().values()))
    lines = ([line.strip().lstrip("·").strip() for line in CRISIS.read_text(encoding="utf-8").splitlines()
              if line.strip()] if CRISIS.exists() else [])
    for line in lines:
        if line not in ("Objetivos del Protocolo", "Pasos del Protocolo", "Posibles Acciones de Respuesta"):
            assert _plain(line) in stored, line
    login_as("service")
    page = http.get("/crisis").get_data(as_text=True)
    assert "/manual/codigo/PRO%20009?seccion=procedure" in page
    response = http.get("/manual/codigo/PRO%20009?seccion=procedure")
    assert response.headers["Location"].endswith(f"/manual/{document.id}#s-procedure")
    assert "Mantén la Calma y la Profesionalidad" in http.get(f"/manual/{document.id}").get_data(as_text=True)

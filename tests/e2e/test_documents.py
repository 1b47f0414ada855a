"""The document checklist of a case as the operations lawyer on the team uses it, in Chromium: upload a PDF,
see the item received and the header's progress move without a reload, then review it."""

import pytest
from playwright.sync_api import expect
from weasyprint import HTML

from models.documents import DocumentItem, DocumentVersion, RequirementTemplate
from tests.e2e.conftest import shoot
from tests.e2e.test_journeys import _no_csp_violations, _sign_in
from tests.factories import make_area, make_case, make_user

pytestmark = pytest.mark.e2e


def _tiny_pdf(path):
    HTML(string="<p>Contrato laboral de Carlos Mejía</p>").write_pdf(str(path))
    return path


def test_upload_a_document_and_see_the_progress_change(app, page, tmp_path):
    pg = page
    with app.test_request_context():
        lawyer = make_user(roles=("operations",), name="Laura Gómez Ríos", email="laura@duarte.test")
        area = make_area("Derecho laboral")
        for position, (name, confidential) in enumerate((("Contrato laboral y otrosíes", False),
                                                         ("Carta de despido", False),
                                                         ("Copia del documento de identidad", True)), start=1):
            RequirementTemplate.create(practice_area=area, name=name, confidential=confidential, due_days=10,
                                       position=position)
        case = make_case(responsible=lawyer, practice_area=area.id, client_name="Carlos Andrés Mejía")
    contract = DocumentItem.get(DocumentItem.case == case, DocumentItem.name == "Contrato laboral y otrosíes")
    item = pg.locator(f"#document-item-{contract.id}")
    progress = pg.locator(f"#case-{case.id}-progress")

    pg.goto(f"{pg.base}/documentos/casos/{case.id}")
    _sign_in(pg, lawyer)
    pg.wait_for_url(f"**/documentos/casos/{case.id}")
    expect(progress).to_contain_text("0/3")
    expect(item).to_have_attribute("data-status", "pending")
    shoot(pg, "documents")
    shoot(pg, "documents", 360)
    pg.set_viewport_size({"width": 1280, "height": 860})

    pg.evaluate("window.__marker = 'no reload'")
    item.locator("summary").first.click()
    item.locator(f"#file-{contract.id}").set_input_files(str(_tiny_pdf(tmp_path / "contrato-laboral.pdf")))
    shoot(pg, "documents-upload-form")
    item.locator("form[enctype] button[type=submit]").click()
    expect(item).to_have_attribute("data-status", "received")
    expect(progress).to_contain_text("1/3")  # the header, swapped out-of-band
    expect(item.locator("a.doc-file")).to_contain_text("contrato-laboral.pdf")
    expect(pg.locator(".toast").last).to_be_visible()
    assert pg.evaluate("window.__marker") == "no reload"
    assert DocumentVersion.select().count() == 1
    shoot(pg, "documents-received")
    shoot(pg, "documents-received", 360)
    pg.set_viewport_size({"width": 1280, "height": 860})

    # Rejecting needs a reason: the reason shows beside the field, still without a reload.
    item.locator("summary").nth(1).click()
    item.locator("button[value=rejected]").click()
    expect(item.locator(f"#reason-{contract.id}-error")).to_be_visible()
    shoot(pg, "documents-reject-error")
    item.locator(f"#reason-{contract.id}").fill("Falta la firma del empleador.")
    item.locator("button[value=rejected]").click()
    expect(item).to_have_attribute("data-status", "rejected")
    expect(progress).to_contain_text("0/3")
    assert pg.evaluate("window.__marker") == "no reload"
    assert DocumentItem.get_by_id(contract.id).note == "Falta la firma del empleador."
    _no_csp_violations(pg)


def test_admin_loads_the_usual_requirements_of_an_area_and_reorders_them(app, page):
    pg = page
    with app.test_request_context():
        admin = make_user(roles=("admin",), name="Andrea Salazar", email="andrea@duarte.test")
        make_area("Derecho de familia")
        labour = make_area("Derecho laboral")
    pg.goto(f"{pg.base}/documentos/requisitos?area={labour.id}")
    _sign_in(pg, admin)
    pg.wait_for_url(f"**/documentos/requisitos?area={labour.id}")
    pg.evaluate("window.__marker = 'no reload'")
    pg.locator(".req-suggested button").click()
    rows = pg.locator("#requirement-templates .req-row")
    expect(rows).to_have_count(8)
    first, second = (RequirementTemplate.of_area(labour.id)[i] for i in (0, 1))
    pg.locator(f"#requirement-{second.id} button[value=up]").click()
    expect(rows.first).to_have_attribute("id", f"requirement-{second.id}")
    assert pg.evaluate("window.__marker") == "no reload"
    assert [t.id for t in RequirementTemplate.of_area(labour.id)][:2] == [second.id, first.id]
    shoot(pg, "requirements")
    shoot(pg, "requirements", 360)
    _no_csp_violations(pg)

"""The retire/restore button of the three catalogs (practice areas, complaint categories, requirement
templates) goes through one helper, core.web.toggle_active: each click flips the entry with its audit row, and
a click without the form's token changes nothing."""

import pytest

from models.audit import AuditEvent
from models.catalog import PracticeArea
from models.complaints import ComplaintCategory
from models.documents import RequirementTemplate
from tests.factories import make_area


def _area():
    return make_area("Derecho de familia")


def _category():
    return ComplaintCategory.create(name="Demora en la respuesta")


def _template():
    return RequirementTemplate.create(practice_area=make_area(), name="Copia del contrato laboral")


CATALOGS = [
    pytest.param(_area, "/admin/areas/{id}/estado", "admin", "catalog_update", ("", ""), id="practice-area"),
    pytest.param(_category, "/quejas/configuracion/categorias/{id}/estado", "quality", "complaint_category",
                 ("deactivate", "activate"), id="complaint-category"),
    pytest.param(_template, "/documentos/requisitos/{id}/estado", "admin", "catalog_update", ("", ""),
                 id="requirement-template"),
]


@pytest.mark.parametrize("build, url, role, event, details", CATALOGS)
def test_each_click_flips_the_entry_with_its_audit_row(app, http, login_as, build, url, role, event, details):
    login_as(role)
    with app.app_context():
        row = build()
    model, url = type(row), url.format(id=row.id)
    before = AuditEvent.select().where(AuditEvent.action == event).count()
    assert http.post(url).status_code in (200, 303)
    assert model.get_by_id(row.id).is_active is False
    assert http.post(url).status_code in (200, 303)
    assert model.get_by_id(row.id).is_active is True
    rows = list(AuditEvent.select().where(AuditEvent.action == event).order_by(AuditEvent.id))[before:]
    assert [(r.object_id, r.fields, r.detail) for r in rows] == [(str(row.id), "is_active", d) for d in details]


@pytest.mark.parametrize("build, url, role, event, details", CATALOGS)
def test_a_click_without_the_token_changes_nothing(app, http, login_as, build, url, role, event, details):
    login_as(role)
    with app.app_context():
        row = build()
    assert http.post(url.format(id=row.id), csrf=False).status_code < 500
    assert type(row).get_by_id(row.id).is_active is True


def test_an_entry_that_does_not_exist_answers_404(http, login_as):
    login_as("admin")
    assert http.post("/admin/areas/999999/estado").status_code == 404
    assert PracticeArea.select().where(PracticeArea.id == 999999).count() == 0

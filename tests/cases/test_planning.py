"""A case's confidential planning: a form that leaves out the confidential fields keeps them as they were,
and the strategy page works as a full page without htmx."""

import pytest

from models.cases import Case
from tests.factories import make_case

SECRET = "ANALISIS-SECRETO-4411"

pytestmark = pytest.mark.usefixtures("clock")  # dates matter here: the firm's today at an awkward hour


def _case(app, **kw):
    with app.test_request_context():
        return make_case(**kw)


def test_planning_without_the_confidential_fields_keeps_them(app, http, login_as):
    me = login_as("operations")
    case = _case(app, responsible=me)
    http.post(f"/casos/{case.id}/planificacion", data={"legal_analysis": SECRET, "strategy": "Conciliar."})
    http.post(f"/casos/{case.id}/planificacion", data={"description": "Solo cambia la descripción."})
    saved = Case.get_by_id(case.id)
    assert saved.reveal("legal_analysis") == SECRET and saved.reveal("strategy") == "Conciliar."
    assert saved.description == "Solo cambia la descripción."


def test_confidential_planning_has_a_full_page_without_htmx(app, http, login_as):
    me = login_as("operations")
    case = _case(app, responsible=me)
    http.post(f"/casos/{case.id}/planificacion", data={"legal_analysis": SECRET})
    page = http.get(f"/casos/{case.id}/estrategia").get_data(as_text=True)
    assert "<html" in page and SECRET in page

"""Indicator targets: quality sets them (value and owner), the pages show the state against them in words,
bad input answers 422 with a message, and the state rule (met / near / missed) in each direction."""

import re

import pytest
from playhouse.test_utils import count_queries

from models.quality_targets import QualityTarget
from services.quality import indicators as ind
from tests.factories import sign_in

pytestmark = pytest.mark.usefixtures("clock")


def test_quality_sets_a_target_and_the_pages_show_it(app, http, make_user):
    owner = make_user(roles=("management",), name="Gloria Duarte")
    sign_in(http, make_user(roles=("quality",)))
    response = http.post("/calidad/indicadores/satisfaccion/meta", data={"target": "85", "owner": owner.id})
    assert response.status_code == 303
    with app.app_context():
        target = QualityTarget.get(QualityTarget.indicator == "satisfaccion")
        assert (target.target, target.direction, target.owner_id) == (85.0, "up", owner.id)
    page = http.get("/calidad").get_data(as_text=True)
    assert "Gloria Duarte" in page
    again = http.post("/calidad/indicadores/satisfaccion/meta", data={"target": "90,5x", "owner": owner.id})
    assert again.status_code == 422
    missing = http.post("/calidad/indicadores/satisfaccion/meta", data={"target": "90", "owner": "999999"})
    assert missing.status_code == 422
    assert http.post("/calidad/indicadores/nada/meta", data={"target": "1", "owner": owner.id}).status_code == 404
    replaced = http.post("/calidad/indicadores/satisfaccion/meta", data={"target": "90", "owner": owner.id})
    assert replaced.status_code == 303
    with app.app_context():
        assert QualityTarget.select().count() == 1
        assert QualityTarget.get().target == 90.0


def test_the_target_owner_is_offered_or_found_by_name(app, http, make_user):
    """The target's owner listed all of management and quality; it offers the one writing and the owner so far, and
    anyone else who may answer for it is found by name and accepted; anyone else is refused beside the field."""
    me = make_user(roles=("quality",))
    sign_in(http, me)
    current = make_user(roles=("management",), name="Gloria Duarte")
    found = make_user(roles=("management",), name="Íñigo Gerente Vélez")
    outsider = make_user(roles=("service",), name="Sofía Atención")
    gone = make_user(roles=("quality",), name="Inés Inactiva", active=False)
    url = "/calidad/indicadores/satisfaccion"

    def offered():
        page = http.get(url).get_data(as_text=True)
        assert "Íñigo Gerente Vélez" not in page and "quienes=metas" in page
        select = re.search(r'<select[^>]*id="owner".*?</select>', page, re.S).group(0)
        return {int(v) for v in re.findall(r'value="(\d+)"', select)} - {0}

    assert offered() == {me.id}
    assert http.post(url + "/meta", data={"target": "85", "owner": current.id}).status_code == 303
    assert offered() == {me.id, current.id}
    search = http.get("/casos/personal?persona=inigo&campo=owner&quienes=metas").get_data(as_text=True)
    assert f'value="{found.id}" selected' in search
    assert "Sofía" not in http.get("/casos/personal?persona=sofia&campo=owner&quienes=metas").get_data(as_text=True)
    for refused in (outsider, gone):
        response = http.post(url + "/meta", data={"target": "90", "owner": refused.id})
        body = response.get_data(as_text=True)
        assert response.status_code == 422 and 'id="owner-error"' in body and "Opción inválida" in body
    assert http.post(url + "/meta", data={"target": "90", "owner": found.id}).status_code == 303
    with app.app_context():
        assert QualityTarget.get().owner_id == found.id
    with count_queries() as few:
        http.get(url)
    for n in range(4):
        make_user(roles=("management", "quality")[n % 2:n % 2 + 1], name=f"Más Personal {n}")
    with count_queries() as more:
        http.get(url)
    assert more.count == few.count


def test_management_reads_targets_but_does_not_set_them(app, http, make_user):
    owner = make_user(roles=("management",))
    sign_in(http, owner)
    assert http.get("/calidad/indicadores/nps").status_code == 200
    assert http.post("/calidad/indicadores/nps/meta", data={"target": "50", "owner": owner.id}).status_code == 403


@pytest.mark.parametrize("direction, target, value, state", [
    ("up", 80, 85, "met"), ("up", 80, 80, "met"), ("up", 80, 72, "near"), ("up", 80, 71.9, "missed"),
    ("down", 5, 4, "met"), ("down", 5, 6, "near"), ("down", 5, 6.1, "missed"), ("up", 80, None, "")])
def test_state_against_the_target(direction, target, value, state):
    indicator = ind.Indicator("x", "x", "x", "%", direction, value=value)
    assert ind.state(indicator, QualityTarget(target=target, direction=direction)) == state


def test_every_indicator_has_its_direction():
    assert set(ind.INDICATOR_DIRECTIONS) == set(ind.INDICATORS)
    period = ind.Period.last_months(__import__("datetime").date(2026, 3, 10))
    assert period.start.isoformat() == "2025-04-01"


@pytest.mark.parametrize("query", ["area=abc&responsable=-1&tipo=alien", "desde=9999-99-99&hasta=0000-00-00",
                                   "desde=2026-03-01&hasta=2025-01-01", "desde=1800-01-01", "desde=2000-01-01",
                                   "area=999999999999999999999"])
def test_bad_filters_fall_back_to_the_default_period(http, make_user, query):
    sign_in(http, make_user(roles=("management",)))
    for url in ("/calidad", "/calidad/indicadores/retencion"):
        response = http.get(f"{url}?{query}")
        assert response.status_code == 200, (url, query)


def test_the_start_page_opens_the_dashboard_for_management_and_quality_only(http, make_user):
    sign_in(http, make_user(roles=("management",)))
    assert 'data-testid="quality-card"' in http.get("/").get_data(as_text=True)
    other = http.application.test_client()
    sign_in(other, make_user(roles=("operations",)))
    assert 'data-testid="quality-card"' not in other.get("/").get_data(as_text=True)
    assert other.get("/calidad").status_code == 403


def test_the_dashboard_counts_improvement_actions_past_their_due_day(app, http, make_user, firm_today):
    from datetime import timedelta

    from models.quality import ImprovementAction

    owner = make_user(roles=("quality",))
    with app.app_context():
        for days, status in ((-3, "open"), (-1, "in_progress"), (2, "open"), (-5, "closed")):
            ImprovementAction.create(title="Acción", description="Llamar antes", owner=owner.id,
                                     due_on=firm_today + timedelta(days=days), status=status)
    sign_in(http, owner)
    page = http.get("/calidad").get_data(as_text=True)
    assert "2 acciones de mejora vencidas" in page or "2 improvement actions past their due day" in page

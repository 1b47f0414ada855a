"""The management review (ISO 9001 §9.3): its inputs compiled from generated data (indicators against targets,
survey results and comments within the anonymity rules, complaint trends, improvement actions, the access
review), approval by management freezing them (data changed afterwards leaves the page and the PDF as they
were), edits refused once approved — by the service, the page (409) and the database's trigger —, roles
(SECURITY.md A2), bad input answered 422 in Spanish beside the field (V1, V2), the PDF, improvement actions
opened from the review, the review due on the dashboard, and the page's query count pinned."""

import json
import re
import subprocess
from datetime import date, datetime, time, timedelta

import pytest
from peewee import DatabaseError
from playhouse.test_utils import count_queries

from core.i18n import to_utc
from models.audit import AuditEvent
from models.complaints import Complaint
from models.quality import ImprovementAction
from models.quality_targets import QualityTarget
from models.reviews import ManagementReview
from models.surveys import SurveyAnswer, SurveyQuestion, SurveyResponse, SurveyTemplate
from models.users import User
from services.quality import indicators
from services.quality import reviews as service

pytestmark = pytest.mark.usefixtures("clock")

COMMENT = "El equipo respondió cada llamada el mismo día"
ANONYMOUS_COMMENT = "Comentario anónimo que nunca se lista"


def _at(day: date, hour: int = 10) -> datetime:
    return to_utc(datetime.combine(day, time(hour)))


def _generate(start: date, make_user, complaints: int = 3, tag: int = 0):
    """Rows inside [start, start + 80 days]: survey answers (named with comments, two anonymous ones: fewer
    than the minimum), complaints of two kinds (one resolved after its SLA), an action closed with its check,
    accounts without two-step verification and one not signed in for months."""
    owner = make_user(roles=("quality",), name="Rosa Calidad")
    make_user(roles=("service",), name="Pedro Sin Verificar", totp=False)
    dormant = make_user(roles=("operations",), name="Lucía Dormida")
    User.update(last_login_at=datetime(2025, 1, 5), created_at=datetime(2024, 6, 1)).where(User.id == dormant.id).execute()
    template = SurveyTemplate.create(name="Encuesta", family=tag)
    question = SurveyQuestion.create(template=template, kind="text", text="Comentarios")
    for i in range(4):
        day = start + timedelta(days=5 + i)
        named = i < 2
        response = SurveyResponse.create(template=template, anonymous=not named, answered_on=day,
                                          month=day.replace(day=1), ratings_count=2, ratings_sum=9,
                                          ratings_high=2, nps=10, has_comment=True)
        SurveyAnswer.create(response=response, question=question,
                            value=f"{COMMENT} {i}" if named else ANONYMOUS_COMMENT)
    for i in range(complaints):
        received = _at(start + timedelta(days=10 + i))
        Complaint.create(number=f"Q-2025-{tag}{i + 1:04d}", owner=owner, walk_in_name="Ana", description="Demora",
                         kind=("complaint", "claim", "complaint")[i % 3], received_at=received,
                         response_due_at=received + timedelta(days=2), due_at=received + timedelta(days=5),
                         resolved_at=received + timedelta(days=9 if i == 0 else 1), status="resolved")
    action = ImprovementAction.create(title="Turno de viernes", description="Llamadas sin devolver", owner=owner,
                                      due_on=start + timedelta(days=40), status="closed",
                                      effectiveness_check="Cero llamadas perdidas en seis semanas",
                                      verified_on=start + timedelta(days=60), verified_by=owner,
                                      closed_at=_at(start + timedelta(days=60)))
    if not tag:
        QualityTarget.create(indicator="satisfaccion", target=90, direction="up", owner=owner, set_on=start)
    return owner, action


@pytest.fixture
def period(firm_today):
    return service.default_period(firm_today)


def test_default_period_is_the_last_full_quarter():
    assert service.default_period(date(2026, 3, 9)) == (date(2025, 10, 1), date(2025, 12, 31))
    assert service.default_period(date(2026, 4, 1)) == (date(2026, 1, 1), date(2026, 3, 31))
    assert service.default_period(date(2026, 12, 31)) == (date(2026, 7, 1), date(2026, 9, 30))


def test_inputs_compile_from_live_data(app, make_user, period, firm_today):
    start, end = period
    with app.app_context():
        _owner, action = _generate(start, make_user)
        with app.test_request_context():
            inputs = service.compile_inputs(start, end, firm_today, datetime(2026, 3, 10, 2, 30))
            live = {i.key: i.value for i in indicators.compute_all(indicators.Period(start, end),
                                                                   indicators.Filters())}
    by_key = {row["key"]: row for row in inputs["indicators"]}
    assert set(by_key) == set(indicators.INDICATORS)  # every indicator, those added later too
    assert {k: row["value"] for k, row in by_key.items()} == {k: (None if v is None else round(v, 1))
                                                               for k, v in live.items()}
    satisfaction = by_key["satisfaccion"]
    assert (satisfaction["value"], satisfaction["target"], satisfaction["state"], satisfaction["owner"]) == (
        100.0, 90.0, "met", "Rosa Calidad")
    surveys = inputs["surveys"]
    assert surveys["responses"] == 4 and surveys["anonymous_hidden"] == 2  # two anonymous: counted, not scored
    assert sorted(c["text"] for c in surveys["comments"]) == [f"{COMMENT} 0", f"{COMMENT} 1"]
    assert ANONYMOUS_COMMENT not in json.dumps(inputs, ensure_ascii=False)
    complaints = inputs["complaints"]
    assert complaints["total"] == 3 and complaints["breached_resolved"] == 1
    assert {k["kind"]: k["count"] for k in complaints["by_kind"]} == {"complaint": 2, "claim": 1}
    assert sum(m["count"] for m in complaints["by_month"]) == 3
    assert inputs["actions"]["closed"] == [{"code": action.code, "title": "Turno de viernes",
                                            "check": "Cero llamadas perdidas en seis semanas",
                                            "verified_on": (start + timedelta(days=60)).isoformat()}]
    assert inputs["actions"]["by_status"]["closed"] == 1
    access = inputs["access"]
    assert [u["name"] for u in access["without_2fa"]] == ["Pedro Sin Verificar"]
    assert [u["name"] for u in access["dormant"]] == ["Lucía Dormida"]
    assert {r["role"]: r["count"] for r in access["roles"]}["quality"] == 1
    json.dumps(inputs)  # plain JSON: the snapshot


def _start(http, period):
    response = http.post("/calidad/revisiones/nueva", data={"period_start": period[0].isoformat(),
                                                            "period_end": period[1].isoformat()})
    assert response.status_code == 303, response.get_data(as_text=True)
    return ManagementReview.select().order_by(ManagementReview.id.desc()).get()


def _fill(http, review, **texts):
    data = {"period_start": review.period_start.isoformat(), "period_end": review.period_end.isoformat(),
            "conclusions": "El sistema cumple.", "decisions": "Reforzar el turno de viernes.", **texts}
    return http.post(f"/calidad/revisiones/{review.id}/editar", data=data)


def test_quality_prepares_and_management_approves_freezing_the_inputs(app, http, login_as, make_user, period):
    start, _end = period
    with app.app_context():
        _generate(start, make_user)
    quality = login_as("quality")
    page = http.get("/calidad/revisiones/nueva").get_data(as_text=True)
    assert f'value="{start.isoformat()}"' in page  # the last full quarter by default
    review = _start(http, period)
    assert _fill(http, review).status_code == 303
    page = http.get(f"/calidad/revisiones/{review.id}").get_data(as_text=True)
    assert 'data-testid="review-complaints-total">3<' in page and f"{COMMENT} 0" in page
    assert ANONYMOUS_COMMENT not in page
    # Quality prepares but does not approve.
    assert http.post(f"/calidad/revisiones/{review.id}/aprobar").status_code == 403
    manager = make_user(roles=("management",), name="Gerente General")
    from tests.factories import sign_in

    other = app.test_client()
    sign_in(other, manager)
    assert other.post(f"/calidad/revisiones/{review.id}/aprobar").status_code == 303
    review = ManagementReview.get_by_id(review.id)
    assert review.status == "approved" and review.approved_by_id == manager.id and review.snapshot
    assert AuditEvent.select().where(AuditEvent.action == "review_approve", AuditEvent.object_id == str(review.id),
                                     AuditEvent.actor == manager.id).count() == 1
    assert AuditEvent.select().where(AuditEvent.action == "review_create", AuditEvent.actor == quality.id).count() == 1

    # The data changes after approval: two more complaints in the period, and the review's comment vanishes.
    with app.app_context():
        for i in range(2):
            Complaint.create(number=f"Q-2025-{90 + i:05d}", owner=manager, walk_in_name="Luis", description="Otra",
                             kind="suggestion", received_at=_at(start + timedelta(days=20)),
                             response_due_at=_at(start + timedelta(days=22)), due_at=_at(start + timedelta(days=25)))
        SurveyAnswer.update(value="cambiado").execute()
    page = other.get(f"/calidad/revisiones/{review.id}").get_data(as_text=True)
    assert 'data-testid="review-complaints-total">3<' in page and f"{COMMENT} 0" in page
    body = other.get(f"/calidad/revisiones/{review.id}/pdf").data
    text = _pdf_text(body)
    assert f"{COMMENT} 0" in text and "cambiado" not in text
    # A draft of the same period compiles the live figures.
    draft = _start(other, period)
    assert 'data-testid="review-complaints-total">5<' in other.get(f"/calidad/revisiones/{draft.id}").get_data(
        as_text=True)


def _pdf_text(body: bytes) -> str:
    assert body.startswith(b"%PDF")
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=body, capture_output=True, check=True).stdout.decode()


def test_pdf_reads_the_figures(app, http, login_as, make_user, period):
    start, end = period
    with app.app_context():
        _generate(start, make_user)
    login_as("management")
    review = _start(http, period)
    _fill(http, review, opportunities="Agenda compartida")
    assert http.post(f"/calidad/revisiones/{review.id}/aprobar").status_code == 303
    response = http.get(f"/calidad/revisiones/{review.id}/pdf")
    assert response.headers["Content-Type"] == "application/pdf"
    text = _pdf_text(response.data)
    for words in ("Duarte & Asociados Abogados", review.code, "Turno de viernes", "Cero llamadas perdidas",
                  "Agenda compartida", "Reforzar el turno de viernes", "Pedro Sin Verificar", "Lucía Dormida",
                  f"{COMMENT} 1"):
        assert words in text, words


def test_an_approved_review_never_changes(app, http, login_as, period, firm_today):
    manager = login_as("management")
    review = _start(http, period)
    _fill(http, review)
    assert http.post(f"/calidad/revisiones/{review.id}/aprobar").status_code == 303
    review = ManagementReview.get_by_id(review.id)
    before = (review.conclusions, review.decisions, review.snapshot, review.updated_at)
    response = _fill(http, review, conclusions="Otra cosa")
    assert response.status_code == 409 and "ya no puede cambiar" in response.get_data(as_text=True)
    assert http.get(f"/calidad/revisiones/{review.id}/editar").status_code == 409
    assert http.post(f"/calidad/revisiones/{review.id}/aprobar").status_code == 409
    with app.test_request_context(), pytest.raises(service.ReviewError):
        service.save(review, review.period_start, review.period_end, {"conclusions": "x"}, manager, firm_today)
    # Below the application: the database refuses any change to an approved row (SQLite and PostgreSQL).
    from core.db import db

    with pytest.raises(DatabaseError):
        with db.atomic():
            ManagementReview.update(conclusions="a mano").where(ManagementReview.id == review.id).execute()
    with pytest.raises(DatabaseError):
        with db.atomic():
            ManagementReview.delete().where(ManagementReview.id == review.id).execute()
    review = ManagementReview.get_by_id(review.id)
    assert (review.conclusions, review.decisions, review.snapshot, review.updated_at) == before
    assert AuditEvent.select().where(AuditEvent.action == "review_update").count() == 1  # the draft's only


def test_approval_needs_conclusions_and_decisions(app, http, login_as, period):
    login_as("management")
    review = _start(http, period)
    response = http.post(f"/calidad/revisiones/{review.id}/aprobar")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Escribe las conclusiones" in page and "Escribe las decisiones" in page
    assert ManagementReview.get_by_id(review.id).status == "draft"


@pytest.mark.parametrize("data, field, message", [
    ({"period_start": "2026-01-10", "period_end": "2026-01-01"}, "period_start", "El periodo debe empezar"),
    ({"period_start": "2026-01-01", "period_end": "2030-01-01"}, "period_end", "no puede terminar después de hoy"),
    ({"period_start": "2020-01-01", "period_end": "2025-12-31"}, "period_start", "como máximo 24 meses"),
    ({"period_start": "31/02/2026", "period_end": ""}, "period_end", "el último día del periodo"),
    ({"period_start": "0001-01-01", "period_end": "2025-12-31"}, "period_start", "no es posible"),
])
def test_bad_period_answers_422_in_spanish(app, http, login_as, data, field, message):
    login_as("quality")
    response = http.post("/calidad/revisiones/nueva", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert not ManagementReview.select().exists()


def test_bad_input_on_edit_answers_422_and_changes_nothing(app, http, login_as, period):
    login_as("quality")
    review = _start(http, period)
    response = http.post(f"/calidad/revisiones/{review.id}/editar", data={
        "period_start": review.period_start.isoformat(), "period_end": "2099-01-01", "conclusions": "x" * 8001})
    assert response.status_code == 422
    assert ManagementReview.get_by_id(review.id).conclusions == ""
    assert http.get("/calidad/revisiones/99999999999999999999").status_code == 404
    assert http.get("/calidad/revisiones/4242").status_code == 404


@pytest.mark.parametrize("role, read, prepare, approve", [
    ("management", 200, 200, True), ("quality", 200, 200, False), ("operations", 403, 403, False),
    ("service", 403, 403, False), ("commercial", 403, 403, False), ("admin", 403, 403, False)])
def test_roles(app, http, login_as, make_user, period, role, read, prepare, approve):
    """SECURITY.md A2: management and quality read and prepare reviews; only management approves."""
    with app.test_request_context():
        review = service.create(*period, make_user(roles=("quality",)), date(2026, 3, 9),
                                {"conclusions": "Bien", "decisions": "Seguir"})
    login_as(role)
    assert http.get("/calidad/revisiones").status_code == read
    assert http.get(f"/calidad/revisiones/{review.id}").status_code == read
    assert http.get(f"/calidad/revisiones/{review.id}/pdf").status_code == read
    assert http.get("/calidad/revisiones/nueva").status_code == prepare
    assert http.get(f"/calidad/revisiones/{review.id}/editar").status_code == prepare
    status = http.post(f"/calidad/revisiones/{review.id}/aprobar").status_code
    assert status == (303 if approve else 403)
    assert ManagementReview.get_by_id(review.id).is_approved == approve


def test_actions_opened_from_the_review_are_linked_and_listed(app, http, login_as, period, firm_today):
    me = login_as("quality")
    review = _start(http, period)
    _fill(http, review)
    page = http.get(f"/calidad/revisiones/{review.id}/acciones/nueva").get_data(as_text=True)
    assert "Reforzar el turno de viernes." in page and review.code in page
    response = http.post(f"/calidad/revisiones/{review.id}/acciones/nueva", data={
        "title": "Turno fijo", "description": "Reforzar el turno de viernes.", "owner": str(me.id),
        "due_on": (firm_today + timedelta(days=30)).isoformat(), "source": "manual"})
    assert response.status_code == 303
    action = ImprovementAction.get()
    assert (action.source, action.review_id, action.owner_id) == ("review", review.id, me.id)
    assert review.code in action.source_ref
    assert AuditEvent.get(AuditEvent.action == "improvement_open").detail.endswith(f"review={review.id}")
    page = http.get(f"/calidad/revisiones/{review.id}").get_data(as_text=True)
    assert f"/calidad/acciones/{action.id}" in page and "Turno fijo" in page
    assert f'href="/calidad/revisiones/{review.id}" data-testid="action-review"' in http.get(
        f"/calidad/acciones/{action.id}").get_data(as_text=True)
    bad = http.post(f"/calidad/revisiones/{review.id}/acciones/nueva", data={"title": "", "description": "",
                                                                            "owner": "0", "due_on": "x"})
    assert bad.status_code == 422 and ImprovementAction.select().count() == 1


def test_the_review_action_owner_is_offered_or_found_by_name(app, http, login_as, make_user, period, firm_today):
    """The new action's owner listed everyone who may own an action; it offers the one writing, and anyone else who
    may own one is found by name and accepted; someone who may not, or no longer works here, is refused."""
    me = login_as("quality")
    review = _start(http, period)
    found = make_user(roles=("quality",), name="Íñigo Calidad Vélez")
    outsider = make_user(roles=("commercial",), name="Carla Comercial")
    gone = make_user(roles=("management",), name="Inés Inactiva", active=False)
    url = f"/calidad/revisiones/{review.id}/acciones/nueva"
    page = http.get(url).get_data(as_text=True)
    select = re.search(r'<select[^>]*id="owner".*?</select>', page, re.S).group(0)
    assert set(re.findall(r'value="(\d+)"', select)) == {str(me.id)}
    assert "Íñigo Calidad Vélez" not in page and "quienes=acciones" in page
    search = http.get("/casos/personal?persona=inigo&campo=owner&quienes=acciones").get_data(as_text=True)
    assert f'value="{found.id}" selected' in search
    data = {"title": "Turno fijo", "description": "Reforzar el turno.", "due_on": str(firm_today + timedelta(days=9))}
    for refused in (outsider, gone):
        response = http.post(url, data={**data, "owner": str(refused.id)})
        body = response.get_data(as_text=True)
        assert response.status_code == 422 and 'id="owner-error"' in body and "Opción inválida" in body
    assert not ImprovementAction.select().exists()
    assert http.post(url, data={**data, "owner": str(found.id)}).status_code == 303
    assert ImprovementAction.get().owner_id == found.id
    with count_queries() as few:
        http.get(url)
    for n in range(4):
        make_user(roles=("service",), name=f"Más Personal {n}")
    with count_queries() as more:
        http.get(url)
    assert more.count == few.count


def test_a_review_is_due_on_the_dashboard_until_one_is_approved(app, http, login_as, period, make_user):
    login_as("management")
    page = http.get("/calidad").get_data(as_text=True)
    assert 'data-testid="review-due"' in page and "/calidad/revisiones/nueva" in page
    with app.test_request_context():
        review = service.create(*period, make_user(roles=("quality",)), date(2026, 3, 9),
                                {"conclusions": "Bien", "decisions": "Seguir"})
        service.approve(review, make_user(roles=("management",)), date(2026, 3, 9))
    page = http.get("/calidad").get_data(as_text=True)
    assert 'data-testid="review-due"' not in page
    assert "/calidad/revisiones" in page  # the dashboard links to the reviews
    # A review older than the cycle is not enough.
    with app.app_context():
        app.config["QUALITY_REVIEW_CYCLE_MONTHS"] = 2
    assert 'data-testid="review-due"' in http.get("/calidad").get_data(as_text=True)


def test_query_count_of_the_review_page_is_constant(app, http, login_as, make_user, period):
    """The draft compiles a fixed number of queries whatever the data; the approved page reads its row, its
    actions and nothing live."""
    start, _end = period
    login_as("management")
    review = _start(http, period)
    _fill(http, review)

    def queries(url):
        http.get(url)
        with count_queries() as counter:
            assert http.get(url).status_code == 200
        return counter.count

    url = f"/calidad/revisiones/{review.id}"
    with app.app_context():
        _generate(start, make_user, complaints=2)
    few = queries(url)
    with app.app_context():
        _generate(start + timedelta(days=2), make_user, complaints=12, tag=1)
    assert queries(url) == few
    assert http.post(f"/calidad/revisiones/{review.id}/aprobar").status_code == 303
    approved = queries(url)
    assert approved == APPROVED_PAGE_QUERIES
    with app.app_context():
        _generate(start + timedelta(days=1), make_user, complaints=0, tag=2)
    assert queries(url) == approved


APPROVED_PAGE_QUERIES = 4  # the session with its user, the roles, the review with its approver, its actions


def test_the_demo_firm_has_one_approved_review_of_last_quarter(app, firm_today):
    from services import demo

    with app.test_request_context():
        demo.load()
    review = ManagementReview.get()
    assert review.is_approved and (review.period_start, review.period_end) == service.default_period(firm_today)
    inputs = review.frozen_inputs
    assert inputs["indicators"] and inputs["access"]["active"] > 0 and review.approved_by.email.startswith("gerencia@")
    # The firm's targets are loaded first, so the three PRO-008 indicators read against them (in the review too).
    targets = {row["key"]: row for row in inputs["indicators"]}
    for key in ("satisfaccion", "resolucion", "retencion"):
        assert QualityTarget.get(QualityTarget.indicator == key).owner.is_active, key
    assert targets["satisfaccion"]["target"] and targets["resolucion"]["target"]


def test_approval_outside_a_request_freezes_the_firms_words(app, make_user, period):
    """A job or the command line approves without a request: the snapshot speaks the firm's language."""
    with app.app_context():
        review = service.create(*period, make_user(roles=("quality",)), date(2026, 3, 9),
                                {"conclusions": "Bien", "decisions": "Seguir"})
        service.approve(review, make_user(roles=("management",)), date(2026, 3, 9))
    names = {row["key"]: row["name"] for row in ManagementReview.get_by_id(review.id).frozen_inputs["indicators"]}
    assert names["satisfaccion"] == "Tasa de satisfacción del cliente"

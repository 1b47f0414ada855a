"""Survey templates (issue 6): the firm's default survey on the evaluation criteria of the customer-service
material, editing with versioning (answers keep the version they answered), the staff pages, access by role."""

from playhouse.test_utils import count_queries

from core.db import transaction
from models.audit import AuditEvent
from models.surveys import CRITERIA, SurveyInvitation, SurveyQuestion, SurveyResponse, SurveyTemplate
from services import surveys
from tests.factories import make_client, run_concurrently
from tests.surveys.survey_helpers import answers_for, make_invitation, make_template

QUESTION = {"kind": "rating", "text": "¿Cómo califica la atención telefónica?", "help": "", "required": True,
            "choices": "", "criterion": "accessibility"}


def _data(**kw):
    return {"name": "Encuesta breve", "intro": "", "anonymous": False, "is_active": True, "is_default": False, **kw}


def _answer(template, invitation=None):
    from services.surveys import answers as survey_answers

    questions = list(template.ordered_questions())
    with transaction():
        return survey_answers.store(template, questions, {q.id: (4, "") for q in questions if q.kind == "rating"},
                                    invitation=invitation, client=invitation.client if invitation else None)


def test_default_template_asks_the_evaluation_criteria(app):
    with app.test_request_context():
        template = surveys.default_template()
        assert surveys.default_template().id == template.id  # created once
    assert template.name == "Encuesta de satisfacción" and template.is_default and template.family == template.id
    questions = list(template.ordered_questions())
    rated = [q.criterion for q in questions if q.kind == "rating"]
    assert rated == ["response_times", "communication", "courtesy", "commitments", "accessibility", "facilities",
                     "overall"]
    assert set(rated) <= set(CRITERIA)
    nps = [q for q in questions if q.kind == "nps"]
    assert len(nps) == 1 and nps[0].text.startswith("¿Recomendaría nuestra firma")
    comment = questions[-1]
    assert comment.kind == "text" and not comment.required
    assert any("usted" in q.text for q in questions)  # the client is addressed as "usted"
    assert [q.position for q in questions] == list(range(1, len(questions) + 1))
    assert AuditEvent.select().where(AuditEvent.action == "survey_template").count() == 1


def test_editing_a_template_without_answers_changes_it_in_place(app, make_user):
    quality = make_user(roles=("quality",))
    with app.test_request_context():
        template = surveys.save_template(None, _data(), [QUESTION], quality)
        edited = surveys.save_template(template, _data(name="Encuesta corta"), [QUESTION, {**QUESTION, "kind": "nps",
                                                                                           "criterion": ""}], quality)
    assert edited.id == template.id and edited.version == 1 and edited.name == "Encuesta corta"
    assert SurveyQuestion.select().where(SurveyQuestion.template == template.id).count() == 2
    assert SurveyTemplate.select().count() == 1


def test_editing_a_template_with_answers_creates_a_new_version(app, make_user):
    quality = make_user(roles=("quality",))
    with app.test_request_context():
        client = make_client()
        template = surveys.save_template(None, _data(is_default=True), [QUESTION], quality)
        invitation = surveys.invite(client, None, template, "", quality)
        pending = surveys.invite(make_client(name="Otro Cliente Pérez", email="otro@correo.test"), None, template, "",
                                 quality)
        response = _answer(template, invitation)
        second = surveys.save_template(template, _data(is_default=True, name="Encuesta v2"),
                                       [QUESTION, {**QUESTION, "text": "¿Volvería a contratarnos?", "kind": "yes_no",
                                                   "criterion": "courtesy"}], quality)
    old = SurveyTemplate.get_by_id(template.id)
    assert second.id != template.id and second.family == template.family and second.version == 2
    assert second.is_current and second.is_default and not old.is_current and not old.is_default
    assert old.name == "Encuesta breve" and old.ordered_questions().count() == 1  # the old version is untouched
    assert SurveyResponse.get_by_id(response.id).template_id == template.id  # answers keep their version
    assert SurveyInvitation.get_by_id(invitation.id).template_id == template.id
    assert SurveyInvitation.get_by_id(pending.id).template_id == template.id
    new_questions = list(second.ordered_questions())
    assert new_questions[1].criterion == ""  # criteria are for ratings only
    assert SurveyTemplate.current_default().id == second.id
    with app.test_request_context():
        try:
            surveys.save_template(old, _data(), [QUESTION], quality)
        except surveys.SurveyError:
            pass
        else:
            raise AssertionError("an earlier version must not be editable")


def test_the_default_survey_cannot_be_left_without_a_default(app, make_user):
    quality = make_user(roles=("quality",))
    with app.test_request_context():
        template = surveys.default_template(quality)
        other = surveys.save_template(None, _data(), [QUESTION], quality)
        for bad in ((template, _data(is_default=False)), (other, _data(is_default=True, is_active=False))):
            try:
                surveys.save_template(bad[0], bad[1], [QUESTION], quality)
            except surveys.SurveyError:
                continue
            raise AssertionError("refused")
        surveys.save_template(other, _data(is_default=True), [QUESTION], quality)  # moves the flag
    assert [t.id for t in SurveyTemplate.select().where(SurveyTemplate.is_default == True)] == [other.id]  # noqa: E712


def test_template_pages_add_reorder_and_save_questions(app, http, login_as):
    login_as("quality")
    assert http.get("/encuestas/plantillas").status_code == 200
    assert http.post("/encuestas/plantillas/predeterminada").status_code == 303
    template = SurveyTemplate.get()
    page = http.get(f"/encuestas/plantillas/{template.id}")
    assert page.status_code == 200 and "tiempos de respuesta" in page.get_data(as_text=True)
    form = {"name": "Encuesta de seguimiento", "intro": "", "is_active": "y",
            "questions-0-kind": "rating", "questions-0-text": "¿Primera?", "questions-0-criterion": "courtesy",
            "questions-0-required": "y", "questions-1-kind": "choice", "questions-1-text": "¿Segunda?",
            "questions-1-criterion": "", "questions-1-choices": "Solo una"}
    added = http.post("/encuestas/plantillas/nueva", data={**form, "op": "add"})
    assert added.status_code == 200 and 'name="questions-2-text"' in added.get_data(as_text=True)
    moved = http.post("/encuestas/plantillas/nueva", data={**form, "op": "up-1"}).get_data(as_text=True)
    assert moved.index("¿Segunda?") < moved.index("¿Primera?")
    refused = http.post("/encuestas/plantillas/nueva", data={**form, "op": "save"})
    assert refused.status_code == 422  # a single choice with one option
    form["questions-1-choices"] = "Sí\nNo\nNo sé"
    assert http.post("/encuestas/plantillas/nueva", data={**form, "op": "save"}).status_code == 303
    saved = SurveyTemplate.get(SurveyTemplate.name == "Encuesta de seguimiento")
    questions = list(saved.ordered_questions())
    assert [q.text for q in questions] == ["¿Primera?", "¿Segunda?"] and questions[1].options == ["Sí", "No", "No sé"]
    assert questions[0].criterion == "courtesy" and questions[0].required and not questions[1].required


def test_a2_templates_only_for_quality_and_management(app, http, login_as, make_user):
    login_as("service")
    assert http.get("/encuestas/plantillas").status_code == 403
    assert http.post("/encuestas/plantillas/predeterminada").status_code == 403
    assert http.get("/encuestas").status_code == 200  # service sends invitations
    other = app.test_client()
    login_as("operations", client=other)
    assert other.get("/encuestas").status_code == 403
    assert "/encuestas" not in other.get("/").get_data(as_text=True)  # no nav entry
    manager = app.test_client()
    login_as("management", client=manager)
    assert manager.get("/encuestas/plantillas").status_code == 200


def test_template_list_queries_constant(app, http, login_as):
    quality = login_as("quality")
    with app.test_request_context():
        surveys.default_template(quality)
    with count_queries() as few:
        assert http.get("/encuestas/plantillas").status_code == 200
    with app.test_request_context():
        for i in range(6):
            surveys.save_template(None, _data(name=f"Encuesta {i}"), [QUESTION, {**QUESTION, "criterion": "courtesy"}], quality)
    with count_queries() as many:
        assert http.get("/encuestas/plantillas").status_code == 200
    assert few.count == many.count


def test_editing_a_template_with_an_invitation_creates_a_version_the_invitation_keeps_the_old_one(app, http):
    with app.test_request_context():
        old = make_template([{"kind": "rating", "criterion": "overall", "required": True, "text": "Pregunta vieja"}],
                            anonymous=True, name="Encuesta breve")
        invitation, token = make_invitation(old)
        saved = surveys.save_template(old, {"name": "Encuesta breve", "intro": "", "anonymous": False,
                                            "is_active": True, "is_default": False},
                                      [{"kind": "rating", "criterion": "overall", "required": True,
                                        "text": "Pregunta nueva"}], None)
    assert saved.id != old.id and saved.version == 2 and not saved.anonymous
    old = SurveyTemplate.get_by_id(old.id)
    assert old.anonymous and not old.is_current
    assert SurveyInvitation.get_by_id(invitation.id).template_id == old.id
    html = http.get(f"/e/{token}").get_data(as_text=True)
    assert "Pregunta vieja" in html and "Pregunta nueva" not in html
    assert "María Fernanda" not in html  # still anonymous: no greeting by name
    assert http.post(f"/e/{token}", data=answers_for(old, rating=5)).status_code == 303
    (response,) = SurveyResponse.select()
    assert response.anonymous and response.template_id == old.id and response.client_id is None


def test_concurrent_first_closings_create_one_default_template(app):
    def first():
        with app.test_request_context():
            return surveys.default_template().id

    ids = run_concurrently(app, first, n=8)
    assert len(set(ids)) == 1 and SurveyTemplate.select().where(SurveyTemplate.is_default == True).count() == 1  # noqa: E712

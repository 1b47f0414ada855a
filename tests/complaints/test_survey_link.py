"""A complaint opened by a low survey score links to the survey answer behind it, for those who may read the
survey results only."""

from models.complaints import Complaint
from models.surveys import SurveyResponse


def _signed_in(app, login_as, user):
    browser = app.test_client()
    login_as(user=user, client=browser)
    return browser


def test_a_low_score_complaint_links_to_its_survey_answer_for_those_who_read_results(app, http, login_as, make_user):
    from tests.surveys.survey_helpers import answers_for, make_invitation

    with app.test_request_context():
        make_user(roles=("quality",), name="Nora Calidad")
        invitation, token = make_invitation()
    assert http.post(f"/e/{token}", data=answers_for(invitation.template, rating=1, nps=2)).status_code == 303
    response = SurveyResponse.get()
    complaint = Complaint.get(Complaint.survey_response == response.id)
    link = f'href="/encuestas/resultados/respuestas/{response.id}"'
    login_as("quality")
    assert link in http.get(f"/quejas/{complaint.id}").get_data(as_text=True)
    assert http.get(f"/encuestas/resultados/respuestas/{response.id}").status_code == 200
    operations = _signed_in(app, login_as, make_user(roles=("operations",)))  # the register, not the results
    page = operations.get(f"/quejas/{complaint.id}").get_data(as_text=True)
    assert link not in page

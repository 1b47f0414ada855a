"""Cases waiting for a survey in the responsible's work queue: a link that expired unsent keeps the case there
as overdue until a new invitation is handed over, and a case left unsurveyed leaves the queue after 30 days."""

from datetime import datetime, timedelta

from core.i18n import today_local
from models.cases import Case
from models.surveys import SurveyInvitation
from services import surveys
from tests.factories import make_case, make_user


def test_a_link_that_expired_unsent_keeps_the_case_in_the_queue_as_overdue(app):
    with app.test_request_context():
        today = today_local()
        lawyer = make_user(roles=("operations",), name="Laura Gómez")
        case = make_case(responsible=lawyer)
        Case.update(status="closed", survey_due_on=today - timedelta(days=6)).where(Case.id == case.id).execute()
        invitation = surveys.invite(case.client, case, email="", send_on=today - timedelta(days=20))
        assert [c.id for c in SurveyInvitation.cases_to_survey(lawyer.id, today)] == [case.id]
        SurveyInvitation.update(expires_at=datetime(2020, 1, 1)).where(SurveyInvitation.id == invitation.id).execute()
        assert surveys.expire_invitations() == 1
        (row,) = SurveyInvitation.cases_to_survey(lawyer.id, today)
        assert row.id == case.id and row.survey_due_on < today and not row.waiting_invitation
        again = surveys.invite(case.client, case, email="")  # a new one may be made: the old one is dead
        SurveyInvitation.update(status="withdrawn").where(SurveyInvitation.id == again.id).execute()
        assert [c.id for c in SurveyInvitation.cases_to_survey(lawyer.id, today)] == [case.id]
        sent = surveys.invite(case.client, case, email="")
        surveys.hand_over_link(sent, None)
        assert list(SurveyInvitation.cases_to_survey(lawyer.id, today)) == []
        later = today + timedelta(days=31)  # and a case left unsurveyed leaves the queue after 30 days
        SurveyInvitation.update(status="withdrawn", sent_at=None).where(SurveyInvitation.id == sent.id).execute()
        assert list(SurveyInvitation.cases_to_survey(lawyer.id, later)) == []

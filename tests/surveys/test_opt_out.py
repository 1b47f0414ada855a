"""A durable opt-out: a client who opts out of surveys before any privacy notice exists gets no later survey
email, even with a surveys consent signed before the opt-out; only a consent given after it lifts it."""

from datetime import UTC, datetime, timedelta

from core.db import transaction
from core.i18n import today_local
from models.cases import Case
from services import clients as client_service
from services import surveys
from tests.factories import make_case, make_client, make_notice, make_user
from tests.surveys.survey_helpers import make_invitation


def test_opt_out_without_a_privacy_notice_stops_later_survey_emails(app, http, mailbox):
    with app.test_request_context():
        lawyer = make_user(roles=("operations",), name="Laura Gómez")
        client = make_client(name="Rosa Méndez", email="rosa@correo.test")
        invitation, token = make_invitation(case=make_case(client=client, responsible=lawyer))
    assert http.post(f"/e/{token}/baja").status_code == 303  # no privacy notice exists yet
    with app.test_request_context():
        make_notice()  # later: a notice, and the consent form the client had signed before the opt-out
        client_service.record_consent(client, ["surveys"], "written", today_local() - timedelta(days=2), "", None)
        assert not surveys.may_email(client)
        later = make_case(client=client, responsible=lawyer, title="Segundo asunto")
        Case.update(status="closed").where(Case.id == later.id).execute()
        with transaction():
            new = surveys.invite_closed_case(later, None)
        assert new.email == ""  # handed over by hand at most, never emailed
        assert surveys.send_due_invitations(datetime.now(UTC).replace(tzinfo=None) + timedelta(days=5)) == 0
    from core import mail

    with app.app_context():
        mail.deliver_pending()
    assert mailbox.to("rosa@correo.test") == []
    with app.test_request_context():  # a consent given after the opt-out lifts it
        client_service.record_consent(client, ["surveys"], "written", today_local() + timedelta(days=1), "", None)
        assert surveys.may_email(client)

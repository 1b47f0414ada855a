"""The survey mail as a client's inbox sees it: the firm as sender, a Date, and an unsubscribe that works from the
mail client (RFC 8058): ``List-Unsubscribe`` with ``List-Unsubscribe-Post: List-Unsubscribe=One-Click``. The
one-click POST needs no sign-in, no cookie and no CSRF token, records the withdrawal in the consent record (the
one truth, with how it came in) and is idempotent; a GET of the same link only asks to confirm."""

import re
from email.utils import parseaddr, parsedate_to_datetime

import pytest

from core import mail
from core.i18n import today_local
from models.audit import AuditEvent
from models.consent import Consent
from models.surveys import SurveyInvitation
from services import clients, surveys
from tests.factories import make_case, make_notice
from tests.surveys.survey_helpers import answers_for

BASE = "https://traza.example.test"

pytestmark = pytest.mark.usefixtures("clock")


def _survey_mail(app, mailbox, lawyer):
    with app.test_request_context():
        case = make_case(responsible=lawyer, client_name="Inversiones Andinas S.A.S.")
        make_notice()
        clients.record_consent(case.client, ["surveys"], "written", today_local(), "", lawyer)
        invitation = surveys.invite(case.client, case, email=case.client.email)
        assert surveys.send_invitation_now(invitation)
        mail.deliver_pending()
    (message,) = mailbox.messages
    return SurveyInvitation.get_by_id(invitation.id), message


def _consent_rows(invitation):
    return list(Consent.select().where(Consent.client == invitation.client_id, Consent.purpose == "surveys")
                .order_by(Consent.id))


def test_the_survey_mail_comes_from_the_firm_with_a_date_and_a_one_click_unsubscribe(app, make_user, mailbox):
    _invitation, message = _survey_mail(app, mailbox, make_user(roles=("operations",)))
    name, address = parseaddr(message["From"])
    assert name == "Duarte & Asociados Abogados" and address == "no-responder@traza.local"
    assert parsedate_to_datetime(message["Date"]).tzinfo is not None
    assert message["Message-ID"].endswith("@traza.local>")
    unsubscribe = re.fullmatch(r"<(https://[^>]+)>", message["List-Unsubscribe"]).group(1)
    assert unsubscribe.startswith(f"{BASE}/e/") and unsubscribe.endswith("/baja")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe in mailbox.text(message)  # the footer links to the same address
    html = mailbox.html(message)
    assert "intranet" not in html and "intranet" not in mailbox.text(message)
    assert "Traza ·" not in html  # the client hears from the firm, not from the software


@pytest.mark.csrf
def test_one_click_unsubscribe_works_without_session_or_token_and_is_idempotent(app, make_user, mailbox):
    invitation, message = _survey_mail(app, mailbox, make_user(roles=("operations",)))
    path = message["List-Unsubscribe"].strip("<>")[len(BASE):]

    scanner = app.test_client()  # a link scanner, a preview: GET only asks
    page = scanner.get(path)
    assert page.status_code == 200 and 'method="post"' in page.get_data(as_text=True)
    assert SurveyInvitation.get_by_id(invitation.id).status == "sent" and len(_consent_rows(invitation)) == 1

    mail_client = app.test_client()  # RFC 8058: a bare POST, no cookie, no CSRF token
    done = mail_client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "Set-Cookie" not in done.headers
    rows = _consent_rows(invitation)
    assert [r.granted for r in rows] == [True, False]
    assert rows[-1].method == "electronic" and rows[-1].collected_by_id is None
    assert "un clic" in rows[-1].notes and str(invitation.id) in rows[-1].notes  # how it came in: the evidence
    assert SurveyInvitation.get_by_id(invitation.id).status == "withdrawn"
    assert not surveys.may_email(invitation.client)

    again = app.test_client().post(path, data={"List-Unsubscribe": "One-Click"})
    assert again.status_code == 200
    assert len(_consent_rows(invitation)) == 2
    assert AuditEvent.select().where(AuditEvent.action == "survey_opt_out").count() == 1
    assert AuditEvent.select().where(AuditEvent.action == "consent_withdrawn").count() == 1


@pytest.mark.csrf
def test_the_unsubscribe_of_an_answered_survey_still_works(app, make_user, mailbox):
    invitation, message = _survey_mail(app, mailbox, make_user(roles=("operations",)))
    link = re.search(re.escape(BASE) + r"(/e/[A-Za-z0-9_-]+)", mailbox.text(message)).group(1)
    visitor = app.test_client()
    visitor.get(link)
    form = visitor.get(link).get_data(as_text=True)
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    assert visitor.post(link, data={**answers_for(invitation.template), "csrf_token": csrf}).status_code == 303
    assert SurveyInvitation.get_by_id(invitation.id).status == "answered"

    done = app.test_client().post(f"{link}/baja", data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert not Consent.has(invitation.client_id, "surveys")
    assert app.test_client().post("/e/" + "A" * 43 + "/baja", data={"List-Unsubscribe": "One-Click"}).status_code == 404


def test_the_confirmation_page_still_posts_and_redirects(app, make_user, mailbox, http):
    invitation, message = _survey_mail(app, mailbox, make_user(roles=("operations",)))
    path = message["List-Unsubscribe"].strip("<>")[len(BASE):]
    done = http.post(path)
    assert done.status_code == 303 and done.headers["Location"] == "/e/baja"
    assert "enlace" in _consent_rows(invitation)[-1].notes

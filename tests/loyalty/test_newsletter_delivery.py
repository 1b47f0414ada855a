"""The newsletter reaches its subscribers one by one (issue 18, PRO 008 §5.5.2; the deck: "No enviar comunicaciones
electrónicas masivas que permitan a los destinatarios conocer información de otras personas"): 1,000 subscribers
at a real local SMTP server, each message with exactly one RCPT and one address in its headers; the list is the
consent record; the outbox sends newsletters at their rate after the transactional mail; one-click unsubscribe
(RFC 8058) withdraws the consent with its evidence."""

import socket
import threading
from datetime import timedelta
from email import message_from_bytes, policy
from email.utils import getaddresses

import pytest
from aiosmtpd.controller import Controller

from core import mail
from core.db import transaction, utcnow
from core.i18n import today_local
from models.clients import Client
from models.consent import Consent
from models.loyalty import NewsletterDelivery, NewsletterIssue, subscribers
from models.mail import OutboundEmail
from services.loyalty import newsletter
from tests.factories import make_notice

BASE = "https://traza.example.test"
ADDRESS_HEADERS = ("To", "Cc", "Bcc", "Reply-To", "Resent-To", "Resent-Cc")


class Envelopes:
    """An SMTP server that keeps each message with its envelope (the RCPT TO list)."""

    def __init__(self):
        self.received = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.received.append((list(envelope.rcpt_tos), message))
        return "250 OK"


@pytest.fixture
def envelopes():
    box = Envelopes()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    box.port = controller.port
    yield box
    controller.stop()


def _subscribers(n, withdrawn=0, without_email=0):
    """``n`` clients who consented to the newsletter (bulk-inserted), ``withdrawn`` more who then withdrew, and
    ``without_email`` more who consented but have no address."""
    notice = make_notice()
    now = utcnow()
    total = n + withdrawn + without_email
    rows = [{"name": f"Cliente {i:04d}", "name_key": f"cliente {i:04d}", "kind": "person", "status": "active",
             "email": "" if i >= n + withdrawn else f"cliente{i:04d}@correo.test", "created_at": now, "updated_at": now}
            for i in range(total)]
    with transaction():
        for start in range(0, total, 400):
            Client.insert_many(rows[start:start + 400]).execute()
        ids = [c.id for c in Client.select(Client.id).order_by(Client.id)]
        consent = {"purpose": "newsletter", "method": "written", "given_on": today_local(), "notice": notice.id,
                   "notice_sha256": notice.sha256, "created_at": now, "updated_at": now}
        given = [{**consent, "client": i, "granted": True} for i in ids]
        taken_back = [{**consent, "client": i, "granted": False} for i in ids[n:n + withdrawn]]
        for batch in (given, taken_back):
            for start in range(0, len(batch), 400):
                Consent.insert_many(batch[start:start + 400]).execute()
    return ids


def _drain(app):
    while mail.deliver_pending(app.config):
        pass


def test_a_newsletter_reaches_a_thousand_subscribers_one_by_one_with_a_working_one_click_unsubscribe(
        make_app, make_user, envelopes):
    app = make_app(SMTP_PORT=envelopes.port, NEWSLETTER_RATE=0, MAIL_SEND_IN_REQUEST=False)
    author = make_user(roles=("commercial",))
    with app.test_request_context():
        _subscribers(1000, withdrawn=7, without_email=3)
        assert subscribers().count() == 1000  # the consent record is the list: given, not withdrawn, with an address
        issue = newsletter.create("Buenas prácticas: conserve sus documentos",
                                  "Guarde **copias** de todo contrato.\n\n<script>alert(1)</script>", author)
        assert newsletter.send(issue, author) == 1000
    with app.app_context():
        _drain(app)

    assert len(envelopes.received) == 1000
    expected = {f"cliente{i:04d}@correo.test" for i in range(1000)}
    seen = set()
    for rcpts, message in envelopes.received:
        assert len(rcpts) == 1  # exactly one RCPT TO
        addresses = [a for h in ADDRESS_HEADERS for a in getaddresses(message.get_all(h, []))]
        assert [a for _n, a in addresses] == rcpts  # one address in the headers: the recipient's own
        assert message["Subject"] == "Buenas prácticas: conserve sus documentos"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["List-Unsubscribe"].strip().startswith(f"<{BASE}/boletin/")
        seen.add(rcpts[0])
    assert seen == expected  # everyone, once

    rcpts, message = envelopes.received[0]
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "<strong>copias</strong>" in html and "<script>" not in html  # Markdown, sanitized
    with app.app_context():
        assert newsletter.settle() == 1
        row = NewsletterIssue.get_by_id(issue.id)
        assert row.status == "sent" and row.recipients == 1000
        assert NewsletterDelivery.figures([issue.id])[issue.id] == {
            "queued": 0, "sent": 1000, "failed": 0, "unsubscribed": 0, "total": 1000}

    # The mail client's one-click unsubscribe: a bare POST, no session, no CSRF token.
    path = message["List-Unsubscribe"].strip().strip("<>")[len(BASE):]
    done = app.test_client().post(path, data={"List-Unsubscribe": "One-Click"}, csrf=False,
                                  headers={"User-Agent": "Correo/1.0"})
    assert done.status_code == 200 and "Set-Cookie" not in done.headers
    assert app.test_client().post(path, data={"List-Unsubscribe": "One-Click"}, csrf=False).status_code == 200
    with app.app_context():
        client = Client.get(Client.email == rcpts[0])
        rows = list(Consent.select().where(Consent.client == client.id, Consent.purpose == "newsletter")
                    .order_by(Consent.id))
        assert [r.granted for r in rows] == [True, False]  # withdrawn once, though posted twice
        evidence = rows[-1]
        assert evidence.method == "electronic" and evidence.collected_by_id is None
        assert f"{row.number}" in evidence.notes and "un clic" in evidence.notes and "Correo/1.0" in evidence.notes
        assert "127.0.0.1" in evidence.notes
        assert subscribers().count() == 999
        assert NewsletterDelivery.figures([issue.id])[issue.id]["unsubscribed"] == 1


@pytest.mark.usefixtures("clock")
def test_the_outbox_sends_newsletters_at_their_rate_after_the_transactional_mail(make_app, make_user, envelopes,
                                                                                  clock):
    app = make_app(SMTP_PORT=envelopes.port, NEWSLETTER_RATE=10, MAIL_SEND_IN_REQUEST=False)
    author = make_user(roles=("management",))
    with app.test_request_context():
        _subscribers(25)
        issue = newsletter.create("Boletín de marzo", "Novedades del trimestre.", author)
        newsletter.send(issue, author)
        with transaction():  # an activation link queued after the newsletter
            mail.queue("nueva@traza.local", "Active su cuenta", "mail/newsletter", issue=issue, name="Nueva",
                       body_html="", body_text="", unsubscribe=None, test=False)
    with app.app_context():
        assert mail.deliver_pending(app.config) == 11
        assert envelopes.received[0][0] == ["nueva@traza.local"]  # the transactional mail first
        assert mail.deliver_pending(app.config) == 0  # the minute's ten are spent
        clock.shift(timedelta(seconds=61))
        assert mail.deliver_pending(app.config) == 10
        clock.shift(timedelta(seconds=61))
        assert mail.deliver_pending(app.config) == 5
        assert OutboundEmail.select().where(OutboundEmail.status != "sent").count() == 0

"""The demo firm has one newsletter issue sent to every client who consented (one message each, delivered, one of
them unsubscribed with one click, its consent withdrawn) and one draft."""

from models.consent import Consent
from models.loyalty import NewsletterDelivery, NewsletterIssue, subscribers
from services import demo


def test_demo_has_a_sent_newsletter_and_a_draft(app):
    with app.test_request_context():
        demo.load()
        sent, draft = NewsletterIssue.select().order_by(NewsletterIssue.number)
        assert (sent.status, draft.status) == ("sent", "draft")
        figures = NewsletterDelivery.figures([sent.id])[sent.id]
        assert figures["sent"] == sent.recipients > 1 and figures["queued"] == figures["failed"] == 0
        assert figures["unsubscribed"] == 1
        gone = NewsletterDelivery.get(NewsletterDelivery.issue == sent.id, NewsletterDelivery.unsubscribed_at.is_null(False))
        assert not Consent.has(gone.client_id, "newsletter")
        assert subscribers().count() == sent.recipients - 1

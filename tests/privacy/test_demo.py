"""The demo firm's data-subject requests: one answered, one escalated near its deadline, one in progress; and
the first client's "Quién consultó" shows who read its document number."""

import pytest

from core.i18n import today_local
from models.audit import AuditSubject
from models.privacy import DataSubjectRequest
from services import demo

pytestmark = pytest.mark.usefixtures("clock")


def test_demo_requests(app):
    with app.test_request_context():
        demo.load()
        today = today_local()
        rows = list(DataSubjectRequest.select().order_by(DataSubjectRequest.id))
        assert [r.status for r in rows] == ["answered", "in_progress", "received"]
        assert rows[0].reveal("answer") and rows[0].answered_at is not None
        assert rows[1].escalated(today) and rows[1].deadline >= today and not rows[2].escalated(today)
        assert DataSubjectRequest.escalated_count(today) == 1
        assert AuditSubject.select().where(AuditSubject.client_id == rows[0].client_id).count() >= 2


def test_demo_access_review(app):
    """One access review of the last full quarter, signed off on its last day: nothing overdue on the dashboard."""
    from models.privacy import AccessReview, AccessReviewLine
    from models.users import User
    from services.privacy import access_review

    with app.test_request_context():
        demo.load()
        today = today_local()
        (review,) = AccessReview.select()
        assert review.is_signed and review.signed_on == review.period_end < today
        lines = list(AccessReviewLine.select().where(AccessReviewLine.review == review.id))
        assert len(lines) == User.select().where(User.is_active == True).count()  # noqa: E712
        assert sorted(line.decision for line in lines).count("adjusted") == 1
        assert all(line.decision in ("confirmed", "adjusted") for line in lines)
        assert not access_review.due(today)["due"]


def test_demo_retention_review_lists_one_client_with_nothing_holding_it(app):
    from models.privacy import RetentionDue
    from services.privacy import erasure

    with app.test_request_context():
        demo.load()
        (due,) = RetentionDue.select()
        assert due.status == "pending" and due.client.status in ("rejected", "former")
        assert erasure.holds(due.client) == []

"""What needs attention on the quality dashboard and in the monthly summary: open complaints past their due date (the
register's own count), open case deadlines already due, open improvement actions past their due day, escalated
data-subject requests, whether a management review or an access review is due, and the manual's reviews and
acknowledgements (each from its own domain)."""

from models.complaints import Complaint
from models.documents import Deadline
from models.privacy import DataSubjectRequest
from models.quality import ImprovementAction
from services.manual.follow import attention as manual_attention
from services.privacy.access_review import due as access_review_due
from services.quality.reviews import due as review_due


def attention(now, today) -> dict:
    _all, breached = Complaint.register_counts(status="open", overdue=True, now=now)
    return {"breached_complaints": breached, "overdue_deadlines": Deadline.overdue_count(now, today),
            "overdue_actions": ImprovementAction.overdue_count(today), "review": review_due(today),
            "escalated_requests": DataSubjectRequest.escalated_count(today),
            "access_review": access_review_due(today), "manual": manual_attention(today)}

"""The demo firm has contracts near their end (50 and 20 days), one ended without a decision, and post-case
contacts scheduled for the responsible of each closed case."""

from models.tasks import Task
from services import demo, loyalty


def test_demo_has_renewals_due_and_one_overdue(app):
    from core.i18n import today_local

    with app.test_request_context():
        demo.load()
        today = today_local()
        days = sorted((c.end_date - today).days for c in loyalty.board(today, 60).rows)
    assert -12 in days and 20 in days and 50 in days
    assert Task.select().where(Task.kind == "post_case", Task.title.startswith("Contacto post-servicio")).exists()

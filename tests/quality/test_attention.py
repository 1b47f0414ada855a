"""The dashboard's "Needs attention": open case deadlines already due. The count reads the deadlines through the
(status, alert_from) index, relying on a deadline alerting on its due day or earlier (``Deadline.first_alert``);
the edges: one alerting only on its due day (offset 0) and due a minute ago, one due in a minute, one done."""

from datetime import UTC, datetime, time, timedelta

import pytest

from core.db import utcnow
from core.i18n import to_utc, today_local
from models.documents import Deadline
from services.quality.attention import attention
from tests import factories

pytestmark = pytest.mark.usefixtures("clock")


def _due(day, hour, minute=0):
    return to_utc(datetime.combine(day, time(hour, minute)))


def test_overdue_deadlines_count_every_open_one_already_due(app, clock, firm_today):
    with app.test_request_context():
        case = factories.make_case()
        owner = case.responsible_id
        # (local due day, hour, minute, offsets, status): the clock is moved to 10:00 of the fourth day below.
        for days, hour, minute, offsets, status in ((3, 9, 59, [0], "open"),  # due a minute before: alerting today
                                                    (3, 10, 1, [0], "open"),  # due a minute after: not yet
                                                    (1, 17, 0, [7, 1], "open"),
                                                    (2, 8, 0, [90], "open"),
                                                    (2, 8, 0, [7], "done"),
                                                    (2, 8, 0, [7], "missed"),
                                                    (40, 17, 0, [1], "open")):
            day = firm_today + timedelta(days=days)
            Deadline.create(case=case, description="Plazo", due_at=_due(day, hour, minute),
                            responsible=owner, alert_days=",".join(map(str, offsets)),
                            alert_from=Deadline.first_alert(day, offsets), status=status)
        moment = _due(firm_today + timedelta(days=3), 10, 0)  # naive UTC
    clock.move_to(moment.replace(tzinfo=UTC))
    with app.test_request_context():
        now, today = utcnow(), today_local()
        brute = sum(1 for d in Deadline.select() if d.status == "open" and d.due_at < now)
        assert brute == 3
        assert attention(now, today)["overdue_deadlines"] == brute == Deadline.overdue_count(now, today)

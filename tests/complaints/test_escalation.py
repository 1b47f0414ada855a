"""Escalation digests: near breach alerts the owner, breached alerts the owner and the supervisors (quality,
management, the owner's own supervisor); one digest per person per run listing all their items; a second
run, or runs at the same time, send nothing new; moving on resets the level so the next due date alerts."""

from datetime import datetime

import pytest

from core import mail
from models.complaints import ALERT_BREACH, ALERT_NEAR, Complaint
from models.users import User
from services import complaints as service
from tests.complaints.conftest import local
from tests.factories import run_concurrently

NOW = local(2026, 11, 20, 10)  # Friday 20 November 2026, 10:00 in Bogotá


@pytest.fixture
def firm(app, make_user, open_one, mailbox):
    ana = make_user(roles=("service",), name="Ana Atención")
    beto = make_user(roles=("service",), name="Beto Servicio")
    quality = make_user(roles=("quality",), name="Carla Calidad")
    boss = make_user(roles=("management",), name="Diego Gerente")
    make_user(roles=("quality",), name="Inactiva", active=False)
    User.update(supervisor=boss.id).where(User.id == ana.id).execute()
    items = {
        "ana_late_1": open_one(ana, received_at=local(2026, 11, 10, 9)),  # response due 11 Nov: breached
        "ana_late_2": open_one(ana, received_at=local(2026, 11, 12, 9), severity="high"),
        "ana_near": open_one(ana, received_at=local(2026, 11, 19, 9)),  # response due today, 23:59
        "ana_fine": open_one(ana, received_at=local(2026, 11, 20, 9), severity="low"),  # due Tuesday 24
        "beto_late": open_one(beto, received_at=local(2026, 11, 3, 9)),
    }
    done = open_one(beto, received_at=local(2026, 11, 2, 9))
    Complaint.update(status="closed").where(Complaint.id == done.id).execute()
    with app.app_context():
        mail.deliver_pending()
    mailbox.clear()
    return {"ana": ana, "beto": beto, "quality": quality, "boss": boss, **items}


def _run(app, now=NOW):
    with app.app_context():
        sent = service.escalation_digests(now)
        mail.deliver_pending()
    return sent


def test_one_digest_per_person_with_all_their_items(app, firm, mailbox):
    assert _run(app) == 4  # Ana, Beto, quality, management (also Ana's supervisor): one each
    assert len(mailbox.messages) == 4
    (ana,) = mailbox.to(firm["ana"].email)
    text = mailbox.text(ana)
    for key in ("ana_late_1", "ana_late_2", "ana_near"):
        assert firm[key].number in text and f"https://traza.example.test/quejas/{firm[key].id}" in text
    assert firm["ana_fine"].number not in text and firm["beto_late"].number not in text
    (beto,) = mailbox.to(firm["beto"].email)
    assert firm["beto_late"].number in mailbox.text(beto) and firm["ana_near"].number not in mailbox.text(beto)
    for chief in ("quality", "boss"):
        (message,) = mailbox.to(firm[chief].email)
        body = mailbox.text(message)
        for key in ("ana_late_1", "ana_late_2", "beto_late"):
            assert firm[key].number in body
        assert firm["ana_near"].number not in body  # near breach stays with the owner
    levels = {k: Complaint.get_by_id(firm[k].id).alert_level for k in ("ana_late_1", "ana_near", "ana_fine", "beto_late")}
    assert levels == {"ana_late_1": ALERT_BREACH, "ana_near": ALERT_NEAR, "ana_fine": 0, "beto_late": ALERT_BREACH}


def test_a_second_run_sends_nothing_new_and_a_breach_after_near_alerts_again(app, firm, mailbox):
    assert _run(app) == 4
    mailbox.clear()
    assert _run(app) == 0 and mailbox.messages == []
    # Saturday 01:00: the near one is now breached → Ana and the supervisors hear about that one only.
    assert _run(app, local(2026, 11, 21, 1)) == 3
    (ana,) = mailbox.to(firm["ana"].email)
    assert firm["ana_near"].number in mailbox.text(ana) and firm["ana_late_1"].number not in mailbox.text(ana)
    assert not mailbox.to(firm["beto"].email)


def test_concurrent_runs_send_each_digest_once(app, firm, mailbox):
    results = run_concurrently(app, lambda: service.escalation_digests(NOW), n=6)
    assert sum(results) == 4
    with app.app_context():
        mail.deliver_pending()
    assert sorted(m["To"] for m in mailbox.messages) == sorted(
        firm[k].email for k in ("ana", "beto", "quality", "boss"))


def test_leaving_received_resets_the_level_for_the_resolution_due_date(app, firm, mailbox):
    assert _run(app) == 4
    late = firm["ana_late_1"]
    with app.test_request_context():
        service.change_status(Complaint.get_by_id(late.id), "analysis", firm["ana"])
    assert Complaint.get_by_id(late.id).alert_level == 0
    mailbox.clear()
    # Its resolution due date (5 business days from 10 November: 17 November) has passed too.
    assert _run(app) == 3
    assert late.number in mailbox.text(mailbox.to(firm["ana"].email)[0])


def test_nothing_to_escalate_sends_nothing(app, make_user, mailbox):
    assert _run(app, datetime(2026, 11, 20, 15)) == 0 and mailbox.messages == []

"""The values the quality indicators read from the rows instead of computing them per row (issue 16): each outgoing
update's link to the client's next one (``Interaction.next_update_at`` and the local days between them) and the
case's first survey moment (``Case.survey_sent_at``), right after every write path, and the migration's backfill
of existing rows equal to what the write paths keep."""

import importlib.util
from datetime import date, datetime, time, timedelta

import pytest

from core.config import ROOT
from core.db import db
from core.i18n import to_local, to_utc, today_local
from models.cases import Case
from models.interactions import Interaction
from models.surveys import SurveyInvitation
from services import cases, clients, interactions, surveys
from tests.factories import make_case, make_client, make_notice, run_concurrently

pytestmark = pytest.mark.usefixtures("clock")


def _local(day, hour, minute=0):
    return to_utc(datetime.combine(day, time(hour, minute)))


def _log(client, user, moment, direction="out", kind="update"):
    return interactions.log(client, {"occurred_at": moment, "channel": "email", "direction": direction, "kind": kind,
                                     "confidential": False, "summary": "Avance"}, user)


def _links(client_id):
    """{interaction id: (next_update_at, next_update_days)} as stored, for every entry of the client."""
    return {i: (at, days) for i, at, days in Interaction.select(Interaction.id, Interaction.next_update_at,
                                                               Interaction.next_update_days)
            .where(Interaction.client == client_id).tuples()}


def _expected(client_id):
    """The same worked out from scratch: each outgoing update's successor by (moment, id), in local days."""
    rows = list(Interaction.select(Interaction.id, Interaction.occurred_at, Interaction.direction, Interaction.kind)
                .where(Interaction.client == client_id).order_by(Interaction.occurred_at, Interaction.id).tuples())
    updates = [(i, at) for i, at, direction, kind in rows if direction == "out" and kind == "update"]
    out = {i: (None, None) for i, *_rest in rows}
    for (entry, at), (_next_id, following) in zip(updates, updates[1:], strict=False):
        out[entry] = (following, (to_local(following).date() - to_local(at).date()).days)
    return out


def test_each_logged_update_links_to_the_next_a_backdated_one_in_between(app, make_user):
    user = make_user(roles=("operations",))
    with app.test_request_context():
        client = make_client(name="Cliente Enlaces", document_number="52880001")
        first = _log(client, user, _local(date(2026, 1, 10), 9))
        late = _log(client, user, _local(date(2026, 1, 30), 23, 30))
        assert _links(client.id)[first.id] == (late.occurred_at, 20)
        assert _links(client.id)[late.id] == (None, None)  # the last one: nothing after it yet
        # Backdated between the two: the first now points to it, it points to the later one.
        middle = _log(client, user, _local(date(2026, 1, 20), 10))
        assert _links(client.id)[first.id] == (middle.occurred_at, 10)
        assert _links(client.id)[middle.id] == (late.occurred_at, 10)
        # Earlier on the same local day as the last: 0 days to it; a question and an incoming entry change nothing.
        morning = _log(client, user, _local(date(2026, 1, 30), 8))
        _log(client, user, _local(date(2026, 1, 25), 8), direction="in", kind="question")
        _log(client, user, _local(date(2026, 1, 26), 8), direction="in", kind="update")
        links = _links(client.id)
        assert links[middle.id] == (morning.occurred_at, 10)
        assert links[morning.id] == (late.occurred_at, 0)
        assert links == _expected(client.id)
        # Two at the very same moment: ordered by id, the first points to the second (0 days).
        twin = _log(client, user, late.occurred_at)
        assert _links(client.id)[late.id] == (twin.occurred_at, 0)
        assert _links(client.id) == _expected(client.id)


def test_an_entry_edited_into_or_out_of_an_update_relinks_the_client(app, make_user):
    user = make_user(roles=("operations",))
    with app.test_request_context():
        client = make_client(name="Cliente Editado", document_number="52880002")
        a = _log(client, user, _local(date(2026, 2, 1), 9))
        b = _log(client, user, _local(date(2026, 2, 3), 9), direction="in", kind="question")
        c = _log(client, user, _local(date(2026, 2, 9), 9))
        b.direction, b.kind = "out", "update"
        b.save()
        assert _links(client.id) == _expected(client.id)
        assert _links(client.id)[a.id] == (b.occurred_at, 2)
        b.occurred_at = _local(date(2026, 2, 12), 9)  # moved after c
        b.save()
        assert _links(client.id) == _expected(client.id)
        assert _links(client.id)[c.id] == (b.occurred_at, 3)
        b.kind = "other"
        b.save()
        assert _links(client.id) == _expected(client.id)
        assert _links(client.id)[b.id] == (None, None)


def test_local_days_between_updates_follow_the_firm_calendar_near_midnight(app, make_user):
    user = make_user(roles=("operations",))
    with app.test_request_context():
        client = make_client(name="Cliente Medianoche", document_number="52880003")
        # 23:59 and 00:01 two minutes apart in time, a day apart in the firm's calendar.
        a = _log(client, user, _local(date(2026, 3, 1), 23, 59))
        _log(client, user, _local(date(2026, 3, 2), 0, 1))
        assert _links(client.id)[a.id][1] == 1
        assert _links(client.id) == _expected(client.id)


def test_updates_logged_at_once_for_one_client_all_link(app, make_user, db_url):
    user = make_user(roles=("operations",))
    with app.test_request_context():
        client = make_client(name="Cliente Concurrente", document_number="52880004")
        moments = [_local(date(2026, 4, d), 9) for d in (9, 3, 7, 1, 5, 8)]

    def one():
        with app.test_request_context():
            return _log(client, user, moments.pop()).id  # list.pop: one moment per thread

    assert len(run_concurrently(app, one, n=6)) == 6
    with app.app_context():
        links = _links(client.id)
        assert links == _expected(client.id)
        assert sum(days is None for _at, days in links.values()) == 1  # one last update, every other linked


def _consent(client, user):
    make_notice()
    clients.record_consent(client, ["surveys"], "written", today_local(), "", user)  # the firm's day


def _close(case, me, today):
    cases.change_status(case, "in_progress", "", me, today)
    cases.save_resolution(case, {"resolution_summary": "Conciliación aprobada.", "explained_on": today,
                                 "explained_how": "in_person", "client_understood": True}, me)
    cases.change_status(case, "resolved", "", me, today)
    cases.change_status(case, "closed", "", me, today)


def test_a_case_keeps_its_first_survey_moment_from_every_sending_path(app, make_user, firm_today):
    me = make_user(roles=("operations", "service"))
    with app.test_request_context():
        emailed = make_case(responsible=me)
        _consent(emailed.client, me)
        _close(emailed, me, firm_today)
        assert Case.get_by_id(emailed.id).survey_sent_at is None  # invited, not sent yet
        SurveyInvitation.update(send_on=firm_today).execute()
        assert surveys.send_due_invitations() == 1
        invitation = SurveyInvitation.get(SurveyInvitation.case == emailed.id)
        assert Case.get_by_id(emailed.id).survey_sent_at == invitation.sent_at
        # Withdrawn and invited again by hand, the link handed over later: the first moment stays.
        surveys.withdraw(invitation, me)
        again = surveys.invite(emailed.client, Case.get_by_id(emailed.id), None, "", me)
        surveys.hand_over_link(again, me, now=invitation.sent_at + timedelta(days=2))
        assert Case.get_by_id(emailed.id).survey_sent_at == invitation.sent_at

        handed = make_case(responsible=me)  # no consent: the link is handed over
        _close(handed, me, firm_today)
        pending = SurveyInvitation.get(SurveyInvitation.case == handed.id)
        assert Case.get_by_id(handed.id).survey_sent_at is None
        moment = _local(firm_today, 11)
        surveys.hand_over_link(pending, me, now=moment)
        assert Case.get_by_id(handed.id).survey_sent_at == moment

        # Written directly (as imports and tests do) and edited: the earliest sent moment of its invitations.
        direct = make_case(responsible=me)
        template = surveys.default_template(me)
        row = SurveyInvitation.create(template=template, client=direct.client_id, case=direct, send_on=firm_today,
                                      sent_at=moment, expires_at=moment + timedelta(days=30), status="sent")
        assert Case.get_by_id(direct.id).survey_sent_at == moment
        row.sent_at = moment - timedelta(days=1)
        row.save()
        assert Case.get_by_id(direct.id).survey_sent_at == moment - timedelta(days=1)


def _migration():
    path = ROOT / "migrations" / "0020_stored_indicator_moments.py"
    spec = importlib.util.spec_from_file_location("migration_0020", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_migration_backfill_equals_what_the_write_paths_keep(app, make_user, firm_today):
    me = make_user(roles=("operations", "service"))
    with app.test_request_context():
        people = [make_client(name=f"Cliente Relleno {n}", document_number=f"5288010{n}") for n in range(3)]
        for n, client in enumerate(people):
            for day in (5, 1, 9, 9, 3)[: 3 + n]:  # out of order, two on one day for the last
                _log(client, me, _local(date(2026, 5, day), 8 + n))
            _log(client, me, _local(date(2026, 5, 4), 8), direction="in", kind="question")
        surveyed = make_case(responsible=me)
        _close(surveyed, me, firm_today)
        surveys.hand_over_link(SurveyInvitation.get(SurveyInvitation.case == surveyed.id), me,
                               now=_local(firm_today, 12))
        make_case(responsible=me)  # never surveyed
        kept_links = {c.id: _links(c.id) for c in people}
        kept_cases = dict(Case.select(Case.id, Case.survey_sent_at).tuples())
        assert any(kept_cases.values())

        Interaction.update(next_update_at=None, next_update_days=None).execute()
        Case.update(survey_sent_at=None).execute()
        _migration().backfill(db.obj)
        assert {c.id: _links(c.id) for c in people} == kept_links
        assert dict(Case.select(Case.id, Case.survey_sent_at).tuples()) == kept_cases

"""The loyalty pages read what they show from an index, in the order they show it (migration 0037; SQLite keeps no
statistics, so the planner picks an index by its shape alone): the latest benefits applied walk ``applied_at``
newest first and stop at the list's 20, the ranking of referrers counts the referrals from the index on
(``referred_by``, ``status``) without reading a client row per referral, and the newsletter's subscribers are found
among the "newsletter" consent records only."""

import pytest

from core.db import db, is_sqlite
from models.loyalty import subscribers
from services.loyalty import benefits, referrals


def _plan(query) -> str:
    sql, params = query.sql()
    return "\n".join(row[-1] for row in db.execute_sql(f"EXPLAIN QUERY PLAN {sql}", params).fetchall())


@pytest.fixture
def sqlite_only(app):
    with app.app_context():
        if not is_sqlite():
            pytest.skip("SQLite's planner: PostgreSQL plans by its statistics")
        yield


def test_the_latest_benefits_walk_the_applied_at_index_and_stop_at_the_list(sqlite_only):
    plan = _plan(benefits.recent())
    assert "benefit_grant_applied_at" in plan and "TEMP B-TREE" not in plan, plan


def test_the_ranking_counts_referrals_from_the_index_alone(sqlite_only):
    plan = _plan(referrals.ranked())
    assert "COVERING INDEX client_referred_by_id_status" in plan, plan
    assert "SCAN referrer" not in plan, plan  # a referrer is read by its id, only when ranked within the list


def test_the_subscribers_are_found_among_the_newsletter_records(sqlite_only):
    plan = _plan(subscribers())
    assert "COVERING INDEX consent_purpose_client_id_id (purpose=?)" in plan, plan

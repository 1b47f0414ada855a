"""Lists that leave out blocked clients still walk their own index (SQLite keeps no statistics, so the planner
picks an index by its shape alone): the index on ``client.blocked_on`` holds the blocked clients only (migration
0036), so "not blocked" can never be read through it, while "the blocked ones" still is."""

import pytest

from core.db import db, is_sqlite
from models.cases import Case
from models.clients import Client
from models.surveys import SurveyInvitation


def _plan(query) -> str:
    sql, params = query.sql()
    return "\n".join(row[-1] for row in db.execute_sql(f"EXPLAIN QUERY PLAN {sql}", params).fetchall())


def test_lists_of_not_blocked_clients_walk_their_own_index(app):
    with app.app_context():
        if not is_sqlite():
            pytest.skip("SQLite's planner: PostgreSQL plans by its statistics")
        plans = {
            "case list": _plan(Case.listing().order_by(Case.id.desc()).limit(25)),
            "client list": _plan(Client.listing().limit(25)),
            "survey invitations": _plan(SurveyInvitation.listing().limit(25)),
        }
        for name, plan in plans.items():
            assert "client_blocked" not in plan, (name, plan)
            assert "TEMP B-TREE" not in plan, (name, plan)  # read in order, stopped at the page
        assert "client_blocked" in _plan(Client.blocked_ids())

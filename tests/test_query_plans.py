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


def test_the_client_list_counts_the_matching_less_the_blocked(app):
    """The count reads the filter's own index and the few blocked (not every client row for "not blocked"), and
    is the count of the clients shown."""
    from datetime import date

    with app.app_context():
        for i in range(6):
            Client.create(name=f"Ana {i}", name_key=f"ana {i}", status="active" if i % 2 else "prospect")
        Client.update(blocked_on=date(2026, 1, 1)).where(Client.name.in_(("Ana 1", "Ana 2"))).execute()
        for filters in ({}, {"status": "active"}, {"status": "prospect"}):
            shown = Client.select().where(Client.blocked_on.is_null())
            if "status" in filters:
                shown = shown.where(Client.status == filters["status"])
            assert Client.count_matching(**filters) == shown.count(), filters
        assert Client.count_matching(status="active") == 2 and Client.count_matching() == 4

"""How statements are written (core.db): a subquery inside IN / NOT IN is written once, and the statement is the one
peewee writes on its own."""

from unittest import mock

import peewee

from core import db as core_db
from models.cases import Case, CaseMember
from models.users import User


def _team_of(case_ids):
    return (User.select(User.id, User.name)
            .where(User.id.in_(CaseMember.select(CaseMember.user).where(CaseMember.case.in_(
                Case.select(Case.id).where(Case.id.in_(case_ids)))))
                   | User.id.not_in(Case.select(Case.responsible).where(Case.id.in_(case_ids)))))


def test_a_subquery_in_an_in_list_is_written_once(app):
    with app.app_context():
        with mock.patch.object(peewee.Select, "__sql__", autospec=True, side_effect=peewee.Select.__sql__) as written:
            sql, params = _team_of([7, 8]).sql()
        # the statement and its three subqueries, each once (peewee alone writes them 1 + 2 + 4 + 2 = 9 times)
        assert written.call_count == 4
        with mock.patch.object(peewee.Expression, "_is_rhs_empty", core_db._peewee_is_rhs_empty):
            assert _team_of([7, 8]).sql() == (sql, params)
        assert params == [7, 8, 7, 8]


def test_an_empty_list_still_writes_as_peewee_writes_it(app):
    with app.app_context():
        sql, params = User.select(User.id).where(User.id.in_([]) | User.id.not_in([])).sql()
        assert "0 = 1" in sql and "1 = 1" in sql and params == []

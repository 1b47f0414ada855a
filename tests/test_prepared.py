"""core.db.Prepared: a statement built once per database gives the rows the query itself gives, for any value."""

import pytest

from core.db import Prepared
from models.users import User, UserRole, UserSession


def test_a_prepared_select_gives_what_the_query_gives_for_each_value(app, make_user):
    with app.app_context():
        ana = make_user(roles=("commercial", "quality"), name="Ana Uno")
        ben = make_user(roles=("admin",), name="Ben Dos")
        roles = Prepared(lambda uid: UserRole.select(UserRole.role).where(UserRole.user == uid).order_by(UserRole.role),
                         -1234567)
        assert [r.role for r in roles(ana.id)] == ["commercial", "quality"]
        assert [r.role for r in roles(ben.id)] == ["admin"]
        assert roles(10**9) == []
        joined = Prepared(lambda uid: UserSession.select(UserSession, User).join(User).where(User.id == uid), -7654321)
        UserSession.create(sid_hash="a" * 64, user=ana, stage=UserSession.STAGE_ACTIVE, expires_at=ana.created_at)
        row = joined(ana.id)[0]
        assert row.user.name == "Ana Uno" and row.sid_hash == "a" * 64 and joined(ben.id) == []
        # a fresh User each time: nothing of one call's rows is handed to the next
        assert ana.role_names == ["commercial", "quality"] and User.get_by_id(ben.id).role_names == ["admin"]


def test_a_sample_missing_from_the_parameters_is_refused(app):
    with app.app_context():
        missing = Prepared(lambda uid: UserRole.select().where(UserRole.role == "admin"), -1)
        with pytest.raises(ValueError):
            missing(3)

"""A database that goes away (failover, restart) or cannot be reached (issue 12): the request that had
written nothing yet runs again on a fresh connection; otherwise a Spanish page that needs no database,
and /healthz answers its 503 JSON."""

import psycopg2
import pytest
from flask import request

from core.db import db
from models.catalog import PracticeArea
from tests.conftest import PG_URL

pg_only = pytest.mark.skipif(not PG_URL, reason="dropping live connections is a PostgreSQL server's doing")


def _fail_over_once_on(app, endpoint, times=1):
    """What a failover or restart does to a request in flight: its backend is ended from outside (``times``
    requests in a row), after sign-in has loaded the person and before the page's own queries run."""
    state = {"done": False, "left": times}

    @app.before_request
    def _end_this_connection():
        if not state["left"] or request.endpoint != endpoint:
            return
        state["left"] -= 1
        state["done"] = True
        pid = db.execute_sql("SELECT pg_backend_pid()").fetchone()[0]
        admin = psycopg2.connect(PG_URL)
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", (pid,))
        admin.close()

    return state


@pg_only
def test_a_page_whose_connection_dies_in_flight_is_served_from_a_fresh_one(app, http, login_as):
    failover = _fail_over_once_on(app, "admin.practice_areas")
    login_as("admin")
    response = http.get("/admin/areas")
    assert failover["done"]
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert "Áreas de práctica" in response.get_data(as_text=True)


@pg_only
def test_a_form_whose_connection_dies_before_writing_is_saved_once(app, http, login_as):
    failover = _fail_over_once_on(app, "admin.practice_areas")
    login_as("admin")
    response = http.post("/admin/areas", data={"name": "Derecho marítimo", "description": "Puertos y navieras"})
    assert failover["done"]
    assert response.status_code == 303
    with app.app_context():
        assert PracticeArea.select().where(PracticeArea.name == "Derecho marítimo").count() == 1


@pg_only
def test_a_request_that_fails_twice_gets_the_error_page_without_the_database(app, http, login_as):
    _fail_over_once_on(app, "admin.practice_areas", times=2)  # the retry meets a dead connection too
    login_as("admin")
    response = http.get("/admin/areas")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Algo falló por nuestra parte" in body and "No se guardó" not in body  # a read: nothing to save
    assert '<html lang="es">' in body


@pytest.fixture
def no_database(app, make_app):
    return make_app(DATABASE_URL="postgresql://postgres@127.0.0.1:1/traza?pool=off")


def test_without_a_database_pages_say_so_in_spanish_without_needing_it(no_database):
    response = no_database.test_client().get("/entrar")
    body = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "La base de datos no responde" in body and '<html lang="es">' in body


def test_without_a_database_the_health_check_answers_its_json(no_database):
    response = no_database.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "error", "database": "unreachable"}


def test_a_form_that_meets_no_database_is_told_nothing_was_saved(no_database):
    response = no_database.test_client().post("/entrar", data={"email": "ana@firma.test", "password": "x"})
    assert response.status_code == 503
    assert "Nada se guardó" in response.get_data(as_text=True)

"""Shared helpers of the complaints register tests."""

from datetime import datetime

import pytest
import time_machine

from services import complaints as service
from tests.factories import make_client


def local(y, m, d, hh=10, mm=0):
    """A wall-clock moment in Bogotá (UTC-5, no DST) as the naive UTC the database stores."""
    return datetime(y, m, d, hh + 5, mm) if hh + 5 < 24 else datetime(y, m, d + 1, hh + 5 - 24, mm)


@pytest.fixture
def open_one(app):
    """Open a complaint through the real service (inside a request context, as the app does)."""

    def build(owner, client=None, **kw):
        with app.test_request_context():
            kw.setdefault("kind", "complaint")
            kw.setdefault("description", "El cliente no recibió respuesta a sus correos durante dos semanas.")
            return service.open_complaint(owner=owner, client=client, **kw)

    return build


@pytest.fixture
def a_client(app):
    with app.test_request_context():
        return make_client(name="Andrea Quintero", document_number="52999888", email="andrea@correo.test")


FRIDAY = datetime.fromisoformat("2026-11-20T10:00:00-05:00")  # Friday, 10:00 in Bogotá


@pytest.fixture
def frozen():
    """The firm's clock on a working Friday morning (a module may freeze its own day instead)."""
    with time_machine.travel(FRIDAY, tick=True):
        yield


@pytest.fixture
def client_row(app):
    with app.test_request_context():
        return make_client(name="Rodrigo Peña Salas")

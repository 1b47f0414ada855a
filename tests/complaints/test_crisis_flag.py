"""The client page's "Cliente en crisis" banner (issue 11): only an open incident raises it. A banner for an
incident closed ten days earlier told staff to treat a calm client as one out of control."""

import re
from datetime import datetime, timedelta

import pytest
import time_machine

from models.complaints import CrisisIncident
from services.complaints import crisis
from tests.factories import make_client

NOW = datetime.fromisoformat("2026-03-10T10:00:00-05:00")  # a Tuesday, 10:00 in Bogotá
FLAG = 'data-testid="crisis-flag"'


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def client_row(app):
    with app.test_request_context():
        return make_client(name="Rodrigo Peña Salas")


def _open(http, client_id) -> int:
    response = http.post(f"/crisis/clientes/{client_id}")
    assert response.status_code == 303, response.get_data(as_text=True)[:400]
    return int(re.search(r"/crisis/(\d+)$", response.headers["Location"]).group(1))


def _close_at(incident_id, moment):
    """Closed ``moment`` ago, as the service leaves it (status and time): the banner must not care how."""
    CrisisIncident.update(status="closed", closed_at=moment).where(CrisisIncident.id == incident_id).execute()


def test_an_incident_closed_ten_days_ago_raises_no_banner(app, http, login_as, client_row, frozen):
    login_as("service")
    incident_id = _open(http, client_row.id)
    _close_at(incident_id, datetime(2026, 2, 28, 15, 0))  # ten days before NOW
    viewer = app.test_client()
    login_as("commercial", client=viewer)
    page = viewer.get(f"/clientes/{client_row.id}").get_data(as_text=True)
    assert FLAG not in page and "Cliente en crisis" not in page
    with app.test_request_context():
        assert crisis.flag(client_row) is None


def test_the_banner_stays_while_open_and_goes_the_moment_it_closes(app, http, login_as, client_row, frozen):
    login_as("service")
    first = _open(http, client_row.id)
    second = _open(http, client_row.id)  # a second incident, still open when the first closes
    _close_at(first, datetime(2026, 3, 10, 14, 0))
    page = http.get(f"/clientes/{client_row.id}").get_data(as_text=True)
    assert FLAG in page and f'href="/crisis/{second}"' in page and f'href="/crisis/{first}"' not in page
    frozen.move_to(NOW + timedelta(minutes=5))
    _close_at(second, datetime(2026, 3, 10, 15, 4))  # a minute ago
    assert FLAG not in http.get(f"/clientes/{client_row.id}").get_data(as_text=True)

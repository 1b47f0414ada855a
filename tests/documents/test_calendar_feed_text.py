"""The calendar feed as a calendar app reads it: UIDs unique beyond this installation and stable from one
fetch to the next, and descriptions that read right when the client's name ends in an abbreviation."""

import re
from datetime import datetime

from icalendar import Calendar

from core import ics
from models.cases import Intervention
from tests.factories import make_case


def _feed(http):
    page = http.post("/documentos/calendario").get_data(as_text=True)
    token = re.search(r"/documentos/calendario/([A-Za-z0-9_-]{43})\.ics", page).group(1)
    return f"/documentos/calendario/{token}.ics"


def test_feed_uids_are_global_and_stable_and_descriptions_have_no_double_period(app, http, login_as, clock):
    me = login_as("operations")
    with app.test_request_context():
        case = make_case(responsible=me, client_name="Inversiones Andinas S.A.S.")
    http.post(f"/documentos/casos/{case.id}/plazos", data={
        "description": "Contestar la demanda", "kind": "procedural", "due_on": "2026-12-10", "due_time": "17:00",
        "alert_days": "7,1", "responsible": str(me.id)})
    with app.app_context():
        Intervention.create(case=case, starts_at=datetime(2026, 11, 25, 15, 0), assigned=me, purpose="Visita")
    url = _feed(http)
    first, second = (Calendar.from_ical(app.test_client().get(url).data) for _ in range(2))
    uids = [str(e["UID"]) for e in first.walk("VEVENT")]
    assert len(uids) == 2 and uids == [str(e["UID"]) for e in second.walk("VEVENT")]  # stable
    for uid in uids:
        assert re.fullmatch(r"(deadline|intervention)-\d+\.[0-9a-f]{12}@traza\.example\.test", uid), uid
    for event in first.walk("VEVENT"):
        description = str(event["DESCRIPTION"])
        assert "S.A.S." in description and ".." not in description, description


def test_two_installations_never_share_a_uid(app):
    one = {"BASE_URL": "http://10.0.0.5", "FIRM_NAME": "Duarte & Asociados Abogados"}
    other = {"BASE_URL": "http://10.0.0.5", "FIRM_NAME": "Gómez Consultores"}
    assert ics.uid("deadline-1", one) != ics.uid("deadline-1", other)
    assert ics.uid("deadline-1", one) != ics.uid("deadline-2", one)
    assert ics.uid("deadline-1", one) == ics.uid("deadline-1", dict(one, BASE_URL="http://10.0.0.5/"))
    assert ics.uid("deadline-1", one).endswith("@10.0.0.5")

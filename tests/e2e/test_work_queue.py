"""The work queue in Chromium: a long section shows its first rows and "Ver N más" brings the rest in place,
the focus on the first of them; without JavaScript the same link opens the whole section (issue 15)."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from core.i18n import today_local
from models.tasks import Task
from services.home import work
from tests.e2e.test_journeys import _no_csp_violations, _sign_in
from tests.factories import make_client, make_user

pytestmark = pytest.mark.e2e

TASKS = 14


def test_see_more_brings_the_rest_of_a_section(app, page, browser, live_server):
    pg = page
    with app.test_request_context():
        today = today_local()
        me = make_user(roles=("operations",), name="Laura Gómez", email="laura@duarte.test")
        client = make_client(responsible=me.id, name="Cliente Largo")
        for i in range(TASKS):
            Task.create(title=f"Seguimiento {i:02d}", due_on=today + timedelta(days=i), owner=me, client=client)

    pg.goto(f"{pg.base}/mi-trabajo")
    _sign_in(pg, me)
    pg.wait_for_url("**/mi-trabajo")
    rows = pg.locator("#work-tasks .work-item")
    expect(rows).to_have_count(work.PER_SECTION)
    more = pg.locator("#work-tasks .work-more a")
    expect(more).to_have_text(f"Ver {TASKS - work.PER_SECTION} más")
    more.focus()
    pg.keyboard.press("Enter")
    expect(rows).to_have_count(TASKS)
    expect(pg.locator("#work-tasks .work-more")).to_have_count(0)
    assert rows.all_inner_texts()[-1].startswith(f"Seguimiento {TASKS - 1:02d}")
    assert [t.split("\n")[0] for t in rows.all_inner_texts()] == [f"Seguimiento {i:02d}" for i in range(TASKS)]
    expect(rows.nth(work.PER_SECTION).locator("a").first).to_be_focused()
    _no_csp_violations(pg)

    # Without JavaScript (the same session, on a phone) the link opens the section alone, every row in it.
    plain = browser.new_context(viewport={"width": 360, "height": 800}, locale="es-CO", java_script_enabled=False,
                                storage_state=pg.context.storage_state())
    try:
        other = plain.new_page()
        other.goto(f"{live_server}/mi-trabajo")
        expect(other.locator("#work-tasks .work-item")).to_have_count(work.PER_SECTION)
        other.locator("#work-tasks .work-more a").click()
        other.wait_for_url("**/mi-trabajo?ver=tasks")
        expect(other.locator("#work-tasks .work-item")).to_have_count(TASKS)
    finally:
        plain.close()

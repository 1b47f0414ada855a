"""Waiting shows: a bar while htmx fetches with the replaced part marked busy, and a posting form's button spins."""

import pytest
from playwright.sync_api import expect

from tests.e2e.test_journeys import _sign_in
from tests.factories import make_client, make_user

pytestmark = pytest.mark.e2e

RECORD = """() => {
  window.__seen = [];
  document.body.addEventListener('htmx:beforeSend', (e) => window.__seen.push({
    loading: document.documentElement.classList.contains('is-loading'),
    busy: (e.detail.target || e.detail.elt).getAttribute('aria-busy')}));
  window.addEventListener('submit', (e) => {
    const button = e.submitter || e.target.querySelector('button[type=submit]');
    window.__seen.push({working: button.classList.contains('is-working'), busy: e.target.getAttribute('aria-busy')});
    e.preventDefault();
  });
}"""


def _until_seen(pg):
    """Wait for the recorder (the page's CSP forbids wait_for_function's string evaluation)."""
    for _ in range(100):
        if pg.evaluate("window.__seen.length"):
            return
        pg.wait_for_timeout(50)
    raise AssertionError("nothing recorded")


def test_search_shows_it_is_working_and_a_post_marks_its_button(app, page):
    pg = page
    with app.test_request_context():
        user = make_user(roles=("commercial",))
        make_client(name="Lucía Fernanda Ortiz")
    pg.goto(f"{pg.base}/clientes")
    _sign_in(pg, user)
    search = pg.get_by_label("Buscar por nombre")
    expect(search).to_be_visible()  # the list has loaded after sign-in: its body exists for the recorder
    pg.evaluate(RECORD)
    search.press_sequentially("luc", delay=30)
    expect(pg.locator("#clients-list")).to_contain_text("Lucía Fernanda Ortiz")
    _until_seen(pg)
    assert pg.evaluate("window.__seen[0]") == {"loading": True, "busy": "true"}
    expect(pg.locator("html")).not_to_have_class("is-loading")
    assert pg.locator("#clients-list").get_attribute("aria-busy") is None

    pg.goto(f"{pg.base}/clientes/nuevo")
    pg.wait_for_load_state()
    pg.evaluate(RECORD)
    pg.locator("main form button[type=submit]").first.click()
    _until_seen(pg)
    assert pg.evaluate("window.__seen[0]") == {"working": True, "busy": "true"}

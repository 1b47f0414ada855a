"""The client's survey speaks the firm's language whatever the browser asks for: its questions are the
firm's own Spanish text, and a page half in English would read as broken."""

from tests.surveys.survey_helpers import make_invitation


def test_public_form_follows_the_firm_language_not_the_browser(app, http):
    with app.test_request_context():
        _invitation, token = make_invitation()
    page = http.get(f"/e/{token}", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert 'lang="es"' in page and "Service evaluated" not in page
    staff = http.get("/entrar", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert 'lang="en"' in staff  # staff pages still follow the browser before sign-in

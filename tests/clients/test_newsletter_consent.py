"""Whether a client gets the newsletter is their consent, recorded once (issue 11, item 13; SECURITY.md PR1-PR3)."""

from blueprints.clients.forms import ClientForm
from models.clients import Client
from tests.factories import make_client, make_notice


def _profile(http, client) -> str:
    return http.get(f"/clientes/{client.id}").get_data(as_text=True)


def test_the_profile_follows_the_newsletter_consent(app, http, login_as):
    login_as("commercial")
    with app.test_request_context():
        client = make_client()
        make_notice()
    assert "<dt>Boletín</dt><dd>No" in _profile(http, client)
    given = http.post(f"/clientes/{client.id}/consentimiento",
                      data={"purposes": ["newsletter"], "method": "written", "given_on": "2026-01-15"})
    assert given.status_code == 303
    assert "<dt>Boletín</dt><dd>Sí" in _profile(http, client)
    http.post(f"/clientes/{client.id}/consentimiento/retirar", data={"purpose": "newsletter", "method": "oral"})
    assert "<dt>Boletín</dt><dd>No" in _profile(http, client)


def test_no_second_newsletter_flag_to_disagree_with_the_consent(app, http, login_as):
    login_as("commercial")
    assert "newsletter" not in Client._meta.fields
    assert not hasattr(ClientForm, "newsletter")
    page = http.get("/clientes/nuevo").get_data(as_text=True)
    assert 'name="newsletter"' not in page and "boletín" not in page.lower()

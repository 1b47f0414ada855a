"""Lists that show a person beside each row (the author, the responsible) join what they show of that person —
name, e-mail, whether active — and not the account's password hash or sealed TOTP seed (User.shown)."""

from datetime import date, timedelta

from core.db import utcnow
from models.cases import Case
from models.clients import Client
from models.documents import Deadline
from models.interactions import Interaction
from tests import factories

SECRETS = ("password_hash", "totp_secret", "totp_pending", "last_totp_timecode")


def _shown_only(person, name):
    assert person.name == name and person.display_name == name and person.is_active
    assert person.email.endswith(".test")
    for field in SECRETS:
        assert getattr(person, field) is None, field


def test_the_lists_join_the_person_as_shown_without_the_account_secrets(app):
    with app.test_request_context():
        laura = factories.make_user(roles=("operations",), name="Laura Gómez")
        assert laura.password_hash  # the account has them; the lists leave them out
        case = factories.make_case(responsible=laura)
        Client.update(responsible=laura).where(Client.id == case.client_id).execute()
        Interaction.create(client=case.client_id, case=case, occurred_at=utcnow(), summary="Llamada de seguimiento",
                           created_by=laura)
        Deadline.create(case=case, description="Contestar la demanda", due_at=utcnow() + timedelta(days=10),
                        responsible=laura, alert_from=date(2026, 12, 1), created_by=laura)

        entry = Interaction.timeline(client=Client.get_by_id(case.client_id)).get()
        _shown_only(entry.created_by, "Laura Gómez")
        assert entry.case.code == case.code and entry.case.title == case.title

        (first,) = Interaction.newest(1, client=case.client_id)  # the tab as it opens: a prepared statement
        _shown_only(first.created_by, "Laura Gómez")

        (deadline,) = Deadline.of_case(case)
        _shown_only(deadline.responsible, "Laura Gómez")

        listed = Case.listing().get()
        _shown_only(listed.responsible, "Laura Gómez")
        assert listed.client.name == "María Fernanda Rojas"

        _shown_only(Client.listing().where(Client.id == case.client_id).get().responsible, "Laura Gómez")

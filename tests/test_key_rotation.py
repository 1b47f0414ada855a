"""Key rotation (SECURITY.md E3): encrypt under k1 → configure [k2; k1] → `flask keys rotate` → configure only
k2 → every value and file still reads, and TOTP sign-in still works."""

import json
from types import SimpleNamespace

import pytest

from core import audit, auth, crypto, files, keycheck, mail
from core import keys as key_rotation
from core.config import KEY_NAMES, _new_key
from core.db import transaction
from models.audit import AuditEvent
from models.cases import Case
from models.clients import Client
from models.complaints import CrisisIncident
from models.files import StoredFile
from models.interactions import Interaction
from models.mail import OutboundEmail
from models.users import User
from services import cases as case_service
from services.complaints import crisis
from tests import factories

PDF = b"%PDF-1.4\n% poder especial, folio 3\n%%EOF\n"
K1, K2, T1, T2 = (_new_key() for _ in range(4))
OTHERS = {name: _new_key() for name in KEY_NAMES if name not in ("FIELD_KEY", "TOTP_KEY")}


@pytest.fixture
def with_keys(make_app, tmp_path):
    """An app on the test's database whose field and TOTP key settings are the given ones."""

    def build(field, totp):
        return make_app(INSTANCE_PATH=str(tmp_path / "instance"), FIELD_KEY=field, TOTP_KEY=totp, SMTP_HOST="", **OTHERS)

    return build


def _rotate(app):
    result = app.test_cli_runner().invoke(args=["keys", "rotate"])
    assert "Traceback" not in result.output
    return result


def _seed(app):
    """One of every encrypted thing, made through the app's own code."""
    with app.test_request_context():
        user = factories.make_user(roles=("management",))
        pending = factories.make_user(roles=("service",), totp=False)
        pending_secret = auth.new_totp_secret()
        User.update(totp_pending=auth.seal_totp(pending, pending_secret, "totp_pending")).where(User.id == pending.id).execute()
        client = factories.make_client(user, name="Jorge Iván Ospina", document_number="1020304050")
        with transaction():
            client.set_sensitive("Tratamiento oncológico en curso")
            client.save()
        case = factories.make_case(client=client, responsible=user)
        case_service.save_planning(case, {"legal_analysis": "Despido sin justa causa probado.",
                                          "strategy": "Conciliar antes de demandar."}, user)
        with transaction():
            note = Interaction.create(client=client, occurred_at=client.created_at, confidential=True)
            note.set_summary("El cliente reconoce la deuda en privado.")
            note.save()
        incident = crisis.open_incident(client, user)
        crisis.save_record(incident, crisis.Record("Gritos en recepción.", ["solution"], "Reembolso parcial.", False), user)
        with transaction():
            message = mail.queue("jorge@correo.test", "Active su cuenta", "mail/activation",
                                 user=SimpleNamespace(display_name="Jorge"), link="https://traza.example.test/activar/x", hours=24)
            stored = files.save(PDF, "application/pdf", "poder.pdf", "document", user)
    return SimpleNamespace(user=user, pending=pending, pending_secret=pending_secret, client=client.id, case=case.id,
                           note=note.id, incident=incident.id, message=message.id, file=stored.id)


def _reads_everything(app, seeded):
    with app.test_request_context():
        client = Client.get_by_id(seeded.client)
        assert client.reveal_document() == "1020304050"
        assert client.reveal_sensitive() == "Tratamiento oncológico en curso"
        case = Case.get_by_id(seeded.case)
        assert case.reveal("legal_analysis") == "Despido sin justa causa probado."
        assert case.reveal("strategy") == "Conciliar antes de demandar."
        assert Interaction.get_by_id(seeded.note).reveal_summary() == "El cliente reconoce la deuda en privado."
        incident = CrisisIncident.get_by_id(seeded.incident)
        assert (incident.reveal("behaviour"), incident.reveal("solution")) == ("Gritos en recepción.", "Reembolso parcial.")
        message = OutboundEmail.get_by_id(seeded.message)
        assert "activar/x" in json.loads(crypto.keys.field.decrypt(message.body, mail._context(message)))["text"]
        assert files.read(StoredFile.get_by_id(seeded.file)) == PDF
        assert auth.open_totp(User.get_by_id(seeded.pending.id), "totp_pending") == seeded.pending_secret
        assert keycheck.mismatched() == []


def test_e3_rotate_then_remove_the_old_key_and_everything_still_reads(with_keys):
    old = with_keys(f"k1:{K1}", f"t1:{T1}")
    seeded = _seed(old)

    both = with_keys(f"k2:{K2};k1:{K1}", f"t2:{T2};t1:{T1}")
    result = _rotate(both)
    assert result.exit_code == 0, result.output
    for line in ("client.document_number: 1 re-cifrados", "client.sensitive_data: 1 re-cifrados",
                 "legal_case.strategy: 1 re-cifrados", "interaction.summary: 1 re-cifrados",
                 "crisis_incident.behaviour: 1 re-cifrados", "outbound_email.body: 1 re-cifrados",
                 "app_user.totp_secret: 1 re-cifrados", "app_user.totp_pending: 1 re-cifrados", "archivos: 1 re-cifrados"):
        assert line in result.output
    assert "Rotación terminada" in result.output
    with both.app_context():
        event = AuditEvent.select().where(AuditEvent.action == "keys_rotate").get()
        assert "client.document_number=1" in event.detail and "archivos=1" in event.detail
        assert "1020304050" not in event.detail

    only_new = with_keys(f"k2:{K2}", f"t2:{T2}")
    _reads_everything(only_new, seeded)
    with only_new.app_context():
        assert key_rotation.leftovers() == {}
        stored = StoredFile.get_by_id(seeded.file)
        assert (files._directory() / stored.storage_name).read_bytes()[1:3] == b"k2"
        assert audit.verify_chain() is None
    factories.sign_in(only_new.test_client(), seeded.user)  # the TOTP secret opens under t2 alone


def test_e3_rotation_is_resumable_and_only_touches_values_under_an_old_key(with_keys):
    old = with_keys(f"k1:{K1}", f"t1:{T1}")
    seeded = _seed(old)
    both = with_keys(f"k2:{K2};k1:{K1}", f"t2:{T2};t1:{T1}")
    assert _rotate(both).exit_code == 0

    again = _rotate(both)
    assert again.exit_code == 0 and "client.document_number: 0 re-cifrados" in again.output
    assert "archivos: 0 re-cifrados" in again.output

    # A host still on the old setting (k1 first) writes one more value: the next run moves only that one.
    stale = with_keys(f"k1:{K1};k2:{K2}", f"t1:{T1};t2:{T2}")
    with stale.test_request_context():
        late = factories.make_client(seeded.user, name="Camila Duarte", document_number="99887766", email="camila@correo.test",
                                     phone="+573009998877")
    both = with_keys(f"k2:{K2};k1:{K1}", f"t2:{T2};t1:{T1}")
    third = _rotate(both)
    assert third.exit_code == 0
    assert "client.document_number: 1 re-cifrados" in third.output and "client.sensitive_data: 0 re-cifrados" in third.output
    with both.app_context():
        assert AuditEvent.select().where(AuditEvent.action == "keys_rotate").count() == 2  # a run with nothing to do is silent
    only_new = with_keys(f"k2:{K2}", f"t2:{T2}")
    with only_new.app_context():
        assert Client.get_by_id(late.id).reveal_document() == "99887766"


def test_e3_a_value_no_configured_key_opens_stops_the_rotation_in_one_line(with_keys):
    with_keys(f"k1:{K1}", f"t1:{T1}")  # the database's key check is made under k1
    lost = with_keys(f"k0:{_new_key()};k1:{K1}", f"t1:{T1}")  # k0 is later lost
    with lost.test_request_context():
        user = factories.make_user()
        factories.make_client(user, name="Lucía Herrera", document_number="11223344")
    both = with_keys(f"k2:{K2};k1:{K1}", f"t2:{T2};t1:{T1}")
    result = _rotate(both)
    assert result.exit_code == 1
    assert "no se pudieron descifrar" in result.output and "client.document_number (1)" in result.output
    assert "no retire" in result.output


def test_e3_a_ciphertext_under_an_old_key_in_a_column_rotation_does_not_know_is_reported(with_keys):
    old = with_keys(f"k1:{K1}", f"t1:{T1}")
    with old.test_request_context():
        user = factories.make_user()
        client = factories.make_client(user, name="Pedro Salazar", document_number="55667788")
        Client.update(special_requirements=crypto.keys.field.encrypt("x", "client|special_requirements|1")).where(
            Client.id == client.id).execute()
    both = with_keys(f"k2:{K2};k1:{K1}", f"t2:{T2};t1:{T1}")
    result = _rotate(both)
    assert result.exit_code == 1
    assert "client.special_requirements (1)" in result.output


def test_e3_keys_new_prints_a_dated_key_id_and_key_to_prepend(with_keys):
    import re

    app = with_keys(f"k1:{K1}", f"t1:{T1}")
    result = app.test_cli_runner().invoke(args=["keys", "new", "field"])
    assert result.exit_code == 0
    (kid, key), = crypto.parse_keys(result.stdout.strip())
    assert re.fullmatch(r"k\d{8}-[0-9a-f]{4}", kid) and len(key) == 32
    assert "TRAZA_FIELD_KEY" in result.stderr and "flask keys rotate" in result.stderr

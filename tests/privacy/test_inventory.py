"""The inventory of databases (issue 19 item 7): each register of personal data is generated from the models (its
personal, encrypted and client-referring columns), the role → permission table (who reads it), the database (how
many people it holds) and the settings (retention); a model holding personal data outside every register fails
here; the page costs the same queries whatever the records, and the spreadsheet carries one row per register."""

import io

import pytest
from openpyxl import load_workbook
from peewee import CharField, ForeignKeyField, Model, TextField
from playhouse.test_utils import count_queries

from core.guard import PERMISSIONS, ROLES
from models import ALL_MODELS
from models.clients import Client
from services import clients as client_service
from services.privacy import inventory as service
from tests.factories import make_client, make_notice

pytestmark = pytest.mark.usefixtures("clock")


def _party(name):
    return {"kind": "counterparty", "name": name, "document_type": "", "document_number": ""}


def _row(rows, key):
    return next(r for r in rows if r["key"] == key)


def test_every_model_holding_personal_data_is_in_a_register(app):
    with app.test_request_context():
        assert service.unregistered() == []
        listed = {t for r in service.REGISTERS for t in r.tables}
        # the core registers' tables are real tables of the data model
        names = {m._meta.table_name for m in ALL_MODELS}
        assert {"client", "party", "app_user", "survey_response", "consent", "legal_case"} <= names & listed


def test_a_new_table_of_personal_data_outside_every_register_is_named(app):
    class Witness(Model):  # an email, a name and a reference to a client: three reasons, each enough alone
        email = CharField()

    class Relative(Model):
        client = ForeignKeyField(Client)

    class Nickname(Model):
        full_name = CharField()

    class Note(Model):  # nothing personal by its columns
        text = TextField()

    Witness._meta.table_name, Relative._meta.table_name = "witness", "relative"
    Nickname._meta.table_name, Note._meta.table_name = "nickname", "note"
    with app.test_request_context():
        assert service.unregistered([*ALL_MODELS, Witness, Relative, Nickname, Note]) == ["nickname", "relative",
                                                                                           "witness"]


def test_columns_come_from_the_models_and_the_encrypted_columns(app):
    with app.test_request_context():
        rows = service.inventory()
    clients = {t["table"]: t for t in _row(rows, "clients")["tables"]}
    assert clients["client"]["encrypted"] == ["document_number", "sensitive_data"]
    assert {"name", "email", "phone", "phone_alt", "address"} <= set(clients["client"]["personal"])
    assert "document_number" not in clients["client"]["personal"]
    assert set(clients["legal_case"]["encrypted"]) == {"legal_analysis", "strategy"}
    assert clients["interaction"]["client"] == ["client"]
    staff = {t["table"]: t for t in _row(rows, "staff")["tables"]}
    assert staff["app_user"]["encrypted"] == ["totp_secret", "totp_pending"]
    assert {"ip", "user_agent"} <= set(staff["user_session"]["personal"])


def test_who_has_access_comes_from_the_permission_table(app, monkeypatch):
    with app.test_request_context():
        rows = service.inventory()
        assert _row(rows, "clients")["access"]["read"] == [r for r in ROLES if "clients.view" in PERMISSIONS[r]]
        assert "admin" not in _row(rows, "clients")["access"]["read"]  # no client data for the administrator
        assert _row(rows, "staff")["access"]["read"] == ["admin", "management", "quality"]
        # a role given the permission reads the register at once
        monkeypatch.setitem(PERMISSIONS, "admin", PERMISSIONS["admin"] | {"clients.reveal"})
        assert "admin" in _row(service.inventory(), "clients")["access"]["confidential"]


def test_counts_come_from_the_database(app, firm_today):
    with app.test_request_context():
        make_notice()
        first = make_client(name="Ana Subscriptora", email="ana@correo.test", counterparties=[_party("Empresa Contraria S.A.S.")])
        second = make_client(name="Beto Retirado", email="beto@correo.test", document_number="79000111")
        before = {r["key"]: r["count"] for r in service.inventory()}
        for client in (first, second):
            client_service.record_consent(client, ["newsletter"], "written", firm_today, "", None)
        client_service.withdraw_consent(second, "newsletter", "written", firm_today, None)
        after = {r["key"]: r["count"] for r in service.inventory()}
    assert after["newsletter"] == before["newsletter"] + 1  # the withdrawal counts no more
    assert after["clients"] == Client.select().count() and after["clients"] >= 2
    assert after["parties"] >= 1


def test_retention_reads_the_setting_or_says_none_is_defined(app):
    with app.test_request_context():
        app.config["RETENTION"] = "former_client=7,contract=12"
        rows = service.inventory()
        staff, clients = _row(rows, "staff")["retention"], _row(rows, "clients")["retention"]
        assert staff == ["sin plazo definido"]
        if service._retention_years():  # the retention settings are there: the register shows the setting's years
            assert "Antiguos clientes: 7 años" in clients and "Contratos: 12 años" in clients
        assert service.retention("clients", {}) == ["sin plazo definido"]
        assert service.retention("clients", {"former_client": 1}) == ["Antiguos clientes: 1 año"]


def test_the_page_for_management_and_quality(app, http, login_as):
    login_as("quality")
    html = http.get("/privacidad/inventario").get_data(as_text=True)
    for key in ("clients", "parties", "staff", "survey_respondents", "newsletter"):
        assert f'data-testid="register-{key}"' in html
    assert "Ley 1581" in html and "document_number" in html and "Inventario de bases de datos" in html
    assert "Finalidad" in html and "quotation_line" in html.split('data-testid="register-through"')[1]
    assert 'href="/privacidad/inventario.xlsx"' in html and "data-print" in html
    assert 'data-testid="inventory-unregistered"' not in html


@pytest.mark.parametrize("role", ["commercial", "operations", "service", "admin"])
def test_others_may_not_see_it(http, login_as, role):
    login_as(role)
    assert http.get("/privacidad/inventario").status_code == 403
    assert http.get("/privacidad/inventario.xlsx").status_code == 403


def test_the_spreadsheet_has_one_row_per_register(app, http, login_as):
    login_as("management")
    response = http.get("/privacidad/inventario.xlsx")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Base de datos" and len(rows) == 1 + len(service.REGISTERS)
    clients = next(r for r in rows if r[0] == "Clientes")
    assert isinstance(clients[2], int) and "client: document_number, sensitive_data" in clients[6]
    assert "Gerencia General" in clients[8] and "Administración del sistema" not in clients[8]


def test_the_page_costs_the_same_queries_whatever_the_records(app, http, login_as, firm_today):
    login_as("management")
    http.get("/privacidad/inventario")
    with count_queries() as few:
        assert http.get("/privacidad/inventario").status_code == 200
    with app.test_request_context():
        make_notice()
        for i in range(4):
            client = make_client(name=f"Cliente {i}", email=f"c{i}@correo.test", document_number=f"1000{i}",
                                 counterparties=[_party(f"Contraparte {i}")])
            client_service.record_consent(client, ["newsletter"], "written", firm_today, "", None)
    with count_queries() as many:
        assert http.get("/privacidad/inventario").status_code == 200
    assert few.count == many.count

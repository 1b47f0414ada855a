"""Form validation a new user met (issue 11): an empty optional field must still run the checks that concern
it (no inline validator behind Optional() that should have run, no attribute a validator leaves for the route),
numbers of hundreds of digits are refused beside the field instead of overflowing, and a failure of ours on a
write says plainly whether what was sent was kept."""

import importlib
import inspect
import json
import pkgutil
from datetime import timedelta

import pytest
import wtforms
from werkzeug.datastructures import MultiDict
from wtforms.fields.core import UnboundField
from wtforms.validators import DataRequired, InputRequired

import blueprints
from core import forms as kit
from core.db import transaction, utcnow
from core.i18n import to_local
from models.clients import Client, Party
from tests.factories import make_area, make_case, make_client

HUGE = "9" * 309  # the smallest integer whose float() overflows
TOO_LONG = "Escribe un número más corto."


def _form_classes():
    """Every form class the blueprints define (FlaskForms and the sub-forms of their lists)."""
    for module in pkgutil.walk_packages(blueprints.__path__, blueprints.__name__ + "."):
        importlib.import_module(module.name)
    seen, todo = [], [wtforms.Form]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith(blueprints.__name__ + "."):
                seen.append(sub)
    return sorted(set(seen), key=lambda c: (c.__module__, c.__name__))


def _number_forms():
    """One param per form with number fields: (form class, names of those fields)."""
    for cls in _form_classes():
        names = [name for name, value in inspect.getmembers(cls, lambda v: isinstance(v, UnboundField))
                 if issubclass(value.field_class, (wtforms.IntegerField, wtforms.DecimalField))]
        if names:
            yield pytest.param(cls, names, id=f"{cls.__module__.split('.', 1)[1]}.{cls.__name__}")


NUMBER_FORMS = list(_number_forms())


def _bound(app, cls, data):
    """The form bound to ``data`` (no CSRF: these tests check fields, not the token)."""
    return cls(formdata=MultiDict(data), meta={"csrf": False})


def _field_errors(form, name):
    """Validate one field as Form.validate() does (with its inline validate_<name>) and return its errors."""
    field = form[name]
    inline = getattr(type(form), f"validate_{name}", None)
    field.validate(form, [inline] if inline else [])
    return [str(e) for e in field.errors]


def test_the_number_fields_are_found():
    # durations, days, year, client id, SLA days, crisis step, budget, quotation lines, contract months
    assert len(NUMBER_FORMS) >= 11


@pytest.mark.parametrize("cls, names", NUMBER_FORMS)
def test_a_number_of_hundreds_of_digits_is_refused_beside_the_field(app, cls, names):
    with app.test_request_context():
        for name in names:
            field_class = getattr(cls, name).field_class
            assert issubclass(field_class, (kit.IntegerField, kit.DecimalField)), (
                f"{cls.__name__}.{name}: import IntegerField/DecimalField from core.forms")
            for typed in (HUGE, "-" + HUGE, "1" + "0" * 18):
                assert _field_errors(_bound(app, cls, {name: typed}), name) == [TOO_LONG], (name, typed)


def _required(cls, name):
    return any(isinstance(v, DataRequired | InputRequired) for v in getattr(cls, name).kwargs.get("validators", ()))


@pytest.mark.parametrize("cls, names", NUMBER_FORMS)
def test_a_blank_number_is_left_to_optional_or_asked_for_and_garbage_is_said_in_spanish(app, cls, names):
    with app.test_request_context():
        for name in names:
            blank = _field_errors(_bound(app, cls, {name: "  "}), name)
            assert len(blank) == _required(cls, name) and "Escribe un número" not in " ".join(blank), (name, blank)
            whole = issubclass(getattr(cls, name).field_class, wtforms.IntegerField)
            assert _field_errors(_bound(app, cls, {name: "doce"}), name) == [
                "Escribe un número entero." if whole else "Escribe un número."], name


@pytest.mark.parametrize("cls, names", [p for p in NUMBER_FORMS if any(
    issubclass(getattr(p.values[0], n).field_class, wtforms.DecimalField) for n in p.values[1])])
def test_amounts_refuse_what_is_no_number_without_breaking_the_page(app, cls, names):
    with app.test_request_context():
        for name in names:
            for typed in ("NaN", "sNaN", "-Infinity", "1e400", "1e-400"):
                form = _bound(app, cls, {name: typed})
                assert _field_errors(form, name), (name, typed)
                assert form[name]._value() == typed  # the page shows what was typed, beside the message
            assert _field_errors(_bound(app, cls, {name: "12.5"}), name) == [], name


def _local(app, delta):
    with app.app_context():
        return to_local(utcnow() + delta)


def test_meeting_with_a_huge_duration_is_refused_beside_the_field(app, http, login_as):
    me = login_as("commercial")
    with app.test_request_context():
        client = make_client(responsible=me.id)
    when = _local(app, timedelta(days=5))
    response = http.post(f"/interacciones/clientes/{client.id}/reuniones/nueva", data={
        "agenda": "Revisar la estrategia.", "starts_on": when.date().isoformat(), "starts_time": "10:00",
        "duration_minutes": HUGE, "channel": "video", "location": "https://meet.example.test/abc", "case": "0"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="duration_minutes-error">{TOO_LONG}</p>' in body


def test_deadline_counted_from_a_huge_number_of_days_is_refused_beside_the_field(app, http, login_as):
    me = login_as("operations")
    with app.test_request_context():
        case = make_case(responsible=me)
    response = http.post(f"/documentos/casos/{case.id}/plazos", data={
        "description": "Contestar la demanda", "kind": "procedural", "due_on": "", "due_time": "17:00",
        "alert_days": "7,1", "responsible": str(me.id), "count_days": HUGE, "count_from": "2026-12-04"})
    assert response.status_code == 422
    assert f'id="count_days-error">{TOO_LONG}</p>' in response.get_data(as_text=True)


# ----- inline validators that Optional() used to stop -----

def test_a_client_without_counterparties_is_registered(app, http, login_as):
    login_as("commercial")
    with app.app_context():
        area = make_area()
    form = {"kind": "person", "name": "Julián Andrés Pardo", "practice_area": str(area.id),
            "need": "Revisión de su liquidación laboral.", "counterparties": "", "country": "CO",
            "preferred_channel": "email", "source": "web"}
    checked = http.post("/clientes/nuevo", data=form)
    assert checked.status_code == 200 and 'name="confirm" type="hidden" value="1"' in checked.get_data(as_text=True)
    saved = http.post("/clientes/nuevo", data={**form, "confirm": "1"})
    assert saved.status_code == 303
    client = Client.get(Client.name == "Julián Andrés Pardo")
    assert not Party.select().where(Party.client == client.id).exists()


def test_counterparties_parse_from_the_field_whatever_ran(app):
    from blueprints.clients.forms import ClientForm

    with app.test_request_context():
        assert _bound(app, ClientForm, {}).parsed_counterparties == []
        form = _bound(app, ClientForm, {"counterparties": "Constructora Andina S.A.S.; NIT 900123456-8\n\n Ana Ruiz; related"})
        assert form.parsed_counterparties == [
            {"name": "Constructora Andina S.A.S.", "kind": "counterparty", "document_type": "NIT",
             "document_number": "9001234568"},
            {"name": "Ana Ruiz", "kind": "related", "document_type": "", "document_number": ""}]
        bad = _bound(app, ClientForm, {"counterparties": "Ana Ruiz\n; NIT 1"})
        assert _field_errors(bad, "counterparties") == ["Línea 2: escribe primero el nombre."]


def test_client_document_type_without_its_number_and_a_padded_email(app):
    from blueprints.clients.forms import ClientForm

    with app.test_request_context():
        form = _bound(app, ClientForm, {"kind": "person", "document_type": "CC", "document_number": "  ",
                                        "email": "  Maria.Rojas@Correo.TEST "})
        assert _field_errors(form, "document_number") == ["Introduce el número de documento o deja el tipo vacío."]
        assert _field_errors(form, "email") == [] and form.email.data == "maria.rojas@correo.test"


def test_a_document_beside_an_unknown_kind_of_client_is_no_crash(app):
    from blueprints.clients.forms import ClientForm

    with app.test_request_context():
        form = _bound(app, ClientForm, {"kind": "", "document_type": "NIT", "document_number": "900123456-8"})
        assert _field_errors(form, "document_number") == []
        assert _field_errors(form, "kind")  # said beside the kind


@pytest.mark.parametrize("module, cls, data, name, message", [
    ("cases.forms", "PlanningForm", {"budget_told_on": "2020-01-10", "budget_told_how": ""}, "budget_told_how",
     "Indica cómo se informó al cliente."),
    ("cases.forms", "ResolutionForm", {"explained_on": "2020-01-10", "explained_how": ""}, "explained_how",
     "Indica cómo se explicó la resolución."),
    ("cases.forms", "DeliveryForm", {"delivered_on": "2020-01-10", "delivered_how": ""}, "delivered_how",
     "Indica cómo se entregó."),
    ("complaints.crisis_forms", "RecordForm", {"actions": "solution", "solution": ""}, "solution",
     "Describe la solución concreta ofrecida (reembolso, cambio, compensación)."),
    ("surveys.forms", "QuestionForm", {"kind": "choice", "choices": ""}, "choices",
     "Indica al menos dos opciones, una por línea."),
])
def test_an_empty_field_still_gets_the_check_that_asks_for_it(app, module, cls, data, name, message):
    form_class = getattr(__import__(f"blueprints.{module}", fromlist=[cls]), cls)
    with app.test_request_context():
        assert _field_errors(_bound(app, form_class, data), name) == [message]


# ----- a failure of ours on a write -----

NOT_SAVED = "No se guardó lo que enviaste: vuelve a intentarlo; si se repite, avisa al administrador."
MAYBE_SAVED = "Puede que parte de lo que enviaste se haya guardado"


@pytest.fixture
def broken(app):
    """Two routes that fail after the form arrived: one before writing, one after a write committed."""

    def fail_before():
        raise RuntimeError("a bug of ours")

    def fail_after():
        with transaction():
            Client.update(city="Cali").where(Client.id == 0).execute()
        raise RuntimeError("a bug of ours, after the commit")

    for view in (fail_before, fail_after):
        view._public = True
        app.add_url_rule(f"/__{view.__name__}", view.__name__, view, methods=["GET", "POST"])
    return app


def _toast(response):
    return json.loads(response.headers["HX-Trigger"])["toast"][0]["message"]


@pytest.mark.parametrize("htmx", [False, True])
def test_a_failed_write_says_what_was_sent_was_not_saved(broken, htmx):
    http = broken.test_client()
    headers = {"HX-Request": "true"} if htmx else {}
    response = http.post("/__fail_before", data={"name": "x"}, headers=headers)
    assert response.status_code == 500
    if htmx:
        assert response.get_data() == b"" and _toast(response) == NOT_SAVED
    else:
        body = response.get_data(as_text=True)
        assert "Algo falló por nuestra parte" in body and NOT_SAVED in body


@pytest.mark.parametrize("htmx", [False, True])
def test_a_failure_after_a_commit_does_not_claim_nothing_was_saved(broken, htmx):
    http = broken.test_client()
    headers = {"HX-Request": "true"} if htmx else {}
    response = http.post("/__fail_after", data={"name": "x"}, headers=headers)
    shown = _toast(response) if htmx else response.get_data(as_text=True)
    assert response.status_code == 500 and MAYBE_SAVED in shown and NOT_SAVED not in shown


def test_a_failed_page_read_says_nothing_about_saving(broken):
    body = broken.test_client().get("/__fail_before").get_data(as_text=True)
    assert "El error quedó registrado" in body and "guardó" not in body and "guardado" not in body


# ----- what the garbage-posting test (tests/test_form_fuzz.py) found -----

def test_a_practice_area_posted_without_its_description_is_added(app, http, login_as):
    login_as("admin")
    response = http.post("/admin/areas", data={"name": "Derecho minero"})  # a client that leaves the box out
    assert response.status_code == 303
    from models.catalog import PracticeArea

    assert PracticeArea.get(PracticeArea.name == "Derecho minero").description == ""


@pytest.mark.parametrize("content, shown", [
    (b"nombre;correo\rAna Ruiz;ana@correo.test\rBeto Paz;beto@correo.test", "Beto Paz"),  # old Mac line endings
    (b"nombre;correo\r\n" + b"x" * 140_000 + b";a@b.test\r\n", "No se pudo leer este archivo como CSV."),
])
def test_an_import_file_the_csv_module_chokes_on_is_read_or_refused_beside_the_field(app, http, login_as,
                                                                                     content, shown):
    import io

    login_as("commercial")
    response = http.post("/clientes/importar", data={"file": (io.BytesIO(content), "clientes.csv")})
    assert response.status_code in (200, 422) and shown in response.get_data(as_text=True)

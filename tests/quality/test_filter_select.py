"""The indicators' filter selects keep their written options (core.forms.SameOptions): the markup must be WTForms'
own, byte for byte, with the chosen option selected and every label and value escaped, the first time and after."""

from werkzeug.datastructures import MultiDict
from wtforms import Form, SelectField
from wtforms.widgets import Select

from core.forms import SameOptions, int_or_zero

PEOPLE = [(0, "Cualquiera"), (5, 'Ana "la <b>jefa</b>" & Cía'), (7, "Luis Pérez"), (9, "Ñ'o")]
KINDS = [("", "Ambos"), ("person", "Persona"), ("company", "Empresa <S.A.S.>")]


def _form(widget):
    class Filters(Form):
        responsable = SelectField("Responsable", coerce=int_or_zero, choices=PEOPLE, widget=widget)
        tipo = SelectField("Tipo", choices=KINDS, widget=widget)

    return Filters


def test_the_filters_write_what_wtforms_writes():
    kept = _form(SameOptions())
    for data in ({}, {"responsable": "5", "tipo": "company"}, {"responsable": "nada", "tipo": "otro"}, {}):
        ours, theirs = kept(MultiDict(data)), _form(Select())(MultiDict(data))
        for name in ("responsable", "tipo"):
            html = str(ours[name](class_="input", **{"aria-describedby": "x-help"}))
            assert html == str(theirs[name](class_="input", **{"aria-describedby": "x-help"}))
            assert "<b>" not in html and "<S.A.S.>" not in html
    chosen = str(kept(MultiDict({"responsable": "7"}))["responsable"](class_="input"))
    assert '<option selected value="7">Luis Pérez</option>' in chosen

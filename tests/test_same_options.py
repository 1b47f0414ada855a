"""core.forms.SameOptions writes a long list of options once and marks the chosen one per view: what it writes is
what WTForms' own Select writes, for every choice, none, and values that need escaping."""

import pytest
from wtforms import Form, SelectField
from wtforms.validators import Optional

from core.forms import SameOptions

CHOICES = [("", "Todos los eventos"), ("login_success", "Inicio de sesión"), ('a"b', "Comillas \" y <b>"),
           ("x&y", "Y & o")]


class Plain(Form):
    action = SelectField("Evento", validators=[Optional()], choices=[])


class Kept(Form):
    action = SelectField("Evento", validators=[Optional()], choices=[], widget=SameOptions())


@pytest.mark.parametrize("chosen", [None, "", "login_success", 'a"b', "x&y", "not-a-choice"])
def test_the_same_markup_as_wtforms_select_for_each_choice(chosen):
    for _ in range(2):  # written, then kept
        data = {} if chosen is None else {"action": chosen}
        plain, kept = Plain(data=data), Kept(data=data)
        plain.action.choices = kept.action.choices = list(CHOICES)
        assert str(kept.action(class_="input")) == str(plain.action(class_="input"))
        assert str(kept.action()).count("selected") == (chosen in dict(CHOICES))


def test_another_list_is_written_on_its_own():
    english, spanish = Kept(data={"action": "login_success"}), Kept(data={"action": "login_success"})
    english.action.choices = [("", "All events"), ("login_success", "Signed in")]
    spanish.action.choices = list(CHOICES)
    assert "Signed in" in str(english.action()) and "Signed in" not in str(spanish.action())


def test_past_the_lists_it_keeps_it_writes_them_again():
    widget = SameOptions()
    for n in range(SameOptions.KEPT + 3):
        form = Kept(data={"action": "b"})
        form.action.widget = widget
        form.action.choices = [("a", f"Uno {n}"), ("b", f"Dos {n}")]
        assert str(form.action()) == f'<select id="action" name="action"><option value="a">Uno {n}</option>' \
                                     f'<option selected value="b">Dos {n}</option></select>'
    assert len(widget._written) <= SameOptions.KEPT

"""Form pieces every blueprint shares: number fields that refuse what no person types, a text filter, the
plain email pattern, a list of checkboxes, a long list of options written once, and the CSRF-only form of a
state-changing button.

A number of hundreds of digits is not a count or an amount: WTForms would take it, and its ``NumberRange``
then overflows turning it into a float (a 500), a quantity's display overflows its quantization, and an id
overflows a 64-bit column. These fields refuse more than ``MAX_DIGITS`` digits, and NaN or infinity, with a
message beside the field, and stop that field's other checks (a range message about a number that was not
taken would only confuse). Forms import ``IntegerField`` and ``DecimalField`` from here, never from wtforms
(tests/test_form_validation.py holds every form to it).
"""

from decimal import Decimal

import wtforms
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms.validators import StopValidation
from wtforms.widgets import CheckboxInput, ListWidget, html_params

from core.i18n import lazy_gettext as _l

MAX_DIGITS = 18  # any amount, count or row id the firm types fits; 19 digits may pass a 64-bit column
TOO_LONG = _l("Write a shorter number.")
NOT_WHOLE = _l("Write a whole number.")
NOT_NUMBER = _l("Write a number.")

# Deliberately plain: firms use internal domains (.local, .test) that strict validators refuse.
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class CheckboxList(wtforms.SelectMultipleField):
    """A multiple choice shown as a list of checkboxes (the field macro draws it as a fieldset)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SameOptions:
    """The widget of a single-choice ``SelectField`` whose long list of options is the same on every view (the audit
    log's 176 kinds of event and object, in the reader's language): the options are written once per list and only
    the chosen one is marked on each view. WTForms wrote every option's attributes again each time, a tenth of the
    log's time. What it writes is what WTForms' ``Select`` writes."""

    KEPT = 32  # lists kept (a few filters × languages); past that all are written again

    def __init__(self):
        self._written: dict[tuple, str] = {}

    def __call__(self, field, **kwargs):
        choices = tuple((str(value), str(label)) for value, label in field.choices)
        options = self._written.get(choices)
        if options is None:
            options = "".join(f'<option value="{escape(value)}">{escape(label)}</option>' for value, label in choices)
            if len(self._written) >= self.KEPT:
                self._written.clear()  # one step, safe beside another thread's read
            self._written[choices] = options
        if field.data is not None:
            chosen = f'<option value="{escape(str(field.data))}">'
            options = options.replace(chosen, chosen.replace("<option ", "<option selected ", 1), 1)
        kwargs.setdefault("id", field.id)
        return Markup(f"<select {html_params(name=field.name, **kwargs)}>{options}</select>")  # noqa: S704 (escaped above)


class ActionForm(FlaskForm):
    """A button that changes state: the form exists for its CSRF token."""


def staff_groups(suggested) -> dict:
    """A person picker's options: the people suggested (a case's team, the one writing), then an empty group that
    the search under the picker fills (the ``staff_picker`` macro and ``/casos/personal``)."""
    from flask_babel import gettext as _

    return {_("Suggested"): list(suggested), _("Found by the search"): []}


def stripped(value):
    """A filter for text fields: what was typed, without surrounding spaces; a field the form did not send
    is empty text (never None, which a route's ``.strip()`` would trip on)."""
    if value is None:
        return ""
    return value.strip() if isinstance(value, str) else value


def _digits(text) -> int:
    return sum(ch.isdigit() for ch in text) if isinstance(text, str) else 0


class _Capped:
    """Our own messages (also inside sub-forms, which WTForms leaves untranslated), and a number that was not
    taken ends its field's checks: a range message about it would only confuse. A blank one goes on to the
    chain as before, where Optional() clears its error or DataRequired() says its own."""

    def _typed(self, valuelist):
        """Spaces alone are nothing typed, for InputRequired() too; more than MAX_DIGITS digits is refused."""
        if valuelist and isinstance(valuelist[0], str) and not valuelist[0].strip():
            self.raw_data = valuelist = [""]
        if valuelist and _digits(valuelist[0]) > MAX_DIGITS:
            self.data = None
            raise ValueError(TOO_LONG)
        return valuelist

    def pre_validate(self, form):
        if self.process_errors and self.raw_data and self.raw_data[0]:
            raise StopValidation()
        super().pre_validate(form)


class IntegerField(_Capped, wtforms.IntegerField):
    """A whole number of at most ``MAX_DIGITS`` digits."""

    def process_formdata(self, valuelist):
        valuelist = self._typed(valuelist)
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(NOT_WHOLE) from None


class DecimalField(_Capped, wtforms.DecimalField):
    """A finite decimal whose whole part has at most ``MAX_DIGITS`` digits (``1e400`` counts as 401)."""

    def process_formdata(self, valuelist):
        valuelist = self._typed(valuelist)
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(NOT_NUMBER) from None
        value = self.data
        if isinstance(value, Decimal) and not value.is_finite():
            self.data = None
            raise ValueError(NOT_NUMBER)
        if isinstance(value, Decimal) and not value.is_zero() and not -MAX_DIGITS <= value.adjusted() < MAX_DIGITS:
            self.data = None
            raise ValueError(TOO_LONG)


def int_or_zero(value) -> int:
    """A select's id from a query string: 0 ("any") for what is not a number."""
    try:
        return int(value) if value else 0
    except (TypeError, ValueError):
        return 0


class PeriodFilterForm(FlaskForm):
    """The filters a figures page starts from (GET, no CSRF: they change nothing): a period, a practice area
    and a responsible; a page adds its own (the survey, the client kind)."""

    class Meta:
        csrf = False

    desde = wtforms.DateField(_l("From"), validators=[wtforms.validators.Optional()])
    hasta = wtforms.DateField(_l("To"), validators=[wtforms.validators.Optional()])
    area = wtforms.SelectField(_l("Practice area"), coerce=int_or_zero, validators=[wtforms.validators.Optional()],
                               validate_choice=False)
    responsable = wtforms.SelectField(_l("Responsible"), coerce=int_or_zero,
                                      validators=[wtforms.validators.Optional()], validate_choice=False)

"""The indicators' period and filters (GET, no CSRF: they change nothing)."""

from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from core.forms import DecimalField, PeriodFilterForm, SameOptions, int_or_zero
from core.i18n import lazy_gettext as _l


class IndicatorFilterForm(PeriodFilterForm):
    """The responsible filter lists everyone responsible for a client (over a thousand at full size): its options
    are written once per list (core.forms.SameOptions), not per view."""

    area = SelectField(_l("Practice area"), coerce=int_or_zero, validators=[Optional()], validate_choice=False,
                       widget=SameOptions())
    responsable = SelectField(_l("Responsible"), coerce=int_or_zero, validators=[Optional()], validate_choice=False,
                              widget=SameOptions())
    tipo = SelectField(_l("Client kind"), validators=[Optional()], validate_choice=False, widget=SameOptions())


class TargetForm(FlaskForm):
    """An indicator's target: the value to reach and who answers for it."""

    target = DecimalField(_l("Target"), places=None,
                          validators=[InputRequired(message=_l("Write the value to reach.")),
                                      NumberRange(min=-100, max=10000, message=_l("Write a value between -100 and 10000."))])
    owner = SelectField(_l("Owner"), coerce=int_or_zero,
                        validators=[DataRequired(message=_l("Choose who answers for the target."))])

"""The indicators' period and filters (GET, no CSRF: they change nothing)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, SelectField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional


def _int_or_zero(value):
    try:
        return int(value) if value else 0
    except (TypeError, ValueError):
        return 0


class IndicatorFilterForm(FlaskForm):
    class Meta:
        csrf = False

    desde = DateField(_l("From"), validators=[Optional()])
    hasta = DateField(_l("To"), validators=[Optional()])
    area = SelectField(_l("Practice area"), coerce=_int_or_zero, validators=[Optional()], validate_choice=False)
    responsable = SelectField(_l("Responsible"), coerce=_int_or_zero, validators=[Optional()], validate_choice=False)
    tipo = SelectField(_l("Client kind"), validators=[Optional()], validate_choice=False)


class TargetForm(FlaskForm):
    """An indicator's target: the value to reach and who answers for it."""

    target = DecimalField(_l("Target"), places=None,
                          validators=[InputRequired(message=_l("Write the value to reach.")),
                                      NumberRange(min=-100, max=10000, message=_l("Write a value between -100 and 10000."))])
    owner = SelectField(_l("Owner"), coerce=_int_or_zero,
                        validators=[DataRequired(message=_l("Choose who answers for the target."))])

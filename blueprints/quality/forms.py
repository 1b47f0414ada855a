"""The indicators' period and filters (GET, no CSRF: they change nothing)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.validators import Optional


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

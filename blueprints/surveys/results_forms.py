"""The filters of the satisfaction record (GET, no CSRF: they change nothing)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.validators import Optional


def _int_or_zero(value):
    try:
        return int(value) if value else 0
    except (TypeError, ValueError):
        return 0


class ResultsFilterForm(FlaskForm):
    class Meta:
        csrf = False

    desde = DateField(_l("From"), validators=[Optional()])
    hasta = DateField(_l("To"), validators=[Optional()])
    area = SelectField(_l("Practice area"), coerce=_int_or_zero, validators=[Optional()], validate_choice=False)
    responsable = SelectField(_l("Responsible"), coerce=_int_or_zero, validators=[Optional()], validate_choice=False)
    encuesta = SelectField(_l("Survey"), coerce=_int_or_zero, validators=[Optional()], validate_choice=False)

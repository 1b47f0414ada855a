"""The filters of the satisfaction record (GET, no CSRF: they change nothing)."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import Optional

from core.forms import PeriodFilterForm, int_or_zero


class ResultsFilterForm(PeriodFilterForm):
    encuesta = SelectField(_l("Survey"), coerce=int_or_zero, validators=[Optional()], validate_choice=False)

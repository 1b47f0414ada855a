"""The filters of the satisfaction record (GET, no CSRF: they change nothing)."""

from wtforms import SelectField
from wtforms.validators import Optional

from core.forms import PeriodFilterForm, int_or_zero
from core.i18n import lazy_gettext as _l


class ResultsFilterForm(PeriodFilterForm):
    encuesta = SelectField(_l("Survey"), coerce=int_or_zero, validators=[Optional()], validate_choice=False)

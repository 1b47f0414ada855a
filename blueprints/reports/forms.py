from flask_wtf import FlaskForm
from wtforms import DateField, ValidationError
from wtforms.validators import Optional

from core.forms import CheckboxList
from core.i18n import lazy_gettext as _l
from services.reports.labels import KINDS


class TraceFilterForm(FlaskForm):
    """The report's filters, read from the query string (a GET that changes nothing): the period and the kinds."""

    class Meta:
        csrf = False

    desde = DateField(_l("From"), validators=[Optional()])
    hasta = DateField(_l("To"), validators=[Optional()])
    tipos = CheckboxList(_l("Kinds of event"), choices=list(KINDS.items()), validators=[Optional()])

    def validate_hasta(self, field):
        if field.data and self.desde.data and field.data < self.desde.data:
            raise ValidationError(_l("The period must start on or before its end."))

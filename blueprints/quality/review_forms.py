"""Forms of the management review: its period and the texts of a draft, approving it."""

from flask_wtf import FlaskForm
from wtforms import DateField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from blueprints.quality.action_forms import plausible_date
from core.forms import stripped
from core.i18n import lazy_gettext as _l


def _text(label, rows=4):
    return TextAreaField(label, filters=[stripped], render_kw={"rows": rows},
                         validators=[Optional(), Length(max=8000)])


class ReviewForm(FlaskForm):
    period_start = DateField(_l("From"), validators=[DataRequired(message=_l("Give the first day of the period.")),
                                                     plausible_date])
    period_end = DateField(_l("To"), validators=[DataRequired(message=_l("Give the last day of the period.")),
                                                 plausible_date])
    procedure_changes = _text(_l("Changes to the procedures"), rows=3)
    conclusions = _text(_l("Conclusions"))
    opportunities = _text(_l("Opportunities for improvement"))
    resource_needs = _text(_l("Resource needs"), rows=3)
    decisions = _text(_l("Decisions"))

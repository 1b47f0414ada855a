from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from core.i18n import lazy_gettext as _l
from services.loyalty.labels import FOLLOW_UP_LABELS, OUTCOME_LABELS


class DecisionForm(FlaskForm):
    outcome = SelectField(_l("Outcome"), choices=list(OUTCOME_LABELS.items()),
                          validators=[DataRequired(message=_l("Choose the outcome."))])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(message=_l("Say why the contract is not renewed.")),
                                                     Length(min=3, max=2000, message=_l("Say why the contract is not renewed."))],
                           render_kw={"rows": 3})




class FollowUpForm(FlaskForm):
    outcome = SelectField(_l("Outcome"), choices=list(FOLLOW_UP_LABELS.items()),
                          validators=[DataRequired(message=_l("Choose the outcome."))])
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)], render_kw={"rows": 2})

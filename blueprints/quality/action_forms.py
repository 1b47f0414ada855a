"""Forms of the improvement actions: opening one, its analysis and plan, closing with the effectiveness check,
cancelling."""

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from core.forms import IntegerField, stripped
from core.i18n import lazy_gettext as _l
from services.quality import action_labels as labels

MIN_YEAR, MAX_YEAR = 1900, 2100  # beyond these a date is a typo


def plausible_date(form, field):
    if field.data and not (MIN_YEAR <= field.data.year <= MAX_YEAR):
        raise ValidationError(_l("That date is not possible."))


def _text(label, required_message=None, rows=3, max_length=8000):
    validators = [DataRequired(message=required_message)] if required_message else [Optional()]
    return TextAreaField(label, filters=[stripped], render_kw={"rows": rows},
                         validators=[*validators, Length(max=max_length)])


class ImprovementActionForm(FlaskForm):
    title = StringField(_l("Title"), filters=[stripped], validators=[
        DataRequired(message=_l("Give the action a title.")), Length(max=200)])
    source = SelectField(_l("Comes from"), choices=list(labels.ACTION_SOURCES.items()), default="manual")
    complaint = IntegerField(_l("Complaint"), default=0, validators=[Optional()])
    source_ref = StringField(_l("Which criterion, indicator or finding"), filters=[stripped],
                             validators=[Optional(), Length(max=200)])
    description = _text(_l("Problem or nonconformity"), _l("Describe the problem to solve."), rows=4)
    cause_analysis = _text(_l("Cause analysis"))
    owner = SelectField(_l("Owner"), coerce=int, validate_choice=True)
    due_on = DateField(_l("Due on"), validators=[DataRequired(message=_l("Choose the due day.")), plausible_date])


class PlanForm(FlaskForm):
    cause_analysis = _text(_l("Cause analysis"), rows=4)
    correction = _text(_l("Immediate correction"))
    corrective_action = _text(_l("Corrective action"))
    preventive_action = _text(_l("Preventive action"))
    owner = SelectField(_l("Owner"), coerce=int, validate_choice=True)
    due_on = DateField(_l("Due on"), validators=[DataRequired(message=_l("Choose the due day.")), plausible_date])


class CloseForm(FlaskForm):
    """Left lenient on purpose: the service says what is missing, beside each field."""

    effectiveness_check = _text(_l("Effectiveness check: the figure or evidence that shows it worked"), rows=4)
    verified_on = DateField(_l("Verified on"), validators=[Optional(), plausible_date])
    verified_by = SelectField(_l("Verified by"), coerce=int, validate_choice=True)


class CancelForm(FlaskForm):
    reason = _text(_l("Reason"), _l("Say why the action is cancelled."), rows=2, max_length=2000)

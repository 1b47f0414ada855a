"""Forms of the crisis protocol (its words are in services/complaints/labels.py)."""

from datetime import datetime, timedelta

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    SelectField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from blueprints.complaints.forms import plausible_date
from core.db import utcnow
from core.forms import CheckboxList, IntegerField
from core.i18n import lazy_gettext as _l
from core.i18n import now_local, to_utc
from services.complaints import labels
from services.complaints.crisis import MAX_TEXT

CLOCK_SLACK = timedelta(minutes=5)


class OpenForm(FlaskForm):
    case = SelectField(_l("Case (optional)"), coerce=int, default=0)
    channel = SelectField(_l("Channel"), choices=list(labels.CRISIS_CHANNELS.items()), default="in_person")
    occurred_on = DateField(_l("Date"), validators=[Optional(), plausible_date])
    occurred_time = TimeField(_l("Time"), validators=[Optional()])

    def prepare(self, cases):
        self.case.choices = [(0, "—"), *cases]
        return self

    @property
    def occurred_at(self):
        """UTC; now when the date or time is left empty (one click in the middle of a crisis)."""
        if not (self.occurred_on.data and self.occurred_time.data):
            return utcnow()
        return to_utc(datetime.combine(self.occurred_on.data, self.occurred_time.data))

    def validate_occurred_time(self, field):
        if self.occurred_on.errors:
            return  # an impossible date is said beside the date
        if self.occurred_on.data and field.data and self.occurred_at > utcnow() + CLOCK_SLACK:
            raise ValidationError(_l("The time of the incident cannot be in the future."))

    @classmethod
    def fresh(cls, cases):
        now = now_local()
        return cls(formdata=None, occurred_on=now.date(), occurred_time=now.time().replace(second=0, microsecond=0)
                   ).prepare(cases)


class StepForm(FlaskForm):
    step = IntegerField(validators=[DataRequired(), NumberRange(min=1, max=8)])


class RecordForm(FlaskForm):
    behaviour = TextAreaField(_l("The client's behaviour, as observed"),
                              validators=[DataRequired(message=_l("Describe what happened.")), Length(max=MAX_TEXT)])
    actions = CheckboxList(_l("Response actions taken"), choices=list(labels.CRISIS_ACTIONS.items()), validators=[Optional()])
    # No Optional(): left empty it would end the chain before validate_solution asks for it.
    solution = TextAreaField(_l("Concrete solution offered"), validators=[Length(max=MAX_TEXT)])
    security_called = BooleanField(_l("Security was called"))

    def validate_solution(self, field):
        if "solution" in (self.actions.data or []) and not (field.data or "").strip():
            raise ValidationError(_l("Describe the concrete solution offered (refund, change, compensation)."))


class EscalateForm(FlaskForm):
    supervisor = SelectField(_l("Supervisor"), coerce=int,
                             validators=[DataRequired(message=_l("Choose who takes over."))])


class InterventionForm(FlaskForm):
    note = TextAreaField(_l("What you did"), validators=[DataRequired(message=_l("Write what you did.")),
                                                         Length(max=MAX_TEXT)])


class CloseForm(FlaskForm):
    outcome = TextAreaField(_l("How it ended"), validators=[DataRequired(message=_l("Write how it ended.")),
                                                            Length(max=MAX_TEXT)])
    as_complaint = BooleanField(_l("Also register it as a complaint"))
    reason = TextAreaField(_l("Why it closes with these steps open"), validators=[Optional(), Length(max=MAX_TEXT)],
                           render_kw={"rows": 3})  # asked for (by the service) only while steps are still open

"""Forms of the complaints register: registering, handling (analysis, informing the client, reopening,
owner), configuration (SLA rules, categories) and the period of the trend analysis."""

from datetime import date

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from core.forms import IntegerField
from core.i18n import lazy_gettext as _l
from core.i18n import now_local
from models.complaints import SEVERITIES, SLA_KINDS
from services.complaints import labels

MAX_SLA_DAYS = 60
MAX_PERIOD_DAYS = 5 * 366
MIN_YEAR, MAX_YEAR = 1900, 2100  # beyond these a date is a typo (and year 9999 overflows the time zone arithmetic)


def plausible_date(form, field):
    """A date field's year within MIN_YEAR–MAX_YEAR."""
    if field.data and not (MIN_YEAR <= field.data.year <= MAX_YEAR):
        raise ValidationError(_l("That date is not possible."))


def _choices(mapping):
    return [(k, v) for k, v in mapping.items() if k]


class ComplaintForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=_choices(labels.KINDS), default="complaint")
    client = IntegerField(_l("Client"), default=0, validators=[Optional()])
    walk_in_name = StringField(_l("Name of the person (if not a client)"), validators=[Optional(), Length(max=200)])
    walk_in_contact = StringField(_l("Contact (phone or email)"), validators=[Optional(), Length(max=200)])
    case = SelectField(_l("Case"), coerce=int, default=0, validate_choice=True)
    channel = SelectField(_l("Received by"), choices=[c for c in _choices(labels.CHANNELS) if c[0] != "survey"])
    description = TextAreaField(_l("What the client says"), render_kw={"rows": 5}, validators=[
        DataRequired(message=_l("Describe the complaint or request.")),
        Length(min=5, max=8000, message=_l("Between 5 and 8,000 characters."))])
    category = SelectField(_l("Category"), coerce=int, default=0, validate_choice=True)
    severity = SelectField(_l("Severity"), choices=_choices(labels.SEVERITIES), default="medium")
    received_on = DateField(_l("Received on"), validators=[DataRequired(message=_l("Choose the date it was received.")),
                                                           plausible_date])
    received_time = TimeField(_l("At"), validators=[DataRequired(message=_l("Choose the time it was received."))])
    owner = SelectField(_l("Owner (who handles it)"), coerce=int, validate_choice=True)

    def validate_received_time(self, field):
        if self.received_on.data and field.data and not self.received_on.errors:
            from datetime import datetime

            if datetime.combine(self.received_on.data, field.data) > now_local():
                raise ValidationError(_l("It cannot have been received in the future."))


class StepForm(FlaskForm):
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})


class AnalysisForm(FlaskForm):
    root_cause = TextAreaField(_l("Root cause"), render_kw={"rows": 3}, validators=[
        DataRequired(message=_l("Write the root cause.")), Length(min=3, max=8000)])
    actions_taken = TextAreaField(_l("Actions taken"), render_kw={"rows": 4}, validators=[
        DataRequired(message=_l("Write the actions taken.")), Length(min=3, max=8000)])


class InformForm(FlaskForm):
    informed_on = DateField(_l("Client informed on"), validators=[DataRequired(message=_l("Choose the date.")),
                                                                  plausible_date])
    informed_time = TimeField(_l("At"), validators=[DataRequired(message=_l("Choose the time."))])
    informed_channel = SelectField(_l("How"), choices=[("", "—")] + _choices(labels.INFORMED_CHANNELS),
                                   validators=[DataRequired(message=_l("Say how the client was informed."))])
    client_agreement = SelectField(_l("The client's answer"), choices=list(labels.AGREEMENT.items()),
                                   validators=[Optional()])

    def validate_informed_time(self, field):
        if self.informed_on.data and field.data and not self.informed_on.errors:
            from datetime import datetime

            if datetime.combine(self.informed_on.data, field.data) > now_local():
                raise ValidationError(_l("This moment cannot be in the future."))


class ReopenForm(FlaskForm):
    reason = TextAreaField(_l("Why it is reopened"), render_kw={"rows": 2}, validators=[
        DataRequired(message=_l("Say why the complaint is reopened.")), Length(min=3, max=2000)])


class OwnerForm(FlaskForm):
    owner = SelectField(_l("New owner"), coerce=int, validate_choice=True)
    note = StringField(_l("Note"), validators=[Optional(), Length(max=300)])


class DayField(DateField):
    """A day typed as YYYY-MM-DD (spaces around it ignored); anything else is refused with that hint."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata([value.strip() for value in valuelist])
        except ValueError:
            raise ValueError(_l("Write a date as YYYY-MM-DD.")) from None


class PeriodForm(FlaskForm):
    """The analysis period in the query string (``?desde=&hasta=``, local days). Build it with the default
    period as ``data``: a day not given keeps its default."""

    class Meta:
        csrf = False  # a GET that changes nothing

    desde = DayField(_l("From"), validators=[Optional(), plausible_date])
    hasta = DayField(_l("To"), validators=[Optional(), plausible_date])

    def resolve(self, default_start: date, default_end: date) -> tuple[date, date]:
        """(start, end) as asked, a day left empty taking its default; the default period while anything is
        refused (the message is beside its field)."""
        if not self.validate():
            return default_start, default_end
        start, end = self.desde.data or default_start, self.hasta.data or default_end
        if start > end:
            self.hasta.errors.append(_l("The end of the period cannot be before its start."))
        elif (end - start).days > MAX_PERIOD_DAYS:
            self.hasta.errors.append(_l("Choose a period of five years at most."))
        else:
            return start, end
        return default_start, default_end


class CategoryForm(FlaskForm):
    name = StringField(_l("Category"), validators=[DataRequired(message=_l("Write the name of the category.")),
                                                   Length(min=3, max=120)])


class SlaForm(FlaskForm):
    """One pair of fields (response, resolution) per kind and severity, named ``<kind>_<severity>_response``."""

    def pairs(self):
        for kind in SLA_KINDS:
            for severity in SEVERITIES:
                yield kind, severity, self[f"{kind}_{severity}_response"], self[f"{kind}_{severity}_resolution"]

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        for _kind, _severity, response, resolution in self.pairs():
            if response.data is not None and resolution.data is not None and resolution.data < response.data:
                resolution.errors = [*resolution.errors, _l("Resolution cannot take fewer days than the response.")]
                ok = False
        return ok


def _days_field(label):
    return IntegerField(label, validators=[
        InputRequired(message=_l("Give a number of business days.")),
        NumberRange(min=0, max=MAX_SLA_DAYS, message=_l("Between 0 and %(max)d business days.", max=MAX_SLA_DAYS))])


for _kind in SLA_KINDS:  # a compliment has no SLA
    for _severity in SEVERITIES:
        setattr(SlaForm, f"{_kind}_{_severity}_response", _days_field(_l("Response (business days)")))
        setattr(SlaForm, f"{_kind}_{_severity}_resolution", _days_field(_l("Resolution (business days)")))

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from blueprints.cases import labels
from core.i18n import now_local, today_local


class CheckboxList(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _choices(mapping):
    return list(mapping.items())


class CaseForm(FlaskForm):
    title = StringField(_l("Title of the case"), validators=[DataRequired(message=_l("Give the case a short title.")),
                                                            Length(max=200)])
    practice_area = SelectField(_l("Practice area"), coerce=int, validate_choice=True)
    contract = SelectField(_l("Contract"), coerce=int, validate_choice=True)
    responsible = SelectField(_l("Responsible"), coerce=int, validate_choice=True)
    team = CheckboxList(_l("Team"), coerce=int)
    description = TextAreaField(_l("What the case is about"), validators=[Optional(), Length(max=4000)], render_kw={"rows": 4})


class TeamForm(FlaskForm):
    responsible = SelectField(_l("Responsible"), coerce=int, validate_choice=True)
    team = CheckboxList(_l("Team"), coerce=int)


class PartyForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=_choices(labels.PARTY_KINDS))
    name = StringField(_l("Name"), validators=[DataRequired(message=_l("Write the name of the party.")), Length(min=2, max=200)])
    relation = StringField(_l("Relation to the case"), validators=[Optional(), Length(max=120)])


class PlanningForm(FlaskForm):
    description = TextAreaField(_l("What the case is about"), validators=[Optional(), Length(max=4000)], render_kw={"rows": 3})
    legal_analysis = TextAreaField(_l("Legal analysis and applicable rules"), validators=[Optional(), Length(max=20000)],
                                   render_kw={"rows": 6})
    strategy = TextAreaField(_l("Procedural strategy: scenarios and risks"), validators=[Optional(), Length(max=20000)],
                             render_kw={"rows": 6})
    budget_amount = DecimalField(_l("Estimated cost"), places=2, validators=[Optional(), NumberRange(
        min=Decimal("0"), max=Decimal("99999999999999"), message=_l("The amount cannot be negative."))])
    budget_notes = TextAreaField(_l("Cost detail and billing"), validators=[Optional(), Length(max=4000)], render_kw={"rows": 3})
    budget_told_on = DateField(_l("Told to the client on"), validators=[Optional()])
    budget_told_how = SelectField(_l("How"), choices=[("", "—")] + _choices(labels.CONTACT_WAYS), validators=[Optional()])

    def validate_budget_told_on(self, field):
        if field.data and field.data > today_local():
            raise ValidationError(_l("This date cannot be in the future."))

    def validate_budget_told_how(self, field):
        if self.budget_told_on.data and not field.data:
            raise ValidationError(_l("Say how the client was told."))


class EvidenceForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=_choices(labels.EVIDENCE_KINDS))
    description = StringField(_l("What to collect"), validators=[DataRequired(message=_l("Describe the evidence.")),
                                                                 Length(min=3, max=300)])


class StatusForm(FlaskForm):
    reason = TextAreaField(_l("Note"), validators=[Optional(), Length(max=1000)], render_kw={"rows": 2})


class InterventionForm(FlaskForm):
    day = DateField(_l("Date"), validators=[DataRequired(message=_l("Choose the date."))])
    time = TimeField(_l("Time"), validators=[DataRequired(message=_l("Choose the time."))])
    duration_minutes = IntegerField(_l("Duration (minutes)"), default=60, validators=[
        DataRequired(message=_l("Give the duration.")), NumberRange(min=15, max=720, message=_l("Between 15 and 720 minutes."))])
    assigned = SelectField(_l("Assigned to"), coerce=int, validate_choice=True)
    place = StringField(_l("Place"), validators=[Optional(), Length(max=200)])
    purpose = StringField(_l("Purpose"), validators=[DataRequired(message=_l("Say what the intervention is for.")),
                                                     Length(min=3, max=300)])

    def validate_day(self, field):
        if field.data and field.data < today_local():
            raise ValidationError(_l("Plan it for today or a later date."))

    def validate_time(self, field):
        if field.data and self.day.data == today_local() and field.data < now_local().time():
            raise ValidationError(_l("That time has already passed today."))


class InterventionReportForm(FlaskForm):
    work_done = TextAreaField(_l("What was done"), validators=[DataRequired(message=_l("Describe what was done.")),
                                                              Length(min=3, max=8000)], render_kw={"rows": 4})
    treatment_type = StringField(_l("Type of treatment or service"), validators=[Optional(), Length(max=120)])
    resources_used = TextAreaField(_l("Products or resources used"), validators=[Optional(), Length(max=4000)],
                                   render_kw={"rows": 2})
    recommendations = TextAreaField(_l("Recommendations to the client"), validators=[Optional(), Length(max=4000)],
                                    render_kw={"rows": 3})


class ResolutionForm(FlaskForm):
    resolution_summary = TextAreaField(_l("Resolution and its implications"), validators=[
        DataRequired(message=_l("Write the resolution.")), Length(min=3, max=8000)], render_kw={"rows": 5})
    explained_on = DateField(_l("Explained to the client on"), validators=[Optional()])
    explained_how = SelectField(_l("How"), choices=[("", "—")] + _choices(labels.CONTACT_WAYS), validators=[Optional()])
    client_understood = BooleanField(_l("The client says they understood the result and its implications"))

    def validate_explained_on(self, field):
        if field.data and field.data > today_local():
            raise ValidationError(_l("This date cannot be in the future."))

    def validate_explained_how(self, field):
        if self.explained_on.data and not field.data:
            raise ValidationError(_l("Say how the resolution was explained."))

    def validate_client_understood(self, field):
        if field.data and not self.explained_on.data:
            raise ValidationError(_l("Record when the resolution was explained first."))


class DeliveryForm(FlaskForm):
    kind = SelectField(_l("Document"), choices=_choices(labels.DELIVERY_KINDS))
    description = StringField(_l("Description"), validators=[DataRequired(message=_l("Describe the document.")),
                                                             Length(min=3, max=300)])
    delivered_on = DateField(_l("Delivered on"), validators=[Optional()])
    delivered_how = SelectField(_l("How"), choices=[("", "—")] + _choices(labels.CONTACT_WAYS), validators=[Optional()])

    def validate_delivered_on(self, field):
        if field.data and field.data > today_local():
            raise ValidationError(_l("This date cannot be in the future."))

    def validate_delivered_how(self, field):
        if self.delivered_on.data and not field.data:
            raise ValidationError(_l("Say how it was delivered."))


class DeliveredForm(FlaskForm):
    delivered_on = DateField(_l("Delivered on"), validators=[DataRequired(message=_l("Give the delivery date."))])
    delivered_how = SelectField(_l("How"), choices=_choices(labels.CONTACT_WAYS))

    def validate_delivered_on(self, field):
        if field.data and field.data > today_local():
            raise ValidationError(_l("This date cannot be in the future."))


class AgendaFilter(FlaskForm):
    class Meta:
        csrf = False

    persona = SelectField(_l("Person"), coerce=int, validate_choice=False)
    semana = DateField(_l("Week of"), validators=[Optional()])

from datetime import datetime
from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from core.forms import CheckboxList, DecimalField, IntegerField
from core.i18n import lazy_gettext as _l
from core.i18n import now_local, today_local
from core.text import name_key
from services.cases import labels


def _choices(mapping):
    return list(mapping.items())


class CarriedPartyForm(FlaskForm):
    """One party declared at intake, offered pre-filled on the new-case form (a row of CaseForm.parties)."""

    class Meta:
        csrf = False  # the case form's token covers it

    party = HiddenField()
    include = BooleanField(_l("Add to the case"))
    kind = SelectField(_l("Kind"), choices=_choices(labels.PARTY_KINDS))
    name = StringField(_l("Name"), validators=[Length(max=200)])
    relation = StringField(_l("Relation to the case"), validators=[Optional(), Length(max=120)])

    def validate_name(self, field):
        if self.include.data and len((field.data or "").strip()) < 2:
            raise ValidationError(_l("Write the name of the party."))


class CaseForm(FlaskForm):
    title = StringField(_l("Title of the case"), validators=[DataRequired(message=_l("Give the case a short title.")),
                                                            Length(max=200)])
    practice_area = SelectField(_l("Practice area"), coerce=int, validate_choice=True)
    contract = SelectField(_l("Contract"), coerce=int, validate_choice=True)
    responsible = SelectField(_l("Responsible"), coerce=int, validate_choice=True)
    team = CheckboxList(_l("Team"), coerce=int)
    description = TextAreaField(_l("What the case is about"), validators=[Optional(), Length(max=4000)], render_kw={"rows": 4})
    parties = FieldList(FormField(CarriedPartyForm))

    def validate_parties(self, field):
        """The rows kept must name different parties: the case lists each one once (the error shows beside the
        repeated name; the list's own error only marks the form invalid)."""
        seen, repeated = set(), False
        for row in field:
            key = name_key(row.form.name.data or "")
            if row.form.include.data and key:
                if key in seen:
                    row.form.name.errors.append(_l("This party is already listed above."))
                    repeated = True
                seen.add(key)
        if repeated:
            raise ValidationError(_l("This party is already listed above."))


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
    # The "how" selects carry no Optional(): on an empty choice it would end the chain before validate_*_how,
    # which asks for it once a date is given, could run.
    budget_told_how = SelectField(_l("How"), choices=[("", "—")] + _choices(labels.CONTACT_WAYS), default="")

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


class CloseForm(FlaskForm):
    """Closing: the reason is asked for (by the service) only while items are still open."""

    reason = TextAreaField(_l("Why the case closes with these items open"), validators=[Optional(), Length(max=2000)],
                           render_kw={"rows": 3})


class InterventionForm(FlaskForm):
    day = DateField(_l("Date"), validators=[DataRequired(message=_l("Choose the date."))])
    time = TimeField(_l("Time"), validators=[DataRequired(message=_l("Choose the time."))])
    duration_minutes = IntegerField(_l("Duration (minutes)"), default=60, validators=[
        DataRequired(message=_l("Give the duration.")), NumberRange(min=15, max=720, message=_l("Between 15 and 720 minutes."))])
    assigned = SelectField(_l("Assigned to"), coerce=int, validate_choice=True)
    place = StringField(_l("Place"), validators=[Optional(), Length(max=200)])
    purpose = StringField(_l("Purpose"), validators=[DataRequired(message=_l("Say what the intervention is for.")),
                                                     Length(min=3, max=300)])
    work_done = TextAreaField(_l("What was done, if it already took place"), validators=[Length(max=8000)],
                              render_kw={"rows": 3})  # no Optional(): it would skip the check below when empty

    # Staff record what happened when it happened: a moment already past is recorded as done ("Realizada")
    # with its real date, so it needs what was done; one still to come is planned (issue 11).
    def validate_day(self, field):
        plausible_day(field)

    def validate_work_done(self, field):
        moment = starts(self.day, self.time)
        text = (field.data or "").strip()
        if moment is None:
            return
        if moment <= now_local() and len(text) < 3:
            raise ValidationError(_l("It already took place: describe what was done to record it."))
        if moment > now_local() and text:
            raise ValidationError(_l("It has not taken place yet: plan it now and record what was done afterwards."))


def plausible_day(field):
    if field.data and not 1900 <= field.data.year <= 2100:
        raise ValidationError(_l("That date is not possible."))


def starts(day, time):
    """The local moment of a date and a time field, or None while either is missing or wrong."""
    if day.errors or time.errors or not day.data or not time.data or not 1900 <= day.data.year <= 2100:
        return None
    return datetime.combine(day.data, time.data)


class InterventionReportForm(FlaskForm):
    day = DateField(_l("Date it took place"), validators=[DataRequired(message=_l("Choose the date."))])
    time = TimeField(_l("Time"), validators=[DataRequired(message=_l("Choose the time."))])
    work_done = TextAreaField(_l("What was done"), validators=[DataRequired(message=_l("Describe what was done.")),
                                                              Length(min=3, max=8000)], render_kw={"rows": 4})
    treatment_type = StringField(_l("Type of treatment or service"), validators=[Optional(), Length(max=120)])
    resources_used = TextAreaField(_l("Products or resources used"), validators=[Optional(), Length(max=4000)],
                                   render_kw={"rows": 2})
    recommendations = TextAreaField(_l("Recommendations to the client"), validators=[Optional(), Length(max=4000)],
                                    render_kw={"rows": 3})

    def validate_day(self, field):
        plausible_day(field)
        if field.data and field.data > today_local():
            raise ValidationError(_l("That day has not come yet: it can be recorded once it has taken place, "
                                     "or correct the date if it was earlier."))

    def validate_time(self, field):
        moment = starts(self.day, field)
        if moment is not None and moment > now_local():
            raise ValidationError(_l("That time has not come yet: it can be recorded once it has started, "
                                     "or correct the time if it was earlier."))


class ResolutionForm(FlaskForm):
    resolution_summary = TextAreaField(_l("Resolution and its implications"), validators=[
        DataRequired(message=_l("Write the resolution.")), Length(min=3, max=8000)], render_kw={"rows": 5})
    explained_on = DateField(_l("Explained to the client on"), validators=[Optional()])
    explained_how = SelectField(_l("How"), choices=[("", "—")] + _choices(labels.CONTACT_WAYS), default="")
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
    delivered_how = SelectField(_l("How"), choices=[("", "—")] + _choices(labels.CONTACT_WAYS), default="")

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

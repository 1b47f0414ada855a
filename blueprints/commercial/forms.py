from decimal import Decimal

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from core.forms import DecimalField, IntegerField
from core.i18n import lazy_gettext as _l
from core.i18n import today_local
from services.commercial import labels


class LineForm(Form):
    service = StringField(_l("Service"), validators=[Optional(), Length(max=300)])
    quantity = DecimalField(_l("Quantity"), places=2, validators=[Optional(), NumberRange(min=Decimal("0.01"), max=Decimal("999999"),
                            message=_l("The quantity must be more than zero."))])
    unit_price = DecimalField(_l("Unit price"), places=2, validators=[Optional(), NumberRange(min=0, max=Decimal("9999999999"),
                              message=_l("The price cannot be negative."))])
    tax_rate = DecimalField(_l("Tax rate"), places=2, default=Decimal("19"), validators=[Optional(), NumberRange(min=0, max=100,
                            message=_l("Between 0 and 100."))])

    def is_blank(self) -> bool:
        return not (self.service.data or "").strip() and self.quantity.data is None and self.unit_price.data is None


class QuotationForm(FlaskForm):
    lines = FieldList(FormField(LineForm), min_entries=6, max_entries=40)
    valid_until = DateField(_l("Valid until"), validators=[DataRequired(message=_l("Give the date until which the offer is valid."))])
    notes = TextAreaField(_l("Notes and conditions"), validators=[Optional(), Length(max=4000)], render_kw={"rows": 3})

    def validate_valid_until(self, field):
        if field.data and field.data < today_local():
            raise ValidationError(_l("The validity cannot end in the past."))

    def validate_lines(self, field):
        filled = [entry for entry in field.entries if not entry.form.is_blank()]
        if not filled:
            raise ValidationError(_l("Add at least one service."))
        for entry in filled:
            line = entry.form
            if not (line.service.data or "").strip():
                line.service.errors.append(_l("Describe the service."))
            if line.quantity.data is None:
                line.quantity.errors.append(_l("Give the quantity."))
            if line.unit_price.data is None:
                line.unit_price.errors.append(_l("Give the unit price."))
        if any(e.form.errors for e in filled):
            raise ValidationError(_l("Some lines are incomplete."))

    def line_data(self) -> list[dict]:
        return [{"service": e.form.service.data.strip(), "quantity": e.form.quantity.data,
                 "unit_price": e.form.unit_price.data, "tax_rate": e.form.tax_rate.data or Decimal("0")}
                for e in self.lines.entries if not e.form.is_blank()]


class DecisionForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})


class ContractForm(FlaskForm):
    conditions = TextAreaField(_l("Conditions of the service"), validators=[DataRequired(), Length(max=8000)],
                               render_kw={"rows": 4})
    frequency = SelectField(_l("Frequency"), choices=list(labels.FREQUENCIES.items()))
    duration_months = IntegerField(_l("Duration (months)"), default=12,
                                   validators=[DataRequired(), NumberRange(min=1, max=120, message=_l("Between 1 and 120 months."))])
    start_date = DateField(_l("Start"), validators=[DataRequired(message=_l("Give the start date."))])
    end_date = DateField(_l("End"), validators=[DataRequired(message=_l("Give the end date."))])
    firm_duties = TextAreaField(_l("Responsibilities of the firm"), validators=[DataRequired(), Length(max=4000)],
                                render_kw={"rows": 3})
    client_duties = TextAreaField(_l("Responsibilities of the client"), validators=[DataRequired(), Length(max=4000)],
                                  render_kw={"rows": 3})
    signed_on = DateField(_l("Signed on"), validators=[Optional()])
    signer = StringField(_l("Signed by (client)"), validators=[Optional(), Length(max=200)])
    renews = SelectField(_l("Renews contract"), coerce=int, validators=[Optional()])

    def validate_end_date(self, field):
        if field.data and self.start_date.data and field.data <= self.start_date.data:
            raise ValidationError(_l("The end must come after the start."))

    def validate_signed_on(self, field):
        if field.data and field.data > today_local():
            raise ValidationError(_l("The signature date cannot be in the future."))

    def contract_data(self) -> dict:
        return {"conditions": self.conditions.data.strip(), "frequency": self.frequency.data,
                "duration_months": self.duration_months.data, "start_date": self.start_date.data,
                "end_date": self.end_date.data, "firm_duties": self.firm_duties.data.strip(),
                "client_duties": self.client_duties.data.strip(), "signed_on": self.signed_on.data,
                "signer": (self.signer.data or "").strip(), "renews": self.renews.data or None}


class SignedCopyForm(FlaskForm):
    file = FileField(_l("Signed copy (PDF or image)"), validators=[FileRequired(message=_l("Choose the file."))])


class ActivationForm(FlaskForm):
    """Activating a draft asks for the signature it still lacks, beside its fields."""

    signed_on = DateField(_l("Signed on"), validators=[DataRequired(message=_l("Give the date the client signed."))])
    signer = StringField(_l("Signed by (client)"), validators=[
        DataRequired(message=_l("Give the name of the person who signed for the client.")), Length(max=200)])

    def validate_signed_on(self, field):
        from core.i18n import today_local

        if field.data and field.data > today_local():
            raise ValidationError(_l("The signature date cannot be in the future."))

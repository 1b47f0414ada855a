"""Forms of the loyalty and referral programmes: a benefit rule, switching it on or off, applying a benefit on a
quotation, the thanks for a referral."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from core.forms import IntegerField, stripped
from core.i18n import lazy_gettext as _l
from services.loyalty.labels import BENEFIT_BASES, BENEFIT_KINDS


class RuleForm(FlaskForm):
    name = StringField(_l("Name"), filters=[stripped], validators=[
        DataRequired(message=_l("Give the benefit a name.")),
        Length(min=3, max=120, message=_l("Give the benefit a name."))])
    kind = SelectField(_l("Benefit"), choices=list(BENEFIT_KINDS.items()), default="discount")
    percent = IntegerField(_l("Discount, in percent"), validators=[Optional(), NumberRange(
        min=1, max=100, message=_l("Enter the discount as a whole percent from 1 to 100."))])
    service = StringField(_l("Additional service"), filters=[stripped], validators=[Length(max=200)])
    basis = SelectField(_l("Who qualifies"), choices=list(BENEFIT_BASES.items()), default="contracts")
    threshold = IntegerField(_l("N"), default=2, validators=[
        DataRequired(message=_l("Enter a whole number from 1 to 100.")),
        NumberRange(min=1, max=100, message=_l("Enter a whole number from 1 to 100."))])

    def data_for_service(self) -> dict:
        return {"name": self.name.data, "kind": self.kind.data, "percent": self.percent.data,
                "service": self.service.data, "basis": self.basis.data, "threshold": self.threshold.data}


class ToggleForm(FlaskForm):
    pass


class ApplyForm(FlaskForm):
    rule = IntegerField(_l("Benefit"), validators=[DataRequired(message=_l("Choose a benefit in force."))])


class ThanksForm(FlaskForm):
    email = BooleanField(_l("Also send the thanks by email"))
    note = TextAreaField(_l("Note"), filters=[stripped], validators=[Length(max=2000)], render_kw={"rows": 2})

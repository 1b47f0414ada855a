from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from core.forms import IntegerField
from core.i18n import lazy_gettext as _l
from core.i18n import today_local
from services.documents import labels


def _not_past(message):
    def check(form, field):
        if field.data and field.data < today_local():
            raise ValidationError(message)

    return check


class ItemForm(FlaskForm):
    """An ad-hoc item of one case's checklist."""

    name = StringField(_l("Document"), validators=[DataRequired(message=_l("Name the document.")), Length(max=200)])
    required = BooleanField(_l("Required to close the case"), default=True)
    confidential = BooleanField(_l("Confidential (only the case team opens its files)"))
    due_on = DateField(_l("Due on"), validators=[Optional(), _not_past(_l("The due date cannot be in the past."))])
    review_on = DateField(_l("Review on"), validators=[Optional(), _not_past(_l("The review date cannot be in the past."))])

    def item_data(self) -> dict:
        return {"name": self.name.data.strip(), "required": bool(self.required.data),
                "confidential": bool(self.confidential.data), "due_on": self.due_on.data, "review_on": self.review_on.data}


class UploadForm(FlaskForm):
    file = FileField(_l("File"), validators=[FileRequired(message=_l("Choose the file."))])
    note = StringField(_l("Note (optional)"), validators=[Optional(), Length(max=300)])


class ReviewForm(FlaskForm):
    decision = SelectField(_l("Decision"), choices=list(labels.REVIEW_DECISIONS.items()),
                           validate_choice=True)
    reason = TextAreaField(_l("Reason (required to reject)"), validators=[Length(max=2000)],
                           render_kw={"rows": 2})
    review_on = DateField(_l("Next review"), validators=[Optional(), _not_past(_l("The review date cannot be in the past."))])

    def validate_reason(self, field):
        if self.decision.data == "rejected" and not (field.data or "").strip():
            raise ValidationError(_l("Say why the document is rejected."))


class TemplateForm(FlaskForm):
    """A document requirement of a practice area (the admin catalog)."""

    name = StringField(_l("Document"), validators=[DataRequired(message=_l("Name the document.")), Length(max=200)])
    required = BooleanField(_l("Required to close the case"), default=True)
    confidential = BooleanField(_l("Confidential (only the case team opens its files)"))
    due_days = IntegerField(_l("Due (days after the case opens)"), validators=[
        Optional(), NumberRange(min=1, max=3650, message=_l("Between 1 and 3650 days."))])
    review_every_days = IntegerField(_l("Review every (days)"), validators=[
        Optional(), NumberRange(min=1, max=3650, message=_l("Between 1 and 3650 days."))])

    def template_data(self) -> dict:
        return {"name": self.name.data.strip(), "required": bool(self.required.data),
                "confidential": bool(self.confidential.data), "due_days": self.due_days.data,
                "review_every_days": self.review_every_days.data}


class MoveForm(FlaskForm):
    direction = HiddenField(validators=[DataRequired()])

    def validate_direction(self, field):
        if field.data not in ("up", "down"):
            raise ValidationError("up or down")

"""Staff forms of the surveys: invitations by hand and survey templates with their questions."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from core.i18n import lazy_gettext as _l
from core.i18n import today_local
from services.surveys import labels


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class InviteForm(FlaskForm):
    template = SelectField(_l("Survey"), coerce=int, validate_choice=True)
    delivery = RadioField(_l("How it reaches the client"), validate_choice=True,
                          validators=[DataRequired(message=_l("Choose how the survey reaches the client."))])
    send_on = DateField(_l("Send on"), validators=[DataRequired(message=_l("Choose the day."))])

    def validate_send_on(self, field):
        if field.data and field.data < today_local():
            raise ValidationError(_l("Choose today or a later day."))


class QuestionForm(Form):
    """One question inside the template form (the outer form carries the CSRF token)."""

    kind = SelectField(_l("Kind"), choices=list(labels.QUESTION_KINDS.items()), validate_choice=True)
    text = StringField(_l("Question text"), validators=[DataRequired(message=_l("Write the question.")), Length(max=500)])
    help = StringField(_l("Help shown below it"), validators=[Optional(), Length(max=300)])
    required = BooleanField(_l("Required"))
    # No Optional(): left empty it would end the chain before validate_choices asks a choice question for options.
    choices = TextAreaField(_l("Options (one per line, single choice only)"), validators=[Length(max=2000)],
                            render_kw={"rows": 3})
    criterion = SelectField(_l("Evaluation criterion (ratings only)"),
                            choices=[("", "—"), *labels.CRITERIA.items()], validate_choice=True)

    def validate_choices(self, field):
        options = [line for line in (field.data or "").splitlines() if line.strip()]
        if self.kind.data == "choice" and len(options) < 2:
            raise ValidationError(_l("Give at least two options, one per line."))


class TemplateForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(message=_l("Give the survey a name.")), Length(max=200)])
    intro = TextAreaField(_l("Introduction shown to the client"), validators=[Optional(), Length(max=2000)],
                          render_kw={"rows": 3})
    anonymous = BooleanField(_l("Anonymous answers"))
    is_active = BooleanField(_l("Active (offered for new invitations)"), default=True)
    is_default = BooleanField(_l("Default survey (sent when a case closes)"))
    questions = FieldList(FormField(QuestionForm), min_entries=0, max_entries=60)

    def validate(self, extra_validators=None):
        """Each criterion is rated by one question at most (the response keeps one rating per criterion):
        the message goes beside the criterion of every later question that repeats one."""
        valid = super().validate(extra_validators)
        seen = set()
        for entry in self.questions:
            question = entry.form
            criterion = question.criterion.data if question.kind.data == "rating" else ""
            if not criterion:
                continue
            if criterion in seen:
                question.criterion.errors = [*question.criterion.errors,
                                             _l("Another question already rates this criterion; choose a different "
                                                "one or none.")]
                valid = False
            seen.add(criterion)
        if not valid:  # FieldList keeps the entries' errors it saw while validating: refresh them
            self.questions.errors = [entry.errors for entry in self.questions.entries]
        return valid

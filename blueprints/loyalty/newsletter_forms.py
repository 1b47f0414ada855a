"""The newsletter issue's form."""

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from core.forms import CheckboxList
from core.i18n import lazy_gettext as _l
from services.loyalty.newsletter import BODY_MAX, SUBJECT_MAX


class IssueForm(FlaskForm):
    """An issue: its subject, its text in Markdown, and the quality notes' client texts to add to it."""

    subject = StringField(_l("Subject"), validators=[
        DataRequired(message=_l("Write the subject of the issue.")),
        Length(max=SUBJECT_MAX, message=_l("The subject is too long (%(max)d characters at most)."))])
    body = TextAreaField(_l("Text (Markdown)"), validators=[
        DataRequired(message=_l("Write the text of the issue.")),
        Length(max=BODY_MAX, message=_l("The text is too long (%(max)d characters at most)."))],
        render_kw={"rows": 16})
    notes = CheckboxList(_l("Add what we improved thanks to the clients' answers"), coerce=int, choices=[])

    def offer(self, notes):
        self.notes.choices = [(n.id, n.title) for n in notes]
        return self

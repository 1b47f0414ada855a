"""The form of a note to the staff about the results of a period (services/quality/notes.py)."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from blueprints.quality.action_forms import plausible_date
from core.forms import stripped
from core.i18n import lazy_gettext as _l
from services.quality import notes as service

SHORTER = _l("Write a shorter text (at most %(max)d characters).")


class NoteForm(FlaskForm):
    title = StringField(_l("Title"), filters=[stripped], validators=[
        DataRequired(message=_l("Give the note a title.")), Length(max=service.MAX_TITLE, message=SHORTER)])
    body = TextAreaField(_l("What the team should know"), filters=[stripped], render_kw={"rows": 8}, validators=[
        DataRequired(message=_l("Write what the team should know.")), Length(max=service.MAX_BODY, message=SHORTER)])
    period_start = DateField(_l("Period from"), validators=[DataRequired(message=_l("Give the day.")),
                                                             plausible_date])
    period_end = DateField(_l("Period to"), validators=[DataRequired(message=_l("Give the day.")), plausible_date])
    indicator = SelectField(_l("Points to"), validate_choice=False, default="")  # the service says it beside the field
    client_summary = TextAreaField(_l("For clients: what we improved thanks to your answers"), filters=[stripped],
                                   render_kw={"rows": 4},
                                   validators=[Optional(), Length(max=service.MAX_CLIENT_TEXT, message=SHORTER)])
    for_newsletter = BooleanField(_l("Available for the newsletter"))

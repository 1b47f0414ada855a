"""Forms of training and feedback: a new session, attendance and evaluation after it, feedback on a document and
settling it."""

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from core.forms import CheckboxList, IntegerField, stripped
from core.i18n import lazy_gettext as _l
from services.manual import labels
from services.manual.feedback import STATES
from services.manual.training import ATTENDANCE_LABELS, KINDS

SCORE_RANGE = _l("The score is a whole number from 0 to 100.")


class SessionForm(FlaskForm):
    topic = StringField(_l("Topic"), filters=[stripped], validators=[
        DataRequired(message=_l("Give the session's topic.")), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=list(KINDS.items()), default="training")
    document = SelectField(_l("Document of the manual it trains on"), coerce=int, validate_choice=True)
    trainer = SelectField(_l("Trainer (staff)"), coerce=int, validate_choice=True)
    trainer_name = StringField(_l("Or an external trainer"), filters=[stripped], validators=[Length(max=120)])
    day = DateField(_l("Date"), validators=[InputRequired(message=_l("Give the date."))])
    time = TimeField(_l("Time"), validators=[InputRequired(message=_l("Give the time."))])
    duration_minutes = IntegerField(_l("Duration (minutes)"), default=60, validators=[
        InputRequired(message=_l("Give the duration.")),
        NumberRange(min=10, max=1440, message=_l("Between 10 and 1,440 minutes."))])
    place = StringField(_l("Place or link"), filters=[stripped], validators=[Length(max=300)])
    pass_mark = IntegerField(_l("Pass mark (0–100)"), default=70, validators=[
        InputRequired(message=_l("The pass mark is a score from 0 to 100.")),
        NumberRange(min=0, max=100, message=_l("The pass mark is a score from 0 to 100."))])
    description = TextAreaField(_l("What it covers"), filters=[stripped], render_kw={"rows": 3},
                                validators=[Length(max=4000)])
    scenario = TextAreaField(_l("Scenario (simulation or role-play)"), filters=[stripped], render_kw={"rows": 4},
                             validators=[Length(max=4000)])
    attendees = CheckboxList(_l("Attendees (each gets an invitation by email)"), coerce=int, validate_choice=False)

    def validate_attendees(self, field):
        from wtforms.validators import ValidationError

        if not field.data:
            raise ValidationError(_l("Invite at least one member of staff."))


LIMITS = {"score": 100, "comment": 4000}  # an attendee's score and comment (the page writes them as attributes)


class OutcomeForm(FlaskForm):
    """The session's page before anything is submitted: what was observed. The attendees' rows are drawn from
    their own values (``templates/manual/training_show.html``); ``attendance_form`` reads and checks them."""

    outcome = TextAreaField(_l("What was observed; lessons learnt"), filters=[stripped], render_kw={"rows": 4},
                            validators=[Length(max=20000)])


def attendance_form(attendees, outcome=""):
    """The submitted attendance: per attendee, attendance, the evaluation's score and a comment (``status_<id>``,
    ``score_<id>``, ``comment_<id>``); and what was observed, the lessons."""

    class AttendanceForm(OutcomeForm):
        pass

    # Said once for the form, not per attendee (a lazy string translates again on every use).
    choices = [(k, str(v)) for k, v in ATTENDANCE_LABELS.items()]
    l_status, l_score, l_comment, score_range = (str(_l("Attendance")), str(_l("Score")), str(_l("Comment")),
                                                 str(SCORE_RANGE))
    for a in attendees:
        setattr(AttendanceForm, f"status_{a.id}", SelectField(l_status, choices=choices, default=a.status))
        setattr(AttendanceForm, f"score_{a.id}", IntegerField(l_score, validators=[
            Optional(), NumberRange(min=0, max=LIMITS["score"], message=score_range)], default=a.score))
        setattr(AttendanceForm, f"comment_{a.id}", StringField(l_comment, filters=[stripped],
                                                               validators=[Length(max=LIMITS["comment"])], default=a.comment))
    return AttendanceForm(outcome=outcome)


class FeedbackForm(FlaskForm):
    section = SelectField(_l("Section"), choices=[("", _l("The whole document"))] + list(labels.SECTIONS.items()),
                          default="")
    what = TextAreaField(_l("What you noticed"), filters=[stripped], render_kw={"rows": 3}, validators=[
        DataRequired(message=_l("Say what you noticed.")), Length(max=4000)])
    suggestion = TextAreaField(_l("What you suggest"), filters=[stripped], render_kw={"rows": 2},
                               validators=[Length(max=4000)])


class SettleForm(FlaskForm):
    """Settle one item of feedback. A page holds a form for each open item, so the fields' ids end with the item's
    (``decision-7``, ``note-7``, ``csrf_token-7``: each label, error and ``aria-describedby`` points into its own
    form) while the names the route reads stay ``decision``, ``note`` and ``csrf_token``."""

    decision = SelectField(_l("What was done with it"),
                           choices=[(k, STATES[k]) for k in ("considered", "set_aside")], default="considered")
    note = StringField(_l("Note"), filters=[stripped], validators=[Length(max=4000)])

    def __init__(self, *args, item, **kwargs):
        self._item = item  # read by Meta.bind_field, while the fields are bound
        super().__init__(*args, **kwargs)

    class Meta:
        def bind_field(self, form, unbound_field, options):
            return super().bind_field(form, unbound_field, {**options, "id": f"{options['name']}-{form._item}"})

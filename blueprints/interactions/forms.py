"""Forms of the interaction log and of virtual meetings. Times are typed in the firm's time zone."""

from datetime import datetime, timedelta

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from core.db import utcnow
from core.forms import IntegerField, SameOptions, staff_groups
from core.i18n import lazy_gettext as _l
from core.i18n import to_local, to_utc, today_local
from services.interactions import labels

SUMMARY_MAX = 4000
CLOCK_SLACK = timedelta(minutes=2)  # a clock a little ahead is not "the future"


def _choices(mapping, blank=None):
    return ([("", blank)] if blank is not None else []) + list(mapping.items())


class FilterForm(FlaskForm):
    """The timeline's filters (GET, in the URL: no CSRF token). The fixed lists' options are written once per
    language (core.forms.SameOptions), as the log form's channel and kind are."""

    class Meta:
        csrf = False

    canal = SelectField(_l("Channel"), choices=_choices(labels.CHANNELS, _l("All channels")), validators=[Optional()],
                        widget=SameOptions())
    tipo = SelectField(_l("Kind"), choices=_choices(labels.KINDS, _l("All kinds")), validators=[Optional()],
                       widget=SameOptions())
    sentido = SelectField(_l("Direction"), choices=_choices(labels.DIRECTIONS, _l("Both directions")),
                          validators=[Optional()], widget=SameOptions())
    caso = SelectField(_l("Case"), coerce=int, validators=[Optional()])

    def params(self) -> dict:
        """The filters that are set, for links (pagination) and the pushed URL."""
        values = {"canal": self.canal.data, "tipo": self.tipo.data, "sentido": self.sentido.data,
                  "caso": self.caso.data if self.caso.choices and len(self.caso.choices) > 1 else None}
        return {k: v for k, v in values.items() if v}


class InteractionForm(FlaskForm):
    occurred_on = DateField(_l("Date"), validators=[DataRequired(message=_l("Give the date."))])
    occurred_time = TimeField(_l("Time"), validators=[DataRequired(message=_l("Give the time."))])
    channel = SelectField(_l("Channel"), choices=_choices(labels.CHANNELS), widget=SameOptions())
    direction = RadioField(_l("Direction"), choices=_choices(labels.DIRECTIONS), default="out")
    kind = SelectField(_l("Kind"), choices=_choices(labels.KINDS), widget=SameOptions())
    summary = TextAreaField(_l("Summary"), render_kw={"rows": 3, "maxlength": SUMMARY_MAX},
                            validators=[DataRequired(message=_l("Write what was said or agreed.")),
                                        Length(max=SUMMARY_MAX, message=_l("At most 4000 characters."))])
    confidential = BooleanField(_l("Confidential (only the team sees the summary)"))
    case = SelectField(_l("Case"), coerce=int, default=0)
    follow_up_on = DateField(_l("Follow up by"), validators=[Optional()])
    follow_up_owner = SelectField(_l("Who follows up"), coerce=int, default=0, validate_choice=False)

    @classmethod
    def fresh(cls, user, case_choices=(), team=lambda chosen: ()):
        """An empty form: now in the firm's time zone, the signed-in person owning any follow-up."""
        now = to_local(utcnow())
        form = cls(formdata=None, occurred_on=now.date(), occurred_time=now.time().replace(second=0, microsecond=0),
                   follow_up_owner=user.id)
        return form.prepare(case_choices, team)

    def prepare(self, case_choices=(), team=lambda chosen: ()):
        """``team(chosen)``: who is offered to follow up (the team, and the person already chosen if they may);
        anyone else who works cases is found with the search under the picker."""
        self.case.choices = [(0, _l("— no case —"))] + list(case_choices)
        offered = list(team(self.follow_up_owner.data))
        self.follow_up_owner.choices = staff_groups(offered)
        self.offered_owners = {value for value, _label in offered}
        return self

    @property
    def occurred_at(self):
        """The moment typed, as stored (naive UTC)."""
        return to_utc(datetime.combine(self.occurred_on.data, self.occurred_time.data))

    def validate_occurred_time(self, field):
        if self.occurred_on.data and field.data and self.occurred_at > utcnow() + CLOCK_SLACK:
            raise ValidationError(_l("The interaction cannot be in the future."))

    def validate_follow_up_on(self, field):
        if field.data and field.data < today_local():
            raise ValidationError(_l("The follow-up cannot be due in the past."))

    def validate_follow_up_owner(self, field):
        if self.follow_up_on.data and field.data not in self.offered_owners:
            raise ValidationError(_l("Choose who follows up."))

    def data_for_service(self) -> dict:
        return {"occurred_at": self.occurred_at, "channel": self.channel.data, "direction": self.direction.data,
                "kind": self.kind.data, "summary": self.summary.data.strip(), "confidential": bool(self.confidential.data),
                "case": self.case.data or None, "follow_up_on": self.follow_up_on.data,
                "follow_up_owner": self.follow_up_owner.data if self.follow_up_on.data else None}


class MeetingForm(FlaskForm):
    agenda = TextAreaField(_l("Agenda"), render_kw={"rows": 4},
                           validators=[DataRequired(message=_l("Write the agenda: what the meeting is for.")),
                                       Length(max=2000)])
    starts_on = DateField(_l("Date"), validators=[DataRequired(message=_l("Give the date."))])
    starts_time = TimeField(_l("Time"), validators=[DataRequired(message=_l("Give the time."))])
    duration_minutes = IntegerField(_l("Duration (minutes)"), default=60, validators=[
        DataRequired(message=_l("Give the duration.")),
        NumberRange(min=15, max=480, message=_l("Between 15 and 480 minutes."))])
    channel = SelectField(_l("Channel"), choices=_choices(labels.MEETING_CHANNELS), default="video")
    location = StringField(_l("Link or place"), validators=[Length(max=300)])
    case = SelectField(_l("Case"), coerce=int, default=0)
    recording = BooleanField(_l("Record the meeting"))
    recording_consent = BooleanField(_l("The client consented to the recording"))
    confirm = BooleanField(_l("Schedule anyway"))

    def prepare(self, case_choices=()):
        self.case.choices = [(0, _l("— no case —"))] + list(case_choices)
        return self

    @property
    def starts_at(self):
        return to_utc(datetime.combine(self.starts_on.data, self.starts_time.data))

    def validate_starts_time(self, field):
        if self.starts_on.data and field.data and self.starts_at <= utcnow():
            raise ValidationError(_l("The meeting must be in the future."))

    def validate_location(self, field):
        if self.channel.data in ("video", "in_person") and not (field.data or "").strip():
            raise ValidationError(_l("Give the link of the video call.") if self.channel.data == "video"
                                  else _l("Give the address of the meeting."))

    def validate_recording_consent(self, field):
        if self.recording.data and not field.data:
            raise ValidationError(_l("Record the meeting only with the client's consent: ask for it first."))

    def data_for_service(self) -> dict:
        return {"starts_at": self.starts_at, "duration_minutes": self.duration_minutes.data, "channel": self.channel.data,
                "location": (self.location.data or "").strip(), "agenda": self.agenda.data.strip(),
                "recording": bool(self.recording.data), "recording_consent": bool(self.recording.data and self.recording_consent.data),
                "case": self.case.data or None}

"""Forms for deadlines, holidays and the calendar feed (their words are in services/documents/labels.py).

The deadline form resolves its due date itself: typed, counted ("N business days from a date"), or the
next business day the page offered (a button named ``use_day``), then checks it against the calendar.
"""

from datetime import date, time

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField, SubmitField, TimeField
from wtforms.validators import AnyOf, DataRequired, Length, NumberRange, Optional, ValidationError

from core.forms import IntegerField, staff_groups
from core.i18n import lazy_gettext as _l
from services.documents import calendar, labels
from services.documents import deadlines as service

DEFAULT_TIME = time(17, 0)


class DeadlineForm(FlaskForm):
    description = StringField(_l("Description"), validators=[DataRequired(message=_l("Describe the deadline.")),
                                                             Length(max=300)])
    kind = SelectField(_l("Kind"), choices=list(labels.DEADLINE_KINDS.items()))
    due_on = DateField(_l("Due date"), validators=[Optional()])
    due_time = TimeField(_l("Time"), default=DEFAULT_TIME, validators=[Optional()])
    responsible = SelectField(_l("Responsible"), coerce=int, validate_choice=False)
    alert_days = StringField(_l("Alerts (days before, separated by commas)"), default="7,1",
                             validators=[Optional(), Length(max=40)])
    count_days = IntegerField(_l("Business days"), validators=[
        Optional(), NumberRange(min=1, max=365, message=_l("Between 1 and 365 business days."))])
    count_from = DateField(_l("Counted from"), validators=[Optional()])
    use_day = DateField(validators=[Optional()])  # the "use the next business day" button
    compute = SubmitField(_l("Compute the date"))

    offsets: list[int] = []
    offered: set = frozenset()
    suggestion: date | None = None
    computed: tuple[int, date, date] | None = None

    def offer_responsible(self, suggested) -> None:
        """The picker offers ``suggested`` (the case's team, the one writing, one already chosen who may); anyone
        else who works cases is found with the search under it."""
        self.responsible.choices = staff_groups(suggested)
        self.offered = {value for value, _label in suggested}

    def validate_responsible(self, field):
        if field.data not in self.offered:
            raise ValidationError(_("Choose who is responsible among the people offered or found by name."))

    def resolve(self, now_local, region: str) -> bool:
        """Validate, then settle the due date (counted, offered or typed) and check it. True when usable."""
        ok = self.validate()
        if self.use_day.errors:  # a tampered "next business day" button: say it beside the date
            self.due_on.errors, self.use_day.errors = [*self.due_on.errors, *self.use_day.errors], []
        try:
            self.offsets = service.parse_offsets(self.alert_days.data)
        except ValueError:
            self.alert_days.errors = [*self.alert_days.errors,
                                      _("Write whole days from 0 to 90 separated by commas, for example 7,1.")]
        if self.use_day.data:
            self.due_on.data, self.count_days.data, self.count_from.data = self.use_day.data, None, None
            self.due_on.raw_data = [self.use_day.data.isoformat()]
        elif self.count_days.data or self.count_from.data:
            self._count(region)
        if self.due_on.data is None and not self.due_on.errors and not self.count_days.errors \
                and not self.count_from.errors:
            self.due_on.errors = [*self.due_on.errors, _("Give the due date, or count business days from a date.")]
        if self.due_on.data and not self.due_on.errors:
            problem = service.due_problem(self.due_on.data, self.due_time.data or DEFAULT_TIME, now_local, region)
            if problem:
                self.due_on.errors = [*self.due_on.errors, problem.message]
                self.suggestion = problem.suggestion
        return ok and not self.has_errors()

    def _count(self, region: str) -> None:
        if not self.count_days.data:
            if not self.count_days.errors:  # a number refused already says why beside the field
                self.count_days.errors = [_("How many business days?")]
        elif not self.count_from.data:
            self.count_from.errors = [*self.count_from.errors, _("From which date?")]
        elif self.count_days.errors:
            return  # a number out of range is refused beside the field; nothing is counted with it
        else:
            try:
                due = calendar.add_business_days(self.count_from.data, self.count_days.data, region)
            except OverflowError:  # counting past the year 9999
                self.count_from.errors = [*self.count_from.errors, _("Counting from this date ends past the calendar.")]
                return
            self.due_on.data = due
            self.due_on.raw_data = [due.isoformat()]
            self.computed = (self.count_days.data, self.count_from.data, due)

    def has_errors(self) -> bool:
        return any(f.errors for f in self)

    def deadline_data(self, responsible) -> dict:
        return {"description": self.description.data.strip(), "kind": self.kind.data, "due_on": self.due_on.data,
                "due_time": self.due_time.data or DEFAULT_TIME, "responsible": responsible, "offsets": self.offsets}


class DeadlineStatusForm(FlaskForm):
    status = SelectField(choices=[(k, k) for k in labels.DEADLINE_STATES])


class HolidayForm(FlaskForm):
    region = HiddenField(validators=[AnyOf(list(labels.REGIONS))])
    day = DateField(_l("Day"), validators=[DataRequired(message=_l("Give the day."))])
    name = StringField(_l("Name of the holiday"), validators=[DataRequired(message=_l("Give the name.")),
                                                               Length(max=120)])


class HolidayLoadForm(FlaskForm):
    region = SelectField(_l("Country"), choices=list(labels.REGIONS.items()))
    year = IntegerField(_l("Year"), validators=[DataRequired(message=_l("Give the year.")), NumberRange(
        min=2000, max=2100, message=_l("A year between 2000 and 2100."))])

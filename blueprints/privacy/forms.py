"""Forms of the privacy domain: a data-subject request, its extension, its answer; the access review's filter."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import HiddenInput

from core.forms import IntegerField, stripped
from core.guard import ROLES
from core.i18n import lazy_gettext as _l
from core.i18n import today_local
from services.privacy import labels

MIN_YEAR = 1900


def plausible_past(form, field):
    if field.data and field.data.year < MIN_YEAR:
        raise ValidationError(_l("That date is not possible."))
    if field.data and field.data > today_local():
        raise ValidationError(_l("The day cannot be in the future."))


class RequestForm(FlaskForm):
    kind = SelectField(_l("Kind of request"), choices=list(labels.DSR_KINDS.items()), default="query")
    channel = SelectField(_l("Channel"), choices=list(labels.DSR_CHANNELS.items()), default="email")
    received_on = DateField(_l("Received on"), validators=[DataRequired(message=_l("Give the day it was received.")),
                                                         plausible_past])
    message = TextAreaField(_l("What the requester asks"), filters=[stripped], render_kw={"rows": 4}, validators=[
        DataRequired(message=_l("Write down what the requester asks, in their words.")), Length(max=8000)])
    identity_method = SelectField(_l("How the identity was checked"), choices=list(labels.IDENTITY_METHODS.items()),
                                  default="pending")
    identity_notes = TextAreaField(_l("Identity check notes"), filters=[stripped], render_kw={"rows": 2},
                                   validators=[Length(max=500)])  # no Optional(): the check below needs it empty
    assignee = SelectField(_l("Assigned to"), coerce=int, validate_choice=True)

    def validate_identity_notes(self, field):
        if self.identity_method.data in ("document", "registered_contact", "representative") and not field.data:
            raise ValidationError(_l("Say how the identity was checked (which document, which contact, which power)."))


class ExtendForm(FlaskForm):
    extension_reason = TextAreaField(_l("Reason told to the requester"), filters=[stripped], render_kw={"rows": 3},
                                     validators=[DataRequired(message=_l("Write the reason told to the requester.")),
                                                 Length(min=10, max=8000, message=_l(
                                                     "Write the reason told to the requester (10 characters at least)."))])


class CloseForm(FlaskForm):
    outcome = SelectField(_l("Outcome"), choices=[("answered", labels.DSR_STATES["answered"]),
                                                  ("rejected", labels.DSR_STATES["rejected"])], default="answered")
    answer = TextAreaField(_l("Answer given to the requester"), filters=[stripped], render_kw={"rows": 5}, validators=[
        DataRequired(message=_l("Write the answer given to the requester.")), Length(max=8000)])
    evidence_note = TextAreaField(_l("Evidence note"), filters=[stripped], render_kw={"rows": 2},
                                  validators=[Optional(), Length(max=8000)])
    evidence = FileField(_l("Evidence file (optional)"))


class StaffReadsForm(FlaskForm):
    class Meta:
        csrf = False

    persona = SelectField(_l("Staff member"), coerce=int, validate_choice=False)
    desde = DateField(_l("From"), validators=[Optional()])
    hasta = DateField(_l("To"), validators=[Optional()])


class AccessReviewForm(FlaskForm):
    """Opening an access review: the period whose confidential reads each line counts."""

    desde = DateField(_l("From"), validators=[DataRequired(message=_l("Give the period's first day.")), plausible_past])
    hasta = DateField(_l("To"), validators=[DataRequired(message=_l("Give the period's last day.")), plausible_past])

    def validate_hasta(self, field):
        if field.data and self.desde.data and field.data < self.desde.data:
            raise ValidationError(_l("The period must start on or before its end."))


class LineDecisionForm(FlaskForm):
    """One line of an access review: confirmed, adjusted (with what changed) or revoked (roles or account)."""

    decision = SelectField(_l("Decision"), choices=[("confirmed", _l("Confirmed")), ("adjusted", _l("Adjusted")),
                                                    ("revoked", _l("Revoked"))], default="confirmed")
    note = TextAreaField(_l("Note (what changed)"), filters=[stripped], render_kw={"rows": 2},
                         validators=[Length(max=2000)])
    revoke = SelectField(_l("When revoked"), choices=[("", "—"), ("roles", _l("Remove every role")),
                                                      ("account", _l("Deactivate the account"))], default="")


class LineFilterForm(FlaskForm):
    """The access review page's filter (a GET): by decision, by a role the person held, by name or email."""

    class Meta:
        csrf = False

    estado = SelectField(_l("Decision"), validators=[Optional()], choices=[
        ("", _l("All")), ("undecided", _l("Undecided")), ("decided", _l("Decided")), ("confirmed", _l("Confirmed")),
        ("adjusted", _l("Adjusted")), ("revoked", _l("Revoked"))])
    rol = SelectField(_l("Role"), validators=[Optional()], choices=[("", _l("All roles")), *ROLES.items()])
    q = StringField(_l("Name or email"), filters=[stripped], validators=[Optional(), Length(max=100)],
                    render_kw={"type": "search", "autocomplete": "off"})


class ErasureForm(FlaskForm):
    """Carrying out an erasure or a blocking: the reason (without personal data: it is kept) and a confirmation."""

    reason = TextAreaField(_l("Reason"), filters=[stripped], render_kw={"rows": 2}, validators=[
        DataRequired(message=_l("Say why, without personal data (for example the request's code).")),
        Length(max=500)])
    confirm = BooleanField(_l("I understand that this cannot be undone"), validators=[
        DataRequired(message=_l("Confirm that you understand it cannot be undone."))])
    peticion = IntegerField(widget=HiddenInput(), validators=[Optional(), NumberRange(min=1, max=2**63 - 1)])

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from core.forms import EMAIL, CheckboxList, SameOptions, stripped
from core.guard import ROLES
from core.i18n import lazy_gettext as _l
from core.i18n import lazy_pgettext


def role_choices():
    return [(key, label) for key, label in ROLES.items()]


class InviteForm(FlaskForm):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120)], render_kw={"autocomplete": "off"})
    email = StringField(_l("Email"), validators=[DataRequired(), Regexp(EMAIL, message=_l("Enter a valid email address.")),
                                                 Length(max=254)], render_kw={"type": "email", "autocomplete": "off"})
    roles = CheckboxList(_l("Roles"), choices=role_choices(), validators=[DataRequired(message=_l("Choose at least one role."))])


class RolesForm(FlaskForm):
    roles = CheckboxList(_l("Roles"), choices=role_choices())
    supervisor = SelectField(_l("Supervisor"), coerce=int, validate_choice=True)


class ResetTwoFactorForm(FlaskForm):
    reason = TextAreaField(_l("Reason or ticket"), validators=[DataRequired(), Length(min=5, max=500)],
                           render_kw={"rows": 3})


class UserFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    role = SelectField(_l("Role"), choices=[("", _l("All roles")), *role_choices()], validators=[Optional()])
    status = SelectField(_l("Status"), validators=[Optional()], choices=[
        ("", lazy_pgettext("status", "All")), ("active", _l("Active")), ("inactive", _l("Deactivated")), ("locked", _l("Locked"))])


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    action = SelectField(_l("Event"), validators=[Optional()], choices=[], widget=SameOptions())
    object_type = SelectField(_l("Object type"), validators=[Optional()], choices=[], widget=SameOptions())
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("Until"), validators=[Optional()])


class PracticeAreaForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=1000)], filters=[stripped],
                                render_kw={"rows": 2})


class PrivacyNoticeForm(FlaskForm):
    text = TextAreaField(_l("Text of the privacy notice"), validators=[DataRequired(), Length(min=50, max=20000)],
                         render_kw={"rows": 14})

from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp, ValidationError

from core import passwords
from core.i18n import lazy_gettext as _l


class LoginForm(FlaskForm):
    email = StringField(_l("Email"), validators=[DataRequired(), Length(max=254)],
                        render_kw={"autocomplete": "username", "type": "email", "autofocus": True})
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)],
                             render_kw={"autocomplete": "current-password"})


class ForgotPasswordForm(FlaskForm):
    email = StringField(_l("Email"), validators=[DataRequired(message=_l("Write the email you sign in with.")),
                                                 Length(max=254), Regexp(r"^[^@\s]+@[^@\s]+$",
                                                                         message=_l("Enter a valid email address."))],
                        render_kw={"autocomplete": "username", "type": "email", "autofocus": True})


class CodeForm(FlaskForm):
    code = StringField(_l("Verification code"), validators=[DataRequired(), Length(max=10)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*",
                                  "maxlength": "7", "autofocus": True})


class RecoveryForm(FlaskForm):
    recovery_code = StringField(_l("Recovery code"), validators=[DataRequired(), Length(max=40)],
                                render_kw={"autocomplete": "off", "autofocus": True, "spellcheck": "false"})


class NewPasswordMixin:
    def validate_password(self, field):
        reason = passwords.problem(field.data or "", getattr(self, "_user", None))
        if reason:
            raise ValidationError(reason)


class SetPasswordForm(NewPasswordMixin, FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired()],
                             render_kw={"autocomplete": "new-password", "autofocus": True})
    confirm = PasswordField(_l("Repeat the password"),
                            validators=[DataRequired(), EqualTo("password", message=_l("The two passwords do not match."))],
                            render_kw={"autocomplete": "new-password"})

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self._user = user


class ChangePasswordForm(SetPasswordForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=1024)],
                            render_kw={"autocomplete": "current-password"})


class ConfirmForm(FlaskForm):
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)],
                             render_kw={"autocomplete": "current-password", "autofocus": True})
    next = HiddenField()


class LanguageForm(FlaskForm):
    locale = SelectField(_l("Language"), choices=[("es", "Español"), ("en", "English")])


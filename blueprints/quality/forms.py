"""The indicators' period and filters (GET, no CSRF: they change nothing)."""

from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import SelectField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional
from wtforms.widgets import Select, html_params

from core.forms import DecimalField, PeriodFilterForm, int_or_zero
from core.i18n import lazy_gettext as _l


class PlainSelect(Select):
    """WTForms' select, the same markup, with each plain option written directly: the responsible filter lists
    everyone responsible for a client (over a thousand at full size), and html_params and a Markup per option
    cost more than the rest of the page's rendering."""

    def __call__(self, field, **kwargs):
        if field.has_groups():
            return super().__call__(field, **kwargs)
        kwargs.setdefault("id", field.id)
        if self.multiple:
            kwargs["multiple"] = True
        flags = getattr(field, "flags", {})
        for k in dir(flags):
            if k in self.validation_attrs and k not in kwargs:
                kwargs[k] = getattr(flags, k)
        html = [f"<select {html_params(name=field.name, **kwargs)}>"]
        for value, label, selected, render_kw in field.iter_choices():
            if render_kw or value is True or value is False:
                html.append(self.render_option(value, label, selected, **render_kw))
            else:
                html.append(f'<option {"selected " if selected else ""}value="{escape(value)}">{escape(label)}</option>')
        html.append("</select>")
        return Markup("".join(html))  # noqa: S704 (every label and value escaped above, as WTForms does)


class IndicatorFilterForm(PeriodFilterForm):
    area = SelectField(_l("Practice area"), coerce=int_or_zero, validators=[Optional()], validate_choice=False,
                       widget=PlainSelect())
    responsable = SelectField(_l("Responsible"), coerce=int_or_zero, validators=[Optional()], validate_choice=False,
                              widget=PlainSelect())
    tipo = SelectField(_l("Client kind"), validators=[Optional()], validate_choice=False, widget=PlainSelect())


class TargetForm(FlaskForm):
    """An indicator's target: the value to reach and who answers for it."""

    target = DecimalField(_l("Target"), places=None,
                          validators=[InputRequired(message=_l("Write the value to reach.")),
                                      NumberRange(min=-100, max=10000, message=_l("Write a value between -100 and 10000."))])
    owner = SelectField(_l("Owner"), coerce=int_or_zero,
                        validators=[DataRequired(message=_l("Choose who answers for the target."))])

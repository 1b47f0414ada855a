"""Forms of the manual: a document's own fields, a version's text, sending back or withdrawing, an attachment."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from core.forms import CheckboxList, IntegerField, stripped
from core.guard import ROLES
from core.i18n import lazy_gettext as _l
from services.manual import labels

SECTION_HELP = _l("Markdown: **bold**, lists with - or 1., ### for a sub-heading.")


class VersionFields:
    """The eight sections of PRO 008 and the change record, shared by a new document and the version editor."""

    objective = TextAreaField(labels.SECTIONS["objective"], render_kw={"rows": 3}, validators=[Length(max=20000)])
    scope = TextAreaField(labels.SECTIONS["scope"], render_kw={"rows": 3}, validators=[Length(max=20000)])
    responsibilities = TextAreaField(labels.SECTIONS["responsibilities"], render_kw={"rows": 6},
                                     validators=[Length(max=20000)])
    definitions = TextAreaField(labels.SECTIONS["definitions"], render_kw={"rows": 4}, validators=[Length(max=20000)])
    procedure = TextAreaField(labels.SECTIONS["procedure"], render_kw={"rows": 14}, validators=[Length(max=20000)])
    records = TextAreaField(labels.SECTIONS["records"], render_kw={"rows": 3}, validators=[Length(max=20000)])
    indicators = TextAreaField(labels.SECTIONS["indicators"], render_kw={"rows": 3}, validators=[Length(max=20000)])
    related = TextAreaField(labels.SECTIONS["related"], render_kw={"rows": 3}, validators=[Length(max=20000)])
    change_summary = StringField(_l("What this version changes"), filters=[stripped], validators=[
        DataRequired(message=_l("Say in a line what this version changes.")),
        Length(max=300, message=_l("The change summary is one line (300 characters at most)."))])
    justification = TextAreaField(_l("Why it changes"), filters=[stripped], render_kw={"rows": 3}, validators=[
        DataRequired(message=_l("Explain why the document changes.")), Length(max=4000)])


class DocumentFields:
    code = StringField(_l("Code"), filters=[stripped], validators=[
        DataRequired(message=_l("Give the document's code, as the firm writes it (PRO 008).")),
        Length(max=20, message=_l("The code is 20 characters at most."))])
    title = StringField(_l("Title"), filters=[stripped], validators=[
        DataRequired(message=_l("Give the document's title.")), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=list(labels.DOCUMENT_KINDS.items()), default="procedure")
    owner = SelectField(_l("Owner"), coerce=int, validate_choice=True)
    created_label = StringField(_l("Created by (header)"), filters=[stripped], validators=[Length(max=60)])
    approved_label = StringField(_l("Approved by (header)"), filters=[stripped], validators=[Length(max=60)])


class DocumentForm(DocumentFields, VersionFields, FlaskForm):
    pass


class DocumentEditForm(DocumentFields, FlaskForm):
    pass


class VersionForm(VersionFields, FlaskForm):
    pass


class NoteForm(FlaskForm):
    review_note = TextAreaField(_l("What has to change"), filters=[stripped], render_kw={"rows": 3}, validators=[
        DataRequired(message=_l("Say what has to change before it can be approved.")), Length(max=4000)])


class WithdrawForm(FlaskForm):
    end_reason = TextAreaField(_l("Why it is withdrawn"), filters=[stripped], render_kw={"rows": 2}, validators=[
        DataRequired(message=_l("Say why the document is withdrawn.")), Length(max=4000)])


class AttachmentForm(FlaskForm):
    title = StringField(_l("Name of the template or form"), filters=[stripped], validators=[Length(max=200)])
    file = FileField(_l("File (PDF, PNG or JPEG)"))


# ----- the review calendar and acknowledgements (issue 17, items 3 and 4) -----

class PlanForm(FlaskForm):
    review_months = IntegerField(_l("Review every (months)"), default=12, validators=[
        InputRequired(message=_l("Between 0 (no periodic review) and 60 months.")),
        NumberRange(min=0, max=60, message=_l("Between 0 (no periodic review) and 60 months."))])
    next_review_on = DateField(_l("Next review"), validators=[Optional()])
    concerned_roles = CheckboxList(_l("Roles it concerns (asked to read each new version)"),
                                   choices=list(ROLES.items()))


class ReviewForm(FlaskForm):
    outcome = SelectField(_l("What the review found"), choices=list(labels.REVIEW_OUTCOMES.items()),
                          default="still_valid")
    note = TextAreaField(_l("What was checked"), filters=[stripped], render_kw={"rows": 3},
                         validators=[Length(max=4000)])
    law_change = TextAreaField(_l("Change in the law that prompted it (if any)"), filters=[stripped],
                               render_kw={"rows": 2}, validators=[Length(max=4000)])


class AgreementForm(FlaskForm):
    kind = SelectField(_l("Signed by"), choices=list(labels.AGREEMENT_KINDS.items()), default="staff")
    user = SelectField(_l("Member of staff"), coerce=int, validate_choice=True)
    person_name = StringField(_l("Name (contractor, or as signed)"), filters=[stripped], validators=[Length(max=120)])
    organisation = StringField(_l("Company (contractor)"), filters=[stripped], validators=[Length(max=200)])
    policy_version = SelectField(_l("Policy version accepted"), coerce=int, validate_choice=True)
    signed_on = DateField(_l("Signed on"), validators=[InputRequired(message=_l("Give the day it was signed."))])
    consequences = TextAreaField(_l("Consequences of a breach"), filters=[stripped], render_kw={"rows": 3},
                                 validators=[Length(max=4000)])
    file = FileField(_l("Signed copy (PDF, PNG or JPEG, optional)"))

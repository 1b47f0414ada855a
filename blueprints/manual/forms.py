"""Forms of the manual: a document's own fields, a version's text, sending back or withdrawing, an attachment."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from core.forms import stripped
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

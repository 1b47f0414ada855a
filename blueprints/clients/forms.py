from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from wtforms import (
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from core.forms import EMAIL, CheckboxList, stripped
from core.i18n import lazy_gettext as _l
from core.i18n import lazy_pgettext
from core.validation import compact_document, normalise_phone, valid_document
from models.clients import TRANSITIONS
from services.clients import labels


def _choices(mapping, blank=None):
    items = list(mapping.items())
    return ([("", blank)] if blank is not None else []) + items


def _email(value):
    return stripped(value).lower() if isinstance(value, str) else value


COUNTERPARTY_WORDS = ("related", "relacionada", "relacionado", "vinculada", "vinculado")


def parse_parties(text) -> tuple[list[dict], str | None]:
    """The "Contrapartes" box, one party a line: ``name; document type and number; related``. Returns the
    parties of the lines that parse and the message for the first line that does not (None when all do)."""
    parties, problem = [], None
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split(";")]
        party = {"name": parts[0][:200], "kind": "counterparty", "document_type": "", "document_number": ""}
        line_problem = None if party["name"] else _l("Line %(n)d: write the name first.", n=number)
        for extra in parts[1:]:
            if extra.lower() in COUNTERPARTY_WORDS:
                party["kind"] = "related"
            elif extra:
                doc_type, _sep, doc_number = extra.partition(" ")
                if doc_type.upper() not in labels.DOCUMENT_TYPES or not valid_document(doc_type.upper(), doc_number):
                    line_problem = line_problem or _l("Line %(n)d: the document must be a type and a valid number, "
                                                      "like 'NIT 900123456-8'.", n=number)
                else:
                    party["document_type"], party["document_number"] = doc_type.upper(), compact_document(doc_number)
        if line_problem:
            problem = problem or line_problem
        else:
            parties.append(party)
    return parties, problem


class ClientForm(FlaskForm):
    kind = RadioField(_l("Client is a"), choices=_choices(labels.KINDS), default="person")
    name = StringField(_l("Full name or company name"), validators=[DataRequired(), Length(max=200)],
                       render_kw={"autocomplete": "off"})
    document_type = SelectField(_l("Identity document"), choices=_choices(labels.DOCUMENT_TYPES, _l("— none yet —")),
                                validators=[Optional()])
    # No Optional(): a type chosen with the number left empty must reach validate_document_number.
    document_number = StringField(_l("Document number"), validators=[Length(max=30)], filters=[stripped],
                                  render_kw={"autocomplete": "off", "spellcheck": "false"})
    email = StringField(_l("Email"), validators=[Optional(), Length(max=254), Regexp(EMAIL, message=_l("Enter a valid email address."))],
                        filters=[_email], render_kw={"type": "email", "autocomplete": "off"})
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=30)], render_kw={"type": "tel"})
    phone_alt = StringField(_l("Other phone"), validators=[Optional(), Length(max=30)], render_kw={"type": "tel"})
    address = StringField(_l("Address"), validators=[Optional(), Length(max=200)])
    city = StringField(_l("City"), validators=[Optional(), Length(max=100)])
    country = SelectField(_l("Country"), choices=_choices(labels.COUNTRIES), default="CO")
    preferred_channel = SelectField(_l("Preferred channel"), choices=_choices(labels.CHANNELS), default="email")
    source = SelectField(_l("How did they reach us?"), choices=_choices(labels.SOURCES), default="other")
    referred_by = StringField(_l("Referred by (client's document number or exact name)"),
                              validators=[Optional(), Length(max=200)])
    practice_area = SelectField(_l("Practice area"), coerce=int, validators=[DataRequired(message=_l("Choose the practice area."))])
    responsible = SelectField(_l("Responsible"), coerce=int, validators=[Optional()])
    customer_type = SelectField(_l("Customer type"), choices=_choices(labels.CUSTOMER_TYPES, _l("— not yet known —")),
                                validators=[Optional()])
    need = TextAreaField(_l("What do they need?"), validators=[DataRequired(), Length(max=4000)], render_kw={"rows": 4})
    special_requirements = TextAreaField(_l("Special requirements"), validators=[Optional(), Length(max=2000)],
                                         render_kw={"rows": 2})
    counterparties = TextAreaField(
        _l("Counterparties and related parties"), validators=[Optional(), Length(max=4000)], render_kw={"rows": 3},
        description=_l("One per line: name; document type and number (optional); 'related' if it is not a counterparty. "
                       "Example: Constructora Andina S.A.S.; NIT 900123456-8"))
    confirm = HiddenField()
    keeps_document = False  # the edit form: a blank number keeps the stored one

    def validate_document_number(self, field):
        doc_type, number = self.document_type.data, field.data
        if number and not doc_type:
            raise ValidationError(_l("Choose the type of document."))
        if doc_type and not number and not self.keeps_document:
            raise ValidationError(_l("Enter the document number or leave the type empty."))
        if number and not valid_document(doc_type, number):
            raise ValidationError(_l("This is not a valid number for that type of document."))
        allowed = labels.COMPANY_DOCUMENTS if self.kind.data == "company" else labels.PERSON_DOCUMENTS
        if doc_type and doc_type not in allowed and self.kind.data in labels.KINDS:  # an unknown kind is said beside it
            raise ValidationError(_l("That document does not fit a %(kind)s.", kind=labels.KINDS[self.kind.data].lower()))

    def _validate_phone(self, field):
        if field.data:
            try:
                field.data = normalise_phone(field.data, self.country.data)
            except ValueError:
                raise ValidationError(_l("This is not a valid phone number for the country chosen.")) from None

    validate_phone = _validate_phone
    validate_phone_alt = _validate_phone

    @property
    def parsed_counterparties(self) -> list[dict]:
        """Computed from the field, never left by a validator: an empty box is no parties (Optional() skips
        validate_counterparties then), and a valid form's every line parses."""
        return parse_parties(self.counterparties.data)[0]

    def validate_counterparties(self, field):
        problem = parse_parties(field.data)[1]
        if problem:
            raise ValidationError(problem)


class DecisionForm(FlaskForm):
    decision = RadioField(_l("Decision"), choices=_choices(labels.DECISIONS), validators=[DataRequired()])
    # Its own id: the status form on the same tab has a "reason" too, and a label must name one field.
    reason = TextAreaField(_l("Reason"), validators=[Length(max=2000)], render_kw={"rows": 2}, id="conflict-reason")
    check = None  # the ConflictCheck decided on: a strong match makes "no conflict" need a reason too

    def validate_reason(self, field):
        if len((field.data or "").strip()) >= 5:
            return
        if self.decision.data == "clear" and self.check is not None and self.check.needs_reason("clear"):
            raise ValidationError(_l("The search found a strong match: explain why there is no conflict."))
        if self.decision.data in ("waived", "conflict"):
            raise ValidationError(_l("Explain the decision (at least a few words)."))


class TransitionForm(FlaskForm):
    to = HiddenField(validators=[DataRequired()])
    reason = TextAreaField(_l("Reason"), validators=[Length(max=2000)], render_kw={"rows": 2})

    def validate_to(self, field):
        if field.data not in {s for targets in TRANSITIONS.values() for s in targets}:
            raise ValidationError(_l("Unknown status."))

    def validate_reason(self, field):
        if self.to.data == "rejected" and len((field.data or "").strip()) < 5:
            raise ValidationError(_l("Say why the client is rejected."))


class RevealForm(FlaskForm):
    field = HiddenField(default="document_number")
    reason = StringField(_l("Why do you need to see it?"), validators=[DataRequired(), Length(min=4, max=200)],
                         render_kw={"autocomplete": "off"})


class ClientFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    status = SelectField(_l("Status"), choices=_choices(labels.STATUSES, lazy_pgettext("status", "All")), validators=[Optional()])
    practice_area = SelectField(_l("Practice area"), coerce=lambda v: int(v) if v else 0, validators=[Optional()])
    responsible = SelectField(_l("Responsible"), validators=[Optional()],
                              choices=[("", _l("Anyone")), ("me", _l("Mine")), ("none", _l("Unassigned"))])
    source = SelectField(_l("Source"), choices=_choices(labels.SOURCES, lazy_pgettext("source", "All")), validators=[Optional()])
    sort = SelectField(_l("Sort by"), validators=[Optional()],
                       choices=[("name", _l("Name")), ("-created", _l("Newest first")), ("status", _l("Status"))])


class EvaluationForm(FlaskForm):
    specialty_fit = RadioField(_l("Does the need fall in our practice areas?"), validators=[Optional()],
                               choices=[("yes", _l("Yes")), ("no", _l("No")), ("", _l("Not judged yet"))], default="")
    viability_notes = TextAreaField(_l("Viability"), validators=[Optional(), Length(max=4000)], render_kw={"rows": 3})
    consultation_date = DateField(_l("Initial consultation: date"), validators=[Optional()])
    consultation_time = TimeField(_l("Time"), validators=[Optional()])
    consultation_mode = SelectField(_l("Mode"), choices=_choices(labels.CONSULTATION_MODES, _l("—")), validators=[Optional()])
    attendees = StringField(_l("Attendees"), validators=[Optional(), Length(max=300)])
    consultation_notes = TextAreaField(_l("Notes of the consultation"), validators=[Optional(), Length(max=4000)],
                                       render_kw={"rows": 3})
    expectations = TextAreaField(_l("Expectations agreed with the client"), validators=[Optional(), Length(max=2000)],
                                 render_kw={"rows": 2})

    def validate_consultation_time(self, field):
        if field.data and not self.consultation_date.data:
            raise ValidationError(_l("Give the date of the consultation too."))

    def validate_consultation_date(self, field):
        if field.data and not (2000 <= field.data.year <= 2100):
            raise ValidationError(_l("That date is not possible."))


class VerificationForm(FlaskForm):
    item = HiddenField(validators=[DataRequired()])
    state = SelectField(_l("State"), choices=_choices(labels.VERIFICATION_STATES))
    notes = StringField(_l("Notes"), validators=[Optional(), Length(max=500)])
    file = FileField(_l("File (optional)"))


class ConsentForm(FlaskForm):
    purposes = CheckboxList(_l("Purposes the client agrees to"), choices=_choices(labels.PURPOSES),
                            validators=[DataRequired(message=_l("Choose at least one purpose."))])
    method = SelectField(_l("How was it given?"), choices=_choices(labels.CONSENT_METHODS))
    given_on = DateField(_l("Date"), validators=[DataRequired(message=_l("Give the date."))])
    notes = StringField(_l("Notes (e.g. where the signed form is kept)"), validators=[Optional(), Length(max=500)])
    evidence = FileField(_l("Signed form or other evidence (optional)"))

    def validate_given_on(self, field):
        from core.i18n import today_local

        if field.data and (field.data > today_local() or field.data.year < 2000):
            raise ValidationError(_l("The date cannot be in the future."))


class WithdrawForm(FlaskForm):
    purpose = HiddenField(validators=[DataRequired()])
    method = SelectField(_l("How was it withdrawn?"), choices=_choices(labels.CONSENT_METHODS))

    def validate_purpose(self, field):
        if field.data not in labels.PURPOSES:
            raise ValidationError(_l("Unknown purpose."))


class SensitiveForm(FlaskForm):
    sensitive_data = TextAreaField(_l("Sensitive personal data"), validators=[Optional(), Length(max=4000)],
                                   render_kw={"rows": 3},
                                   description=_l("Health, disability or similar data the service needs. Stored encrypted."))


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileAllowed(["csv", "txt"], _l("Upload a .csv file."))])
    responsible = SelectField(_l("Responsible"), coerce=int, validators=[Optional()])
    packed = HiddenField()  # the checked file, sent back by the result page (services.clients.io.pack)
    confirm = HiddenField()  # "1": import every row; "valid": import the valid rows, leave the rejected ones out

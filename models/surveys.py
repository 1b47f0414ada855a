"""Satisfaction surveys (PRO-008 §5.4, "Registro de Satisfacción"): templates with their questions,
invitations sent to clients with single-use links, and the responses.

- A **template** is versioned: editing one that already has answers copies it into a new version of the
  same family (``family`` = id of the first version); answers keep the version they answered.
- An **invitation** belongs to one client (and usually the closed case it evaluates). Every message sent
  for it (the invitation, each reminder, a link handed over by hand) carries its own 256-bit token, of
  which only the SHA-256 is stored (``SurveyLink``, SECURITY.md PS1); the first answer consumes the
  invitation atomically, so every link of it stops working at once (PS2). Reissuing revokes the earlier
  links.
- A **response** of an anonymous template keeps no link to the invitation, the client or the case, and its
  time is kept to the day: staff views and exports can only count it.
"""

from peewee import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    SmallIntegerField,
    TextField,
)

from core.db import BaseModel
from models.cases import Case
from models.catalog import PracticeArea
from models.clients import Client
from models.users import User

QUESTION_KINDS = ("rating", "nps", "choice", "yes_no", "text")
# The evaluation criteria of the firm's customer-service material, plus the overall opinion.
CRITERIA = ("response_times", "communication", "courtesy", "commitments", "accessibility", "facilities", "overall")
INVITATION_STATES = ("pending", "sent", "opened", "answered", "expired", "withdrawn")
TEXT_MAX = 2000  # characters of one free-text answer


class SurveyTemplate(BaseModel):
    family = IntegerField(index=True, default=0)  # id of the first version; 0 until that row has an id
    version = SmallIntegerField(default=1)
    is_current = BooleanField(default=True)  # the latest version of its family
    is_active = BooleanField(default=True)  # offered for new invitations
    is_default = BooleanField(default=False)  # used when a case closes
    name = CharField(max_length=200)
    intro = TextField(default="")  # shown above the questions on the public form
    anonymous = BooleanField(default=False)
    created_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")

    class Meta:
        indexes = ((("family", "version"), True),)


class SurveyQuestion(BaseModel):
    template = ForeignKeyField(SurveyTemplate, backref="questions", on_delete="CASCADE")
    position = SmallIntegerField(default=0)
    kind = CharField(max_length=8, default="rating")
    text = CharField(max_length=500)
    help = CharField(max_length=300, default="")
    required = BooleanField(default=True)
    choices = TextField(default="")  # one option per line (kind "choice")
    criterion = CharField(max_length=16, default="")  # one of CRITERIA for per-criterion averages, or ""

    class Meta:
        indexes = ((("template", "position"), False),)

    @property
    def options(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class SurveyInvitation(BaseModel):
    template = ForeignKeyField(SurveyTemplate, backref="invitations", on_delete="RESTRICT")
    client = ForeignKeyField(Client, backref="survey_invitations", on_delete="CASCADE")
    case = ForeignKeyField(Case, null=True, backref="survey_invitations", on_delete="SET NULL")
    email = CharField(max_length=254, default="")  # where it goes; "" = handed over by link or QR
    status = CharField(max_length=9, default="pending")
    send_on = DateField()  # the job sends pending invitations from this day on
    sent_at = DateTimeField(null=True)
    opened_at = DateTimeField(null=True)  # first time the form was shown
    answered_at = DateTimeField(null=True)
    expires_at = DateTimeField()  # UTC
    reminders_sent = SmallIntegerField(default=0)
    last_sent_at = DateTimeField(null=True)  # invitation or last reminder
    withdrawn_at = DateTimeField(null=True)
    created_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")

    class Meta:
        indexes = ((("status", "send_on"), False), (("client", "id"), False), (("case", "id"), False),
                   (("status", "sent_at"), False))


class SurveyLink(BaseModel):
    """One single-use link of an invitation: the SHA-256 of its token, never the token (PS1)."""

    invitation = ForeignKeyField(SurveyInvitation, backref="links", on_delete="CASCADE")
    token_hash = CharField(max_length=64, unique=True)
    purpose = CharField(max_length=8, default="email")  # email, reminder, manual
    revoked_at = DateTimeField(null=True)


class SurveyResponse(BaseModel):
    template = ForeignKeyField(SurveyTemplate, backref="responses", on_delete="RESTRICT")
    # Empty for anonymous templates: nothing ties the answer to who gave it.
    invitation = ForeignKeyField(SurveyInvitation, null=True, unique=True, backref="+", on_delete="SET NULL")
    client = ForeignKeyField(Client, null=True, backref="survey_responses", on_delete="SET NULL")
    case = ForeignKeyField(Case, null=True, backref="survey_responses", on_delete="SET NULL")
    anonymous = BooleanField(default=False)
    # For the filters and the analysis (kept for anonymous answers too: they only ever feed counts).
    practice_area = ForeignKeyField(PracticeArea, null=True, backref="+", on_delete="SET NULL")
    responsible = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    answered_on = DateField()  # the firm's local day
    month = DateField()  # first day of that month, for the trend
    # Summary of the ratings, so the analysis reads one row per response.
    ratings_count = SmallIntegerField(default=0)
    ratings_sum = SmallIntegerField(default=0)
    ratings_high = SmallIntegerField(default=0)  # ratings of 4 or 5
    min_rating = SmallIntegerField(null=True)
    nps = SmallIntegerField(null=True)  # 0–10
    has_comment = BooleanField(default=False)
    low_score = BooleanField(default=False)

    class Meta:
        indexes = ((("month",), False), (("practice_area", "month"), False), (("responsible", "month"), False),
                   (("answered_on",), False))


class SurveyAnswer(BaseModel):
    response = ForeignKeyField(SurveyResponse, backref="answers", on_delete="CASCADE")
    question = ForeignKeyField(SurveyQuestion, backref="+", on_delete="RESTRICT")
    criterion = CharField(max_length=16, default="")  # copied from the question, for the per-criterion averages
    score = SmallIntegerField(null=True)  # rating 1–5, NPS 0–10, yes/no as 1/0
    value = TextField(default="")  # the chosen option or the free text

    class Meta:
        indexes = ((("response", "question"), True), (("criterion", "score"), False))

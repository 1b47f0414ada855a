"""Satisfaction surveys (PRO-008 §5.4, "Registro de Satisfacción"): templates with their questions,
invitations sent to clients with single-use links, and the responses.

- A **template** is versioned: editing one that already has answers copies it into a new version of the
  same family (``family`` = id of the first version); answers keep the version they answered.
- An **invitation** belongs to one client (and usually the closed case it evaluates). Every message sent
  for it (the invitation, each reminder, a link handed over by hand) carries its own 256-bit token, of
  which only the SHA-256 is stored (``SurveyLink``, SECURITY.md PS1); the first answer consumes the
  invitation atomically, so every link of it stops working at once (PS2). Reissuing revokes the earlier
  links.
- A **response** of an anonymous template keeps no link to the invitation, the client, the case, the
  practice area or the responsible, and its time is kept to the day: staff views and exports can only
  count it.
"""

from peewee import (
    JOIN,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    SmallIntegerField,
    TextField,
    fn,
)

from core.db import BaseModel, count, utcnow
from models.cases import Case
from models.catalog import PracticeArea
from models.clients import Client
from models.users import User

QUESTION_KINDS = ("rating", "nps", "choice", "yes_no", "text")
# The evaluation criteria of the firm's customer-service material, plus the overall opinion.
CRITERIA = ("response_times", "communication", "courtesy", "commitments", "accessibility", "facilities", "overall")
INVITATION_STATES = ("pending", "sent", "opened", "answered", "expired", "withdrawn")
# What staff see (SurveyInvitation.shown_status): an invitation of an anonymous survey reads "sent" while its
# link lives and "closed" afterwards, whether it was opened or answered or not.
SHOWN_STATES = (*INVITATION_STATES, "closed")
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

    # ----- queries (staff side) -----

    @classmethod
    def current_default(cls):
        return (cls.select().where(cls.is_default == True, cls.is_current == True)  # noqa: E712
                .order_by(cls.id.desc()).first())

    @classmethod
    def offered(cls):
        """Current, active versions: what a new invitation may use."""
        return cls.select().where(cls.is_current == True, cls.is_active == True).order_by(  # noqa: E712
            cls.is_default.desc(), cls.name)

    @classmethod
    def listing(cls):
        """The current version of every family, with its number of questions, invitations and answers
        (one query whatever the number of templates)."""
        questions = (SurveyQuestion.select(fn.COUNT(SurveyQuestion.id)).where(SurveyQuestion.template == cls.id))
        invitations = (SurveyInvitation.select(fn.COUNT(SurveyInvitation.id))
                       .where(SurveyInvitation.template == cls.id))
        responses = (SurveyResponse.select(fn.COUNT(SurveyResponse.id)).where(SurveyResponse.template == cls.id))
        return (cls.select(cls, questions.alias("n_questions"), invitations.alias("n_invitations"),
                           responses.alias("n_responses"))
                .where(cls.is_current == True).order_by(cls.is_default.desc(), cls.name, cls.id))  # noqa: E712

    @classmethod
    def versions_of(cls, family: int):
        return cls.select().where(cls.family == family).order_by(cls.version.desc())

    def has_invitations(self) -> bool:
        return SurveyInvitation.select().where(SurveyInvitation.template == self.id).exists()

    def has_responses(self) -> bool:
        return SurveyResponse.select().where(SurveyResponse.template == self.id).exists()

    def ordered_questions(self):
        return SurveyQuestion.select().where(SurveyQuestion.template == self.id).order_by(
            SurveyQuestion.position, SurveyQuestion.id)


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
    opted_out_on = DateField(null=True)  # the client asked from this link for no more surveys (local day)
    created_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    # Copied from the case (else the client) when invited, for the results' filters by area and responsible
    # (services.surveys.results.invitations reads them without joining case and client).
    practice_area = ForeignKeyField(PracticeArea, null=True, backref="+", on_delete="SET NULL")
    responsible = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")

    class Meta:
        indexes = ((("status", "send_on"), False), (("client", "id"), False), (("case", "id"), False),
                   (("status", "sent_at"), False), (("practice_area", "send_on"), False),
                   (("responsible", "send_on"), False), (("answered_at", "sent_at"), False),  # models/journey.py
                   # each event's moment, for services.surveys.results.invitations (one index range per figure)
                   (("sent_at",), False), (("opened_at", "sent_at"), False), (("status", "answered_at"), False),
                   (("status", "expires_at"), False))

    def save(self, *args, **kwargs):
        """Keeps the case's first survey moment (``Case.survey_sent_at``) when an invitation is written sent, or its
        moment or case changes; the services' conditional UPDATEs that send one call ``Case.note_survey_sent``."""
        created = self._pk is None
        touched = created or "sent_at" in self._dirty or "case" in self._dirty
        result = super().save(*args, **kwargs)
        if touched and self.case_id is not None:
            if created:
                if self.sent_at is not None:
                    Case.note_survey_sent(self.case_id, self.sent_at)
            else:
                Case.refresh_survey_sent(self.case_id)
        return result

    # ----- queries (staff side) -----

    # ----- what staff may see of an anonymous survey -----

    def shown_status(self, now=None) -> str:
        """The status staff see (SHOWN_STATES). For an anonymous survey, whether the client opened or answered
        must not show, or the list would tell whose answer the few anonymous ones are: sent, opened and
        answered all read "sent" while the link lives, and "closed" once its expiry has passed (answered or
        not). Needs ``template`` loaded (the listing queries join it)."""
        if not self.template.anonymous or self.status in ("pending", "withdrawn"):
            return self.status
        now = now or utcnow()
        return "sent" if self.status != "expired" and self.expires_at > now else "closed"

    @classmethod
    def shown_status_is(cls, status: str, now=None):
        """The SQL condition for ``shown_status() == status`` (the query must join SurveyTemplate)."""
        now = now or utcnow()
        anonymous = SurveyTemplate.anonymous == True  # noqa: E712
        reached = cls.status.in_(("sent", "opened", "answered", "expired"))
        if status == "sent":
            return ((cls.status == "sent") & ~anonymous) | (
                anonymous & reached & (cls.status != "expired") & (cls.expires_at > now))
        if status == "closed":
            return anonymous & reached & ((cls.status == "expired") | (cls.expires_at <= now))
        if status in ("pending", "withdrawn"):
            return cls.status == status
        return (cls.status == status) & ~anonymous

    @classmethod
    def listing(cls, status: str = "", now=None):
        """Newest first, with what the list shows of the client (name), the case (code, title) and the template
        (name, version, whether anonymous), in one query; ``status`` filters by the status staff see
        (``shown_status``)."""
        query = (cls.select(cls, Client.id, Client.name, Case.id, Case.title, SurveyTemplate.id, SurveyTemplate.name,
                            SurveyTemplate.version, SurveyTemplate.anonymous).join(Client).switch(cls)
                 .join(Case, JOIN.LEFT_OUTER, on=(cls.case == Case.id)).switch(cls)
                 .join(SurveyTemplate, on=(cls.template == SurveyTemplate.id))
                 .where(Client.reachable()))  # a blocked client's invitations are out of reach
        if status:
            query = query.where(cls.shown_status_is(status, now))
        return query.order_by(cls.id.desc())

    @classmethod
    def count_listing(cls, status: str = "", now=None) -> int:
        """The listing's count. Unfiltered: every invitation less those of blocked clients, the first from an index
        alone and the second from the few blocked (counting "not blocked" directly read every invitation: 3.9 ms
        became 0.25 at full size)."""
        if not status:
            return Client.count_reachable(cls.select(cls.id), cls.client)
        query = cls.select(cls.id).where(Client.reachable_by(cls.client))
        return count(query.join(SurveyTemplate, on=(cls.template == SurveyTemplate.id))
                     .where(cls.shown_status_is(status, now)))

    @classmethod
    def for_page(cls, invitation_id: int):
        return (cls.select(cls, Client, Case, PracticeArea, SurveyTemplate, User).join(Client).switch(cls)
                .join(Case, JOIN.LEFT_OUTER, on=(cls.case == Case.id))
                .join(PracticeArea, JOIN.LEFT_OUTER, on=(Case.practice_area == PracticeArea.id)).switch(cls)
                .join(SurveyTemplate, on=(cls.template == SurveyTemplate.id)).switch(cls)
                .join(User, JOIN.LEFT_OUTER, on=(cls.created_by == User.id))
                .where(cls.id == invitation_id, Client.reachable()).first())

    @classmethod
    def for_mail(cls):
        """Invitations with what their message names: the client, the case and its practice area; none of a blocked
        client (it is sent no invitation or reminder)."""
        return (cls.select(cls, Client, Case, PracticeArea).join(Client).switch(cls)
                .join(Case, JOIN.LEFT_OUTER, on=(cls.case == Case.id))
                .join(PracticeArea, JOIN.LEFT_OUTER, on=(Case.practice_area == PracticeArea.id))
                .where(Client.reachable()))

    @classmethod
    def of_client(cls, client_id: int, limit: int = 20):
        return (cls.select(cls, Case, SurveyTemplate).join(Case, JOIN.LEFT_OUTER, on=(cls.case == Case.id)).switch(cls)
                .join(SurveyTemplate, on=(cls.template == SurveyTemplate.id))
                .where(cls.client == client_id).order_by(cls.id.desc()).limit(limit))

    @classmethod
    def of_case(cls, case_id: int):
        return (cls.select(cls, SurveyTemplate).join(SurveyTemplate, on=(cls.template == SurveyTemplate.id))
                .where(cls.case == case_id).order_by(cls.id.desc()))

    @classmethod
    def cases_to_survey(cls, user_id: int, today, window_days: int = 30):
        """The person's closed cases whose survey is due or overdue (PRO-008 §5.4) and has not reached the
        client: a case counts as surveyed only once an invitation of it was sent, opened or answered. A
        pending one (its id comes along as ``waiting_invitation``; ``waiting_by_email`` when the job will
        email it), one that expired unsent or one withdrawn leaves the case here until ``window_days``
        after its survey was due. One query; the oldest due first."""
        from datetime import timedelta

        waiting = cls.select(fn.MAX(cls.id)).where(cls.case == Case.id, cls.status == "pending")
        by_email = cls.select(cls.id).where(cls.case == Case.id, cls.status == "pending", cls.email != "")
        reached = cls.select(cls.id).where(cls.case == Case.id, cls.sent_at.is_null(False) | cls.opened_at.is_null(False)
                                           | (cls.status == "answered"))
        return (Case.select(Case, Client, waiting.alias("waiting_invitation"), fn.EXISTS(by_email).alias("waiting_by_email"))
                .join(Client)
                .where(Case.responsible == user_id, Case.status == "closed", Case.survey_due_on.is_null(False),
                       Client.reachable_by(Case.client),
                       Case.survey_due_on >= today - timedelta(days=window_days), ~fn.EXISTS(reached))
                .order_by(Case.survey_due_on, Case.id))


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
    # For the filters and the analysis; empty for anonymous answers, so no filter can single one out.
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
    # Anonymous low scores: counted in a quality digest by the job (services.surveys.answers), never one by one.
    alert_sent = BooleanField(default=False)
    # The rating (1–5) given to each criterion of CRITERIA (``c_<criterion>``), copied from the answers so
    # the per-criterion averages read one row per response; None when not rated.
    c_response_times = SmallIntegerField(null=True)
    c_communication = SmallIntegerField(null=True)
    c_courtesy = SmallIntegerField(null=True)
    c_commitments = SmallIntegerField(null=True)
    c_accessibility = SmallIntegerField(null=True)
    c_facilities = SmallIntegerField(null=True)
    c_overall = SmallIntegerField(null=True)

    class Meta:
        indexes = ((("month",), False), (("practice_area", "month"), False), (("responsible", "month"), False),
                   (("answered_on",), False))

    @classmethod
    def criterion_field(cls, criterion: str):
        """The column holding the rating of one of CRITERIA."""
        return getattr(cls, f"c_{criterion}")

    @classmethod
    def named_for_page(cls, response_id: int):
        """One named response with its client, case, area, responsible and survey version (one query); None
        for an anonymous or unknown one (staff see anonymous answers only as counts)."""
        return (cls.select(cls, Client, Case, PracticeArea, User, SurveyTemplate)
                .join(Client, JOIN.LEFT_OUTER, on=(cls.client == Client.id)).switch(cls)
                .join(Case, JOIN.LEFT_OUTER, on=(cls.case == Case.id)).switch(cls)
                .join(PracticeArea, JOIN.LEFT_OUTER, on=(cls.practice_area == PracticeArea.id)).switch(cls)
                .join(User, JOIN.LEFT_OUTER, on=(cls.responsible == User.id)).switch(cls)
                .join(SurveyTemplate, on=(cls.template == SurveyTemplate.id))
                .where(cls.id == response_id, cls.anonymous == False, Client.reachable()).first())  # noqa: E712

    def questions_and_answers(self) -> list[tuple]:
        """``(question, answer or None)`` for every question of the version answered, in order (one query)."""
        rows = (SurveyQuestion.select(SurveyQuestion, SurveyAnswer)
                .join(SurveyAnswer, JOIN.LEFT_OUTER,
                      on=((SurveyAnswer.question == SurveyQuestion.id) & (SurveyAnswer.response == self.id)),
                      attr="answer")
                .where(SurveyQuestion.template == self.template_id)
                .order_by(SurveyQuestion.position, SurveyQuestion.id))
        return [(q, q.answer if getattr(q, "answer", None) is not None and q.answer.id else None) for q in rows]


class SurveyAnswer(BaseModel):
    response = ForeignKeyField(SurveyResponse, backref="answers", on_delete="CASCADE")
    question = ForeignKeyField(SurveyQuestion, backref="+", on_delete="RESTRICT")
    criterion = CharField(max_length=16, default="")  # copied from the question, for the per-criterion averages
    score = SmallIntegerField(null=True)  # rating 1–5, NPS 0–10, yes/no as 1/0
    value = TextField(default="")  # the chosen option or the free text

    class Meta:
        indexes = ((("response", "question"), True), (("response", "criterion", "score"), False))

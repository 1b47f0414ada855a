"""Storing the answers of a satisfaction survey (PRO-008 §5.4, "Registro de Satisfacción").

``submit(invitation, form_data)`` checks every answer against its question (kind, range, required, length),
then in **one** transaction consumes the invitation (``services.surveys.consume``: exactly one of many racing
posts wins, SECURITY.md PS2) and stores the response with its summary columns, so the analysis reads one row
per response (``services.surveys.results``).

Anonymous templates: the response keeps no invitation, client or case, and its time is kept to the day
only — ``created_at``/``updated_at`` of the response and of its answers are set to the firm's midnight of
that day, and so are the invitation's ``opened_at`` and ``answered_at``; no audit row names it, and it keeps
no practice area or responsible either (a filter could single it out). Staff views and exports only ever
count such answers: no list or export shows them one by one.

A low score (any rating ≤ ``SURVEY_LOW_RATING`` or an NPS ≤ ``SURVEY_LOW_NPS``, app config) opens a
complaint for follow-up (``services.complaints.open_complaint``, source "survey") owned by the case's
responsible, else the client's, else someone with the quality role. An anonymous low score opens nothing
and sends nothing while the client is on the page (its time would tell): the job
``anonymous_low_score_alerts`` (``flask jobs run``) sends each quality user ONE digest with how many such
answers arrived since the last one, claimed with a conditional UPDATE of ``SurveyResponse.alert_sent``.
"""

import logging
from datetime import datetime, time

from flask import current_app
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from core import audit, links, mail
from core.db import transaction, utcnow
from core.i18n import to_local, to_utc, today_local
from models.consent import Consent, PrivacyNotice
from models.surveys import CRITERIA, TEXT_MAX, SurveyAnswer, SurveyInvitation, SurveyQuestion, SurveyResponse
from models.users import User, UserRole
from services import surveys

log = logging.getLogger("traza.surveys")

SCALES = {"rating": (1, 5), "nps": (0, 10)}
YES_NO = {"yes": 1, "no": 0}


def field_name(question: SurveyQuestion) -> str:
    return f"q{question.id}"


def questions_of(template) -> list[SurveyQuestion]:
    template_id = getattr(template, "id", template)
    return list(SurveyQuestion.select().where(SurveyQuestion.template == template_id)
                .order_by(SurveyQuestion.position, SurveyQuestion.id))


def kept_values(questions, form_data) -> dict[int, str]:
    """What the person sent, per question, to show the form again with their answers (422)."""
    return {q.id: (form_data.get(field_name(q)) or "") for q in questions}


def _clean_text(raw: str) -> str:
    return raw.replace("\r\n", "\n").replace("\r", "\n").strip()


def validate(questions, form_data) -> tuple[dict[int, tuple[int | None, str]], dict[int, str]]:
    """``({question_id: (score, value)}, {question_id: message})``. Only the template's own questions are
    read: fields for any other id (tampered or stale) are ignored."""
    answers, errors = {}, {}
    for q in questions:
        sent = [v for v in (form_data.getlist(field_name(q)) if hasattr(form_data, "getlist")
                            else [form_data.get(field_name(q))]) if v is not None]
        if len(sent) > 1 and q.kind != "text":
            errors[q.id] = _("Choose only one answer.")
            continue
        raw = (sent[0] if sent else "").strip() if q.kind != "text" else _clean_text(sent[0] if sent else "")
        if raw == "":
            if q.required:
                errors[q.id] = _("Write your answer.") if q.kind == "text" else _("Choose an answer.")
            continue
        problem, answer = _check(q, raw)
        if problem:
            errors[q.id] = problem
        else:
            answers[q.id] = answer
    return answers, errors


def _check(q: SurveyQuestion, raw: str):
    if q.kind in SCALES:
        low, high = SCALES[q.kind]
        if raw not in {str(n) for n in range(low, high + 1)}:  # ASCII digits only: "٣".isdigit() is True
            return _("Choose a number from %(low)d to %(high)d.", low=low, high=high), None
        return None, (int(raw), "")
    if q.kind == "yes_no":
        if raw not in YES_NO:
            return _("Answer yes or no."), None
        return None, (YES_NO[raw], "")
    if q.kind == "choice":
        if raw not in q.options:
            return _("Choose one of the options."), None
        return None, (None, raw)
    if len(raw) > TEXT_MAX:
        return _("Write at most %(max)d characters (you wrote %(n)d).", max=TEXT_MAX, n=len(raw)), None
    return None, (None, raw)


def submit(invitation: SurveyInvitation, form_data, questions=None, now=None):
    """Validate and store one response for a live invitation.

    Returns ``(response, {})`` when stored; ``(None, errors)`` with a message per question id when an
    answer is wrong (nothing written, the invitation stays live); ``(None, {})`` when the invitation was
    consumed meanwhile (another post won the race): the caller shows the "link no longer valid" page."""
    questions = questions if questions is not None else questions_of(invitation.template_id)
    answers, errors = validate(questions, form_data)
    if errors:
        return None, errors
    now = now or utcnow()
    with transaction():
        if not surveys.consume(invitation, now):
            return None, {}
        template = invitation.template
        response = store(template, questions, answers, invitation=invitation, now=now)
        if template.anonymous:
            midnight = _day_start(response.answered_on)
            (SurveyInvitation.update(answered_at=midnight, updated_at=midnight)
             .where(SurveyInvitation.id == invitation.id).execute())
        else:
            audit.record("survey_answer", response, actor=None, fields=["answers"],
                         detail=f"invitation {invitation.id}")
        if response.low_score and not response.anonymous:
            follow_up(response, questions, answers, invitation, template)
    return response, {}


def _day_start(day) -> datetime:
    return to_utc(datetime.combine(day, time()))


def _local_day(utc_naive: datetime):
    return to_local(utc_naive).date()


def _summary(questions, answers) -> dict:
    config = current_app.config
    ratings = [answers[q.id][0] for q in questions if q.kind == "rating" and q.id in answers]
    nps = next((answers[q.id][0] for q in questions if q.kind == "nps" and q.id in answers), None)
    has_comment = any(q.kind == "text" and answers.get(q.id, (None, ""))[1] for q in questions)
    low = any(r <= config["SURVEY_LOW_RATING"] for r in ratings) or (nps is not None and nps <= config["SURVEY_LOW_NPS"])
    by_criterion = {}
    for q in questions:  # a template rates each criterion at most once (services.surveys.clean_questions)
        if q.kind == "rating" and q.criterion in CRITERIA and q.id in answers:
            by_criterion.setdefault(q.criterion, answers[q.id][0])
    return {"ratings_count": len(ratings), "ratings_sum": sum(ratings), "ratings_high": sum(1 for r in ratings if r >= 4),
            "min_rating": min(ratings) if ratings else None, "nps": nps, "has_comment": has_comment, "low_score": low,
            **{f"c_{c}": by_criterion.get(c) for c in CRITERIA}}


def store(template, questions, answers, *, invitation=None, client=None, case=None, answered_on=None, now=None):
    """Write one response and its answers (no validation, no consuming, no follow-up): the inner step of
    ``submit`` and the way demo and benchmark data are loaded. ``answers``: ``{question_id: (score, value)}``.
    The response carries the summary columns and each criterion's rating (``c_<criterion>``); the answers
    stay the detail record. Call inside a transaction."""
    if invitation is not None:
        client = client or invitation.client
        case = case if case is not None else invitation.case
    # The day of the moment it is stored (the invitation's ``answered_at``), so the response and the
    # invitation it consumed fall on the same day of the record (services.surveys.results.invitations).
    answered_on = answered_on or (_local_day(now) if now else today_local())
    anonymous = bool(template.anonymous)
    area = case.practice_area_id if case is not None else getattr(client, "practice_area_id", None)
    responsible = case.responsible_id if case is not None else getattr(client, "responsible_id", None)
    if anonymous:
        area = responsible = None  # a filter by area or responsible must not isolate an anonymous answer
    stamp = _day_start(answered_on) if anonymous else (now or utcnow())
    values = dict(template=template.id, anonymous=anonymous,
                  invitation=None if anonymous or invitation is None else invitation.id,
                  client=None if anonymous or client is None else client.id,
                  case=None if anonymous or case is None else case.id,
                  practice_area=area, responsible=responsible, answered_on=answered_on,
                  month=answered_on.replace(day=1), created_at=stamp, updated_at=stamp, **_summary(questions, answers))
    # insert(), not create(): save() would stamp updated_at with the time of day.
    response = SurveyResponse(id=SurveyResponse.insert(**values).execute(), **values)
    rows = [{"response": response.id, "question": q.id, "criterion": q.criterion if q.kind == "rating" else "",
             "score": answers[q.id][0], "value": answers[q.id][1], "created_at": stamp, "updated_at": stamp}
            for q in questions if q.id in answers]
    if rows:
        SurveyAnswer.insert_many(rows).execute()
    return response


# ----- low score → follow-up -----

def _owner_for(case, client) -> User | None:
    for candidate in (getattr(case, "responsible_id", None), getattr(client, "responsible_id", None)):
        if candidate:
            user = User.get_or_none(User.id == candidate, User.is_active == True)  # noqa: E712
            if user is not None:
                return user
    return quality_users().first() or _role_users("management").first()


def _role_users(role: str):
    holders = UserRole.select(UserRole.user).where(UserRole.role == role)
    return User.select().where(User.id.in_(holders), User.is_active == True).order_by(User.id)  # noqa: E712


def results_link() -> str:
    """The results page, from BASE_URL (never from the request's Host header, SECURITY.md PS4)."""

    return links.absolute("surveys.results")


def quality_users():
    """Active staff with the quality role (Responsable del SGC): who hears about anonymous low scores."""
    return _role_users("quality")


def _score_lines(questions, answers) -> list[str]:
    lines = []
    for q in questions:
        if q.id not in answers:
            continue
        score, value = answers[q.id]
        if q.kind == "rating":
            lines.append(f"{q.text}: {score}/5")
        elif q.kind == "nps":
            lines.append(f"{q.text}: {score}/10")
    return lines


def _comments(questions, answers) -> list[str]:
    return [answers[q.id][1] for q in questions if q.kind == "text" and answers.get(q.id, (None, ""))[1]]


def follow_up(response: SurveyResponse, questions, answers, invitation=None, template=None) -> None:
    """A named low score opens a complaint for follow-up. Anonymous ones wait for the job's digest
    (``anonymous_low_score_alerts``)."""
    from services import complaints

    if response.anonymous:
        return
    lines = _score_lines(questions, answers)
    client = invitation.client if invitation is not None else response.client
    case = invitation.case if invitation is not None else response.case
    owner = _owner_for(case, client)
    if owner is None:
        log.warning("respuesta de encuesta con puntuación baja sin responsable a quien asignarla (%s)", response.id)
        return
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):  # stored text: the firm's language
        parts = [_("Low score in the satisfaction survey (%(date)s).", date=response.answered_on.isoformat())]
        parts += lines
        parts += [_("Comment: %(text)s", text=text) for text in _comments(questions, answers)]
    complaints.open_complaint(kind="complaint", description="\n".join(parts), owner=owner, client=client,
                              case=case, channel="survey", severity="medium", source="survey",
                              survey_response=response, actor=None, received_at=response.created_at)


def anonymous_low_score_alerts(now=None) -> int:
    """Job (``flask jobs run``): claim every anonymous low-score answer not yet notified (one conditional
    UPDATE, so two runs at once never count one twice) and send each quality user ONE digest saying how
    many arrived since the last one: no scores, no days, no times. Returns the number of emails queued;
    without anyone holding the quality role nothing is claimed (the next run tries again)."""
    people = list(quality_users())
    if not people:
        return 0
    R = SurveyResponse
    with transaction():
        # updated_at untouched: an anonymous response keeps only its day.
        count = (R.update(alert_sent=True)
                 .where(R.anonymous == True, R.low_score == True, R.alert_sent == False).execute())  # noqa: E712
        if not count:
            return 0
        link = results_link()
        for person in people:
            with force_locale(person.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
                subject = ngettext("An anonymous survey answer with a low score",
                                   "%(num)d anonymous survey answers with a low score", count)
                mail.queue(person.email, subject, "mail/survey_low_score", person=person, count=count, link=link)
    return len(people)


# ----- opting out -----

def opt_out(invitation: SurveyInvitation, now=None, one_click: bool = False) -> bool:
    """The client asks for no more surveys (from the link): their "surveys" consent is withdrawn (an
    append-only record, SECURITY.md PR2, whose notes say how: from the survey page, or with the mail
    client's one-click unsubscribe, RFC 8058) and every live invitation of theirs is withdrawn, so no
    reminder follows. Idempotent: asking again records nothing new; returns whether anything was."""
    from services import clients

    now = now or utcnow()
    client = invitation.client
    with transaction():
        withdrawn = False
        if PrivacyNotice.current() is not None and not _already_withdrawn(client):
            with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
                how = (_("Withdrawn by the client with the unsubscribe of the survey email (one click, invitation "
                         "%(id)s).", id=invitation.id) if one_click else
                       _("Withdrawn by the client from the survey link (invitation %(id)s).", id=invitation.id))
            clients.withdraw_consent(client, "surveys", "electronic", today_local(), None, notes=how)
            withdrawn = True
        # Durable with or without a privacy notice to record a withdrawal against: ``surveys.opted_out``
        # reads this day, and only a consent for surveys given on a later day lifts it.
        marked = (SurveyInvitation.update(opted_out_on=today_local(), updated_at=now)
                  .where(SurveyInvitation.id == invitation.id, SurveyInvitation.opted_out_on.is_null()).execute())
        (SurveyInvitation.update(status="withdrawn", withdrawn_at=now, updated_at=now)
         .where(SurveyInvitation.client == client.id, SurveyInvitation.status.in_(surveys.LIVE_STATES)).execute())
        if withdrawn or marked:
            audit.record("survey_opt_out", invitation, actor=None,
                         detail=f"client {client.id}" + (" one-click" if one_click else ""))
    return bool(withdrawn or marked)


def _already_withdrawn(client) -> bool:
    last = (Consent.select(Consent.granted).where(Consent.client == client, Consent.purpose == "surveys")
            .order_by(Consent.id.desc()).first())
    return last is not None and not last.granted

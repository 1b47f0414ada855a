"""Survey invitations and their single-use links (SECURITY.md PS1–PS2).

Every message sent for an invitation (the invitation, each reminder, a link handed over by hand) gets its
own token from ``secrets.token_urlsafe(32)``; only its SHA-256 is stored. Any live link of an invitation
opens the form; the POST that stores the answers consumes the invitation atomically, after which none of
its links works. Reissuing revokes the earlier links. Links are built from ``BASE_URL``, never from the
request's Host header.

The staff side lives here too: the firm's default template (the evaluation criteria of the customer-service
material), template editing with versioning, invitations (by hand, or when a case closes), and the three
jobs ``flask jobs run`` calls: ``send_due_invitations``, ``send_due_reminders`` and ``expire_invitations``.
Each job claims every row with a conditional UPDATE inside the transaction that queues its message, so two
runs at the same time never queue the same message twice.
"""

from datetime import date, datetime, time, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from peewee import fn

from core import audit, crypto
from core.db import db, is_sqlite, transaction, utcnow
from models.cases import Case
from models.consent import Consent
from models.surveys import (
    CRITERIA,
    QUESTION_KINDS,
    SurveyInvitation,
    SurveyLink,
    SurveyQuestion,
    SurveyTemplate,
)

LIVE_STATES = ("pending", "sent", "opened")


def issue_link(invitation: SurveyInvitation, purpose: str = "email", revoke_others: bool = False) -> str:
    """A new token for this invitation (call inside the caller's transaction); returns the token, which is
    never stored."""
    if revoke_others:
        (SurveyLink.update(revoked_at=utcnow(), updated_at=utcnow())
         .where(SurveyLink.invitation == invitation.id, SurveyLink.revoked_at.is_null()).execute())
    token = crypto.new_token()
    SurveyLink.create(invitation=invitation.id, token_hash=crypto.token_hash(token), purpose=purpose)
    return token


def public_url(token: str) -> str:
    return f"{current_app.config['BASE_URL'].rstrip('/')}/e/{token}"


def open_invitation(token: str, now=None) -> SurveyInvitation | None:
    """The live invitation this token opens, or None for an unknown, revoked, used, withdrawn or expired
    one (the caller shows the same page for all of them, PS3). One indexed query."""
    if not token or len(token) > 100:
        return None
    now = now or utcnow()
    return (SurveyInvitation.select(SurveyInvitation).join(SurveyLink)
            .where(SurveyLink.token_hash == crypto.token_hash(token), SurveyLink.revoked_at.is_null(),
                   SurveyInvitation.status.in_(LIVE_STATES), SurveyInvitation.expires_at > now)
            .first())


def invitation_of_link(token: str) -> SurveyInvitation | None:
    """The invitation any link ever issued for it belongs to, live or not: what an unsubscribe link needs,
    since it must keep working after the survey was answered, withdrawn or has expired (RFC 8058)."""
    if not token or len(token) > 100:
        return None
    return (SurveyInvitation.select(SurveyInvitation).join(SurveyLink)
            .where(SurveyLink.token_hash == crypto.token_hash(token)).first())


def mark_opened(invitation: SurveyInvitation, now=None) -> None:
    """First view of the form: recorded, never consuming (mail scanners open links too, PS2). For an
    anonymous survey only the day is kept (the firm's midnight), like its answer's time, so the opening
    and the answer cannot be matched by their times."""
    now = now or utcnow()
    template = SurveyTemplate.get_or_none(SurveyTemplate.id == invitation.template_id)
    if template is not None and template.anonymous:
        now = _day_start_utc(_local_day(now))
    (SurveyInvitation.update(status="opened", opened_at=now, updated_at=now)
     .where(SurveyInvitation.id == invitation.id, SurveyInvitation.status.in_(("pending", "sent")),
            SurveyInvitation.opened_at.is_null()).execute())


def consume(invitation: SurveyInvitation, now=None) -> bool:
    """Mark the invitation answered if it still is live; True for exactly one caller however many race
    (a conditional UPDATE). Call inside the transaction that stores the answers."""
    now = now or utcnow()
    return bool(SurveyInvitation.update(status="answered", answered_at=now, updated_at=now)
                .where(SurveyInvitation.id == invitation.id, SurveyInvitation.status.in_(LIVE_STATES),
                       SurveyInvitation.expires_at > now).execute())


# ===== staff side: templates, invitations and the jobs =====

EXPIRY_DAYS = 14  # a link lives 14 days from sending (SECURITY.md PS2)
REMINDER_DAYS = (3, 7)  # days after sending; at most len() reminders
QUEUE_WINDOW_DAYS = 30  # a closed case leaves the work queue this long after its survey was due


class SurveyError(ValueError):
    pass


def _config(key: str, default):
    return current_app.config.get(key, default)


def _local_day(utc_naive: datetime) -> date:
    from core.i18n import to_local

    return to_local(utc_naive).date()


def _day_start_utc(day: date) -> datetime:
    from core.i18n import to_utc

    return to_utc(datetime.combine(day, time.min))


# ----- templates -----

DEFAULT_NAME = "Encuesta de satisfacción"
DEFAULT_INTRO = ("Gracias por confiar en nosotros. Su opinión sobre el servicio recibido nos ayuda a mejorar. "
                 "Responder le tomará unos tres minutos.")
_RATING_HELP = "1 = muy insatisfecho · 5 = muy satisfecho"
# The evaluation criteria of the customer-service material ("Evaluación del servicio"), the overall
# satisfaction (PRO-008 §5.4: "evaluar su nivel de satisfacción"), then the NPS and a comment. Question
# texts are data: the firm's Spanish, addressing the client as "usted".
DEFAULT_QUESTIONS = (
    {"kind": "rating", "criterion": "response_times", "required": True, "help": _RATING_HELP,
     "text": "¿Cómo califica los tiempos de respuesta de la firma a sus solicitudes?"},
    {"kind": "rating", "criterion": "communication", "required": True, "help": _RATING_HELP,
     "text": "¿Cómo califica la comunicación con su abogado y el equipo: claridad y avances informados?"},
    {"kind": "rating", "criterion": "courtesy", "required": True, "help": _RATING_HELP,
     "text": "¿Cómo califica la cortesía y el trato que recibió?"},
    {"kind": "rating", "criterion": "commitments", "required": True, "help": _RATING_HELP,
     "text": "¿En qué medida cumplimos los compromisos acordados con usted?"},
    {"kind": "rating", "criterion": "accessibility", "required": True, "help": _RATING_HELP,
     "text": "¿Qué tan fácil le resultó contactarnos y ser atendido cuando lo necesitó?"},
    {"kind": "rating", "criterion": "facilities", "required": False,
     "help": _RATING_HELP + ". Si no visitó nuestras oficinas, puede dejarla sin responder.",
     "text": "¿Cómo califica el estado de nuestras instalaciones?"},
    # The overall opinion: the "Satisfacción general" row of the results reads this criterion.
    {"kind": "rating", "criterion": "overall", "required": True, "help": _RATING_HELP,
     "text": "En general, ¿qué tan satisfecho está con el servicio que recibió?"},
    {"kind": "nps", "criterion": "", "required": True, "help": "0 = nada probable · 10 = muy probable",
     "text": "¿Recomendaría nuestra firma a un familiar, amigo o colega?"},
    {"kind": "text", "criterion": "", "required": False, "help": "Opcional.",
     "text": "¿Desea contarnos algo más sobre su experiencia o sugerirnos alguna mejora?"},
)


LOCK_DEFAULT_TEMPLATE = 7361  # PostgreSQL advisory-lock keys (core.audit uses 7351)
LOCK_CASE_INVITATION = 7362


def _serialize(key: int, sub: int = 0) -> None:
    """Inside a transaction: wait for any other transaction holding the same key until it ends. SQLite
    needs nothing (its IMMEDIATE transactions already write one at a time); PostgreSQL takes an advisory
    transaction lock, so a check-then-insert cannot race."""
    if not is_sqlite():
        db.execute_sql("SELECT pg_advisory_xact_lock(%s, %s)", (key, sub % 2**31))


def default_template(actor=None) -> SurveyTemplate:
    """The template used when a case closes; the firm's "Encuesta de satisfacción" is created the first
    time none is the default."""
    template = SurveyTemplate.current_default()
    if template is not None:
        return template
    with transaction():
        _serialize(LOCK_DEFAULT_TEMPLATE)
        template = SurveyTemplate.current_default()  # another process may have created it meanwhile
        if template is None:
            template = _create_version(None, {"name": DEFAULT_NAME, "intro": DEFAULT_INTRO, "anonymous": False,
                                              "is_active": True, "is_default": True}, DEFAULT_QUESTIONS, actor)
            audit.record("survey_template", template, actor=actor, fields=["name", "questions"], detail="default")
    return template


def clean_questions(questions) -> list[dict]:
    """Checks what the form cannot: known kinds and criteria, each criterion rated by one question at most,
    options for a choice. Raises SurveyError."""
    cleaned = []
    for q in questions:
        kind, criterion = q.get("kind", "rating"), q.get("criterion", "") or ""
        text = (q.get("text") or "").strip()
        if kind not in QUESTION_KINDS or (criterion and criterion not in CRITERIA):
            raise SurveyError(_("Unknown question kind or criterion."))
        if not text:
            raise SurveyError(_("Every question needs its text."))
        options = [line.strip() for line in (q.get("choices") or "").splitlines() if line.strip()]
        if kind == "choice" and len(options) < 2:
            raise SurveyError(_("A single-choice question needs at least two options, one per line."))
        if criterion and kind != "rating":
            criterion = ""  # the per-criterion averages read ratings 1–5 only
        if criterion and any(c["criterion"] == criterion for c in cleaned):
            # The response keeps one rating per criterion (SurveyResponse.c_<criterion>).
            raise SurveyError(_("Two questions rate the same criterion; each criterion can be rated by one "
                                "question only."))
        cleaned.append({"kind": kind, "text": text[:500], "help": (q.get("help") or "").strip()[:300],
                        "required": bool(q.get("required")), "criterion": criterion,
                        "choices": "\n".join(options) if kind == "choice" else ""})
    if not cleaned:
        raise SurveyError(_("A survey needs at least one question."))
    return cleaned


def _create_version(previous: SurveyTemplate | None, data: dict, questions, actor) -> SurveyTemplate:
    template = SurveyTemplate.create(
        family=previous.family if previous else 0, version=(previous.version + 1) if previous else 1,
        is_current=True, is_active=data["is_active"], is_default=data["is_default"], name=data["name"],
        intro=data.get("intro", ""), anonymous=data["anonymous"], created_by=actor)
    if previous is None:
        SurveyTemplate.update(family=template.id).where(SurveyTemplate.id == template.id).execute()
        template.family = template.id
    _write_questions(template, questions)
    return template


def _write_questions(template: SurveyTemplate, questions) -> None:
    now = utcnow()
    SurveyQuestion.insert_many([{"template": template.id, "position": i + 1, "created_at": now, "updated_at": now,
                                 **q} for i, q in enumerate(questions)]).execute()


def save_template(template: SurveyTemplate | None, data: dict, questions, actor) -> SurveyTemplate:
    """Create a template, or edit one: in place while it has no invitation at all, else as a new version of
    the same family (the old one stays, not current, with its invitations and answers: an invitation
    already made keeps the questions and the anonymity it was made with). Returns the template
    now current. ``data``: name, intro, anonymous, is_active, is_default."""
    questions = clean_questions(questions)
    data = {**data, "name": data["name"].strip()[:200], "intro": (data.get("intro") or "").strip()}
    if data["is_default"] and not data["is_active"]:
        raise SurveyError(_("The default survey must be active."))
    with transaction():
        if template is not None:
            template = SurveyTemplate.get_by_id(template.id)  # fresh, inside the lock
            if not template.is_current:
                raise SurveyError(_("This is an earlier version; edit the current one."))
            if template.is_default and not data["is_default"]:
                raise SurveyError(_("Make another survey the default instead: one is always used when a case closes."))
        if template is None:
            saved = _create_version(None, data, questions, actor)
            action_detail = "new"
        elif template.has_invitations() or template.has_responses():
            changed = SurveyTemplate.update(is_current=False, is_default=False, updated_at=utcnow()).where(
                SurveyTemplate.id == template.id, SurveyTemplate.is_current == True).execute()  # noqa: E712
            if not changed:
                raise SurveyError(_("Someone changed this survey meanwhile; reload the page."))
            saved = _create_version(template, data, questions, actor)
            action_detail = f"version {saved.version} of {template.family}"
        else:
            SurveyTemplate.update(name=data["name"], intro=data["intro"], anonymous=data["anonymous"],
                                  is_active=data["is_active"], is_default=data["is_default"], updated_at=utcnow()).where(
                SurveyTemplate.id == template.id).execute()
            SurveyQuestion.delete().where(SurveyQuestion.template == template.id).execute()
            _write_questions(template, questions)
            saved = SurveyTemplate.get_by_id(template.id)
            action_detail = "edit"
        if data["is_default"]:
            SurveyTemplate.update(is_default=False, updated_at=utcnow()).where(
                SurveyTemplate.id != saved.id, SurveyTemplate.is_default == True).execute()  # noqa: E712
        audit.record("survey_template", saved, actor=actor,
                     fields=["name", "intro", "anonymous", "is_active", "is_default", "questions"], detail=action_detail)
    return saved


# ----- invitations -----

def _expiry(now: datetime) -> datetime:
    return now + timedelta(days=_config("SURVEY_EXPIRY_DAYS", EXPIRY_DAYS))


def may_email(client) -> bool:
    """Survey messages go only to clients with an address and a standing "surveys" consent who have not
    asked for no more surveys."""
    return bool(client.email) and Consent.has(client, "surveys") and not opted_out(client)


def opted_out(client) -> bool:
    """The client asked from a survey link for no more surveys (``SurveyInvitation.opted_out_on``, kept
    even when no privacy notice existed to record a consent withdrawal against), and no consent for
    surveys was given on a later day."""
    client_id = getattr(client, "id", client)
    day = (SurveyInvitation.select(fn.MAX(SurveyInvitation.opted_out_on))
           .where(SurveyInvitation.client == client_id).scalar())
    if day is None:
        return False
    if not isinstance(day, date):
        day = date.fromisoformat(str(day))
    granted = (Consent.select(fn.MAX(Consent.given_on))
               .where(Consent.client == client_id, Consent.purpose == "surveys", Consent.granted == True)  # noqa: E712
               .scalar())
    if granted is not None and not isinstance(granted, date):
        granted = date.fromisoformat(str(granted))
    return granted is None or granted <= day


def invite(client, case=None, template=None, email=None, actor=None, send_on=None, now=None) -> SurveyInvitation:
    """A new invitation for this client (and case). ``email``: None takes the client's address when they
    consented to surveys, "" means the staff hand the link over (link or QR), an address must be the
    client's own, with consent. It is sent by ``send_due_invitations`` from ``send_on`` (default today)."""
    from core.i18n import today_local

    now = now or utcnow()
    template = template or default_template(actor)
    if not template.is_current or not template.is_active:
        raise SurveyError(_("That survey is not offered any more; choose another."))
    if case is not None and case.client_id != client.id:
        raise SurveyError(_("The case belongs to another client."))
    if email is None:
        email = client.email if may_email(client) else ""
    elif email:
        if email != client.email or not may_email(client):
            raise SurveyError(_("Surveys are emailed only to the client's address, with their consent for surveys."))
    send_on = send_on or today_local()
    with transaction():
        if case is not None:
            _serialize(LOCK_CASE_INVITATION, case.id)  # one live invitation per case, even on PostgreSQL
        if case is not None and SurveyInvitation.select().where(
                SurveyInvitation.case == case.id,
                SurveyInvitation.status.in_((*LIVE_STATES, "answered"))).exists():
            raise SurveyError(_("This case already has a survey invitation; withdraw it first to send another."))
        invitation = SurveyInvitation.create(
            template=template.id, client=client.id, case=case.id if case is not None else None, email=email,
            status="pending", send_on=send_on, expires_at=_expiry(max(now, _day_start_utc(send_on))),
            created_by=actor, practice_area=_of_case_else_client("practice_area_id", case, client),
            responsible=_of_case_else_client("responsible_id", case, client))
        audit.record("survey_invite", invitation, actor=actor, fields=["template", "email", "send_on"],
                     detail=f"client={client.id} case={invitation.case_id or ''} {'email' if email else 'link'}")
    return invitation


def _of_case_else_client(attribute: str, case, client):
    """The case's practice area or responsible, else the client's (what the results filter invitations by)."""
    return getattr(case, attribute, None) or getattr(client, attribute, None)


def invite_closed_case(case, actor, today=None) -> SurveyInvitation | None:
    """Called by services.cases.change_status inside the closing transaction: the default survey, sent the next
    business day (PRO-008 §5.4: within 5 days), by email with the client's consent, else handed over."""
    from core.i18n import today_local
    from models.clients import Client
    from services.documents.calendar import next_business_day

    today = today or today_local()
    client = Client.get_by_id(case.client_id)
    if SurveyInvitation.select().where(SurveyInvitation.case == case.id).exists():
        return None
    return invite(client, case, default_template(actor), None, actor, send_on=next_business_day(today))


def hand_over_link(invitation: SurveyInvitation, actor, now=None) -> str:
    """A fresh link to hand over (copy or QR); every earlier link of the invitation stops working. A
    pending invitation counts as sent from now on."""
    now = now or utcnow()
    with transaction():
        live = SurveyInvitation.select().where(SurveyInvitation.id == invitation.id,
                                               SurveyInvitation.status.in_(LIVE_STATES),
                                               SurveyInvitation.expires_at > now).exists()
        if not live:
            raise SurveyError(_("This invitation is no longer open: it was answered, withdrawn or has expired."))
        token = issue_link(invitation, "manual", revoke_others=True)
        sent = (SurveyInvitation.update(status="sent", sent_at=now, last_sent_at=now, expires_at=_expiry(now),
                                        updated_at=now)
                .where(SurveyInvitation.id == invitation.id, SurveyInvitation.status == "pending").execute())
        if sent and invitation.case_id:
            Case.note_survey_sent(invitation.case_id, now)  # the case's first survey moment (quality indicator)
        audit.record("survey_link", invitation, actor=actor, fields=["links"], detail="manual, earlier links revoked")
    return token


def withdraw(invitation: SurveyInvitation, actor, now=None, reason: str = "") -> bool:
    """Withdraw a live invitation: its links stop working and no reminder follows."""
    now = now or utcnow()
    with transaction():
        changed = (SurveyInvitation.update(status="withdrawn", withdrawn_at=now, updated_at=now)
                   .where(SurveyInvitation.id == invitation.id, SurveyInvitation.status.in_(LIVE_STATES)).execute())
        if changed:
            (SurveyLink.update(revoked_at=now, updated_at=now)
             .where(SurveyLink.invitation == invitation.id, SurveyLink.revoked_at.is_null()).execute())
            audit.record("survey_withdraw", invitation, actor=actor, fields=["status"], detail=reason[:200])
    return bool(changed)


# ----- the message -----

def _queue_message(invitation: SurveyInvitation, token: str, reminder: int) -> None:
    from core import mail

    firm = current_app.config["FIRM_NAME"]
    case = invitation.case if invitation.case_id else None
    link = public_url(token)
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):  # the client reads the firm's language
        subject = (_("Reminder: your opinion about our service, %(firm)s", firm=firm) if reminder
                   else _("Your opinion about our service, %(firm)s", firm=firm))
        # One-click unsubscribe from the mail client (RFC 8058): it POSTs to the same address the footer
        # links to, whose GET only asks for confirmation (link scanners open links too).
        mail.queue(invitation.email, subject, "mail/survey_invitation", client=invitation.client, case=case,
                   area=case.practice_area if case is not None and case.practice_area_id else None,
                   link=link, opt_out=f"{link}/baja", expires=invitation.expires_at, reminder=reminder,
                   headers={"List-Unsubscribe": f"<{link}/baja>",
                            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"})


# ----- jobs (flask jobs run): idempotent, safe to run twice at once -----

def send_due_invitations(now=None) -> int:
    """Email the pending invitations whose day has come; returns how many were queued."""
    now = now or utcnow()
    due = list(SurveyInvitation.for_mail().where(
        SurveyInvitation.status == "pending", SurveyInvitation.email != "",
        SurveyInvitation.send_on <= _local_day(now), SurveyInvitation.expires_at > now).order_by(SurveyInvitation.id))
    return sum(_send_invitation(invitation, now) for invitation in due)


def send_invitation_now(invitation: SurveyInvitation, now=None) -> bool:
    """Email one invitation at once if its day has come (a survey sent by hand); False otherwise."""
    now = now or utcnow()
    row = SurveyInvitation.for_mail().where(SurveyInvitation.id == invitation.id).first()
    if row is None or row.status != "pending" or not row.email or row.send_on > _local_day(now):
        return False
    return _send_invitation(row, now)


def _send_invitation(invitation: SurveyInvitation, now) -> bool:
    """Claim the pending invitation (conditional UPDATE) and queue its message in the same transaction."""
    if not Consent.has(invitation.client_id, "surveys") or opted_out(invitation.client_id):
        withdraw(invitation, None, now, "consent for surveys withdrawn")
        return False
    with transaction():
        expires = _expiry(now)
        claimed = (SurveyInvitation.update(status="sent", sent_at=now, last_sent_at=now, expires_at=expires,
                                           updated_at=now)
                   .where(SurveyInvitation.id == invitation.id, SurveyInvitation.status == "pending",
                          SurveyInvitation.email != "").execute())
        if not claimed:
            return False  # another run sent it, or it was withdrawn meanwhile
        if invitation.case_id:
            Case.note_survey_sent(invitation.case_id, now)  # the case's first survey moment (quality indicator)
        invitation.expires_at = expires
        _queue_message(invitation, issue_link(invitation, "email"), 0)
        audit.record("survey_sent", invitation, actor=None, fields=["status"], detail="invitation")
    return True


def _reminder_due_on(invitation: SurveyInvitation, days) -> date:
    """Day ``days[n]`` after sending, and never closer to the previous message than the schedule's gap."""
    n = invitation.reminders_sent
    due = _local_day(invitation.sent_at) + timedelta(days=days[n])
    gap = days[n] - days[n - 1] if n else days[0]
    return max(due, _local_day(invitation.last_sent_at or invitation.sent_at) + timedelta(days=gap))


def send_due_reminders(now=None) -> int:
    """Remind clients who have not answered (default day 3 and day 7 after sending, at most 2); never after
    an answer, a withdrawal, the expiry or a withdrawn consent for surveys (an opt-out withdraws it)."""
    now = now or utcnow()
    today = _local_day(now)
    days = tuple(_config("SURVEY_REMINDER_DAYS", REMINDER_DAYS))
    candidates = list(SurveyInvitation.for_mail().where(
        SurveyInvitation.status.in_(("sent", "opened")), SurveyInvitation.email != "",
        SurveyInvitation.reminders_sent < len(days), SurveyInvitation.sent_at.is_null(False),
        SurveyInvitation.expires_at > now).order_by(SurveyInvitation.id))
    queued = 0
    for invitation in candidates:
        n = invitation.reminders_sent
        if (_reminder_due_on(invitation, days) > today or not Consent.has(invitation.client_id, "surveys")
                or opted_out(invitation.client_id)):
            continue
        with transaction():
            claimed = (SurveyInvitation.update(reminders_sent=n + 1, last_sent_at=now, updated_at=now)
                       .where(SurveyInvitation.id == invitation.id, SurveyInvitation.reminders_sent == n,
                              SurveyInvitation.status.in_(("sent", "opened")), SurveyInvitation.expires_at > now)
                       .execute())
            if not claimed:
                continue  # answered, withdrawn or reminded by another run meanwhile
            _queue_message(invitation, issue_link(invitation, "reminder"), n + 1)
            audit.record("survey_sent", invitation, actor=None, fields=["reminders_sent"], detail=f"reminder {n + 1}")
        queued += 1
    return queued


def expire_invitations(now=None) -> int:
    """Invitations past their expiry stop being live; returns how many expired now."""
    now = now or utcnow()
    return (SurveyInvitation.update(status="expired", updated_at=now)
            .where(SurveyInvitation.status.in_(LIVE_STATES), SurveyInvitation.expires_at <= now).execute())

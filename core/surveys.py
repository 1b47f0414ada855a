"""Survey invitations and their single-use links (SECURITY.md PS1–PS2).

Every message sent for an invitation (the invitation, each reminder, a link handed over by hand) gets its
own token from ``secrets.token_urlsafe(32)``; only its SHA-256 is stored. Any live link of an invitation
opens the form; the POST that stores the answers consumes the invitation atomically, after which none of
its links works. Reissuing revokes the earlier links. Links are built from ``BASE_URL``, never from the
request's Host header.
"""

from flask import current_app

from core import crypto
from core.db import utcnow
from models.surveys import SurveyInvitation, SurveyLink

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


def mark_opened(invitation: SurveyInvitation, now=None) -> None:
    """First view of the form: recorded, never consuming (mail scanners open links too, PS2)."""
    now = now or utcnow()
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

"""Confidentiality agreements (issue 17, item 4): "Pactar cláusulas de confidencialidad en todos los contratos con
empleados, contratistas…" and "Establecer consecuencias para incumplimiento de políticas". Each records who signed
(a member of staff, linked to their account, or a contractor and their company), the version of the
confidentiality policy accepted, the day signed, the consequences of a breach it states, and the signed copy when
one is uploaded (core.files: PDF or image, encrypted at rest)."""

from flask_babel import gettext as _

from core import audit, files
from core.db import transaction
from models.manual import AGREEMENT_KINDS, ConfidentialityAgreement, ManualDocument, ManualVersion
from models.users import User
from services.manual.follow import MAX_TEXT, FollowError


def policy_versions():
    """The versions of policies that came into force, newest first: (id, "CODE · title · ver. NNN")."""
    rows = (ManualVersion.select(ManualVersion.id, ManualVersion.number, ManualDocument.code, ManualDocument.title)
            .join(ManualDocument).where(ManualDocument.kind == "policy",
                                        ManualVersion.state.in_(("published", "superseded")))
            .order_by(ManualDocument.code, ManualVersion.number.desc()))
    return [(v.id, f"{v.document.code} · {v.document.title} · {v.number:03d}") for v in rows]


def create(data: dict, checked_upload, user, today) -> ConfidentialityAgreement:
    """A signed agreement; ``checked_upload`` is what core.files.check returned, or None."""
    name = " ".join((data.get("person_name") or "").split())
    kind = data.get("kind")
    linked = data.get("user") or None
    if kind not in AGREEMENT_KINDS:
        raise FollowError(_("Choose staff or contractor."), "kind")
    if linked:
        person = User.get_or_none(User.id == linked)
        if person is None:
            raise FollowError(_("Choose a member of staff from the list."), "user")
        name = name or person.name
    if not name:
        raise FollowError(_("Give the name of the person who signed."), "person_name")
    signed_on = data.get("signed_on")
    if signed_on is None:
        raise FollowError(_("Give the day it was signed."), "signed_on")
    if signed_on > today:
        raise FollowError(_("The day it was signed cannot be in the future."), "signed_on")
    version = None
    if data.get("policy_version"):
        version = ManualVersion.get_or_none(ManualVersion.id == data["policy_version"])
        if version is None or version.id not in {v for v, _label in policy_versions()}:
            raise FollowError(_("Choose a version of a policy in the manual."), "policy_version")
    consequences = (data.get("consequences") or "").strip()
    if len(consequences) > MAX_TEXT:
        raise FollowError(_("At most %(max)d characters.", max=MAX_TEXT), "consequences")
    stored = None
    try:
        with transaction():
            if checked_upload is not None:
                stored = files.save(*checked_upload, purpose="manual", user=user)
            agreement = ConfidentialityAgreement.create(
                person_name=name[:120], kind=kind, user=linked, organisation=(data.get("organisation") or "").strip()[:200],
                policy=version.document_id if version else None, policy_version=version, signed_on=signed_on,
                consequences=consequences, file=stored, created_by=user)
            audit.record("manual_agreement_create", agreement, actor=user,
                         fields=["person_name", "kind", "user", "policy_version", "signed_on", "file"],
                         detail=f"kind={kind}")
    except Exception:
        if stored is not None:
            files.discard(stored)
        raise
    return agreement

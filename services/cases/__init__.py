"""Writes on cases, each with its audit row in one transaction (DESIGN.md §3), and the helpers every case
page shares: the team check for confidential parts (a refusal writes its ``authz_fail`` row, SECURITY.md A3;
the page then answers 404) and the header's context. Pages load a case with ``Case.for_page``.

A case opens for an active client (PRO-008 §5.3: the service is delivered under a contract), takes the
document requirements of its practice area, moves open → in progress → resolved → closed, and closes once no
deadline is open and no intervention is still planned; with anything else still open (the resolution not
explained, final documents not delivered, required documents or evidence pending) only with a written reason,
kept with the list of what was open. Closing creates the post-case follow-up and makes the satisfaction
survey due in 5 days.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from core import audit
from core.db import transaction, utcnow
from core.text import name_key
from models.cases import Case, CaseMember, CaseStatusChange, EvidenceItem, FinalDelivery, Intervention
from models.clients import Party
from models.documents import Deadline, DocumentItem, RequirementTemplate
from models.tasks import Task
from services import loyalty
from services.cases import labels
from services.clients import labels as client_labels
from services.surveys import invite_closed_case

SURVEY_DAYS = 5  # PRO-008 §5.4: the satisfaction survey within 5 days after the service
POST_CASE_FOLLOW_UP_DAYS = 30


class CaseError(ValueError):
    pass


# ----- shared by every case page -----

def check_team(case: Case, user, what: str = "case") -> bool:
    """Whether ``user`` may see the case's confidential parts (``what`` names them in the audit log). Staff off
    the team are refused with an ``authz_fail`` row (A3), and the page answers 404, like something that does not
    exist."""
    if case.on_team(user):
        return True
    audit.record("authz_fail", object_type="legal_case", object_id=case.id, detail=f"not on team: {what}")
    return False

def header(case: Case, user) -> dict:
    """What the case layout needs, whichever domain renders the tab: the case, its document progress, whether the
    viewer is on the team, and the words of its status badge and of the client's customer-type advice."""
    done, total = DocumentItem.progress(case)
    return {"case": case, "progress": (done, total), "on_team": case.on_team(user), "case_labels": labels,
            "client_labels": client_labels}


def _open(case: Case) -> None:
    """A closed case is final: every write on it is refused (the buttons are hidden too)."""
    if case.status == "closed" or Case.select().where(Case.id == case.id, Case.status == "closed").exists():
        raise CaseError(_("The case is closed: it cannot be changed."))


# ----- opening and status -----

def open_case(client, data: dict, user, today) -> Case:
    if client.status != "active":
        raise CaseError(_("Cases are opened for active clients (with a signed contract)."))
    with transaction():
        case = Case.create(client=client, contract=data.get("contract"), title=data["title"],
                           practice_area=data.get("practice_area") or client.practice_area_id,
                           responsible=data.get("responsible") or user, description=data.get("description", ""),
                           opened_on=today, created_by=user)
        for member in data.get("team", ()):
            if member.id != case.responsible_id:
                CaseMember.create(case=case, user=member, added_by=user)
        applied = apply_requirements(case, today, user)
        carried = carry_parties(case, data.get("parties", ()))
        audit.record("case_open", case, actor=user, fields=["title", "practice_area", "responsible", "team"] +
                     (["parties"] if carried else []), detail=f"client={client.id} requirements={applied} parties={carried}")
    return case


def carry_parties(case: Case, parties) -> int:
    """Parties declared at intake join the new case as the form left them. The same rows move (no copies), so
    the conflict search still finds each party once; one another case took meanwhile stays where it is."""
    carried = 0
    for item in parties:
        party, name = item["party"], item["name"]
        moved = Party.update(case=case, kind=item["kind"], name=name, name_key=name_key(name), relation=item["relation"],
                             updated_at=utcnow()).where(Party.id == party.id, Party.client == case.client_id,
                                                        Party.case.is_null()).execute()
        if moved and name != party.name:
            party.name = name
            party.reindex()
        carried += moved
    return carried


def apply_requirements(case: Case, today, user) -> int:
    """The practice area's document requirements become the case's checklist."""
    if not case.practice_area_id:
        return 0
    rows = [{"case": case.id, "template": t.id, "name": t.name, "required": t.required, "confidential": t.confidential,
             "due_on": today + timedelta(days=t.due_days) if t.due_days else None, "status": "pending",
             "created_by": user.id, "created_at": utcnow(), "updated_at": utcnow()}
            for t in RequirementTemplate.of_area(case.practice_area_id)]
    if rows:
        DocumentItem.insert_many(rows).execute()
    return len(rows)


@dataclass
class ClosingCheck:
    """What is still open on a case, one line each. ``settle``: deadlines and planned interventions, which sit
    in someone's work queue and could not be changed once the case is closed, so they are settled first.
    ``open``: the rest (documents, evidence, the explanation, final deliveries); the case may close with them
    only with a written reason, which is kept with the list (issue 11)."""

    settle: list[str] = field(default_factory=list)
    open: list[str] = field(default_factory=list)


class ClosingNeedsReason(CaseError):
    pass


MIN_REASON = 10  # characters: a reason, not a dot


def closing_check(case: Case) -> ClosingCheck:
    check = ClosingCheck()
    for deadline in Deadline.open_of_case(case):
        check.settle.append(_("Open deadline: %(what)s.", what=deadline.description))
    for intervention in Intervention.select().where(Intervention.case == case, Intervention.status == "planned"):
        check.settle.append(_("Planned intervention not recorded or cancelled: %(what)s.", what=intervention.purpose))
    for item in DocumentItem.pending_required(case):
        check.open.append(_("Required document not received: %(what)s.", what=item.name))
    for item in EvidenceItem.select().where(EvidenceItem.case == case, EvidenceItem.collected_on.is_null()):
        check.open.append(_("Evidence still pending: %(what)s.", what=item.description))
    if not case.explained_on:
        check.open.append(_("Record how and when the resolution was explained to the client."))
    elif not case.client_understood:
        check.open.append(_("The client has not confirmed that they understood the resolution."))
    for delivery in FinalDelivery.of_case(case):
        if not delivery.delivered_on:
            check.open.append(_("Final document not delivered: %(what)s.", what=delivery.description))
    return check


def closing_blockers(case: Case) -> list[str]:
    """Everything still open on the case, one line each (empty when it closes without a reason)."""
    check = closing_check(case)
    return check.settle + check.open


def _closing_override(case: Case, reason: str) -> dict:
    """Inside the closing transaction: refuse while something must be settled; with items still open, ask for a
    reason and return the columns that keep it, with the list in the firm's language (stored text)."""
    check = closing_check(case)
    if check.settle:
        raise CaseError(" ".join(check.settle))
    if not check.open:
        return {}
    if len(reason) < MIN_REASON:
        raise ClosingNeedsReason(_("Some items are still open: settle them, or write why the case closes anyway."))
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        items = closing_check(case).open
    return {"closing_reason": reason[:2000], "closed_open_items": "\n".join(items)}


def change_status(case: Case, to: str, reason: str, user, today) -> None:
    if to not in case.allowed_transitions():
        raise CaseError(_("That step is not possible for this case now."))
    if to == "resolved" and len(case.resolution_summary.strip()) < 3:
        raise CaseError(_("Write the resolution before marking the case as resolved."))
    values = {"status": to, "updated_at": utcnow()}
    if to == "resolved":
        values["resolved_at"] = utcnow()
    if to == "closed":
        values.update(closed_at=utcnow(), closed_by=user, survey_due_on=today + timedelta(days=SURVEY_DAYS))
    reason = (reason or "").strip()
    with transaction():
        if to == "closed":  # inside the transaction: nothing can be added between the check and the close
            values.update(_closing_override(case, reason))
        changed = Case.update(**values).where(Case.id == case.id, Case.status == case.status).execute()
        if not changed:
            raise CaseError(_("Someone changed this case meanwhile; reload the page."))
        CaseStatusChange.create(case=case, from_status=case.status, to_status=to, reason=reason, by=user)
        if to == "closed":
            with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):  # stored text: the firm's language
                title = _("Post-case follow-up: %(title)s", title=case.title)
            Task.create(kind="post_case", title=title[:300],
                        due_on=today + timedelta(days=POST_CASE_FOLLOW_UP_DAYS),
                        owner=case.responsible_id or user.id, client=case.client_id, case=case, created_by=user)
            loyalty.schedule_follow_ups(case, user, today)  # the contacts after the case (3 and 12 months)
            invite_closed_case(case, user, today)  # PRO-008 §5.4: the satisfaction survey, same transaction
        override = "closing_reason" in values
        audit.record("case_status", case, actor=user, fields=["status"] + (["closing_reason"] if override else []),
                     detail=f"{case.status}→{to}" + (f" open_items={values['closed_open_items'].count(chr(10)) + 1}"
                                                      if override else ""))
    case.status = to
    for key in ("closing_reason", "closed_open_items"):
        if key in values:
            setattr(case, key, values[key])


# ----- team, parties, planning -----

def set_team(case: Case, responsible, members: list, user) -> None:
    _open(case)
    with transaction():
        Case.update(responsible=responsible, updated_at=utcnow()).where(Case.id == case.id).execute()
        CaseMember.delete().where(CaseMember.case == case).execute()
        for member in members:
            if member.id != responsible.id:
                CaseMember.create(case=case, user=member, added_by=user)
        audit.record("case_team", case, actor=user, fields=["responsible", "team"],
                     detail="team=" + ",".join(str(m.id) for m in members))


def add_party(case: Case, kind: str, name: str, relation: str, user) -> Party:
    _open(case)
    with transaction():
        party = Party.create(kind=kind, name=name, name_key=name_key(name), relation=relation, client=case.client_id,
                             case=case, created_by=user)
        party.reindex()  # the conflict check finds it from now on
        audit.record("case_party_add", case, actor=user, fields=["parties"], detail=f"party={party.id}")
    return party


def save_planning(case: Case, data: dict, user) -> None:
    """Budget and description in clear; the legal analysis and strategy encrypted (team only)."""
    _open(case)
    with transaction():
        for field in Case.CONFIDENTIAL:
            if field in data:
                case.set_confidential(field, data[field])
        for field in ("description", "budget_amount", "budget_notes", "budget_told_on", "budget_told_how"):
            if field in data:
                setattr(case, field, data[field])
        case.save()
        audit.record("case_planning", case, actor=user, fields=sorted(data))


def read_confidential(case: Case, user) -> dict:
    """The legal analysis and strategy in clear, with the one ``sensitive_read`` row this read costs (L1)."""
    audit.record("sensitive_read", case, actor=user, fields=list(Case.CONFIDENTIAL), detail="planning")
    return {field: case.reveal(field) for field in Case.CONFIDENTIAL}


def add_evidence(case: Case, kind: str, description: str, user) -> EvidenceItem:
    _open(case)
    with transaction():
        item = EvidenceItem.create(case=case, kind=kind, description=description)
        audit.record("case_evidence", case, actor=user, fields=["evidence"], detail=f"add {item.id}")
    return item


def mark_evidence(item: EvidenceItem, collected: bool, today, user) -> None:
    """Collected or pending again; the target state comes from the form, so a double click changes nothing."""
    _open(item.case)
    with transaction():
        changed = EvidenceItem.update(collected_on=today if collected else None, updated_at=utcnow()).where(
            EvidenceItem.id == item.id, EvidenceItem.collected_on.is_null(collected)).execute()
        if changed:
            audit.record("case_evidence", item.case, actor=user, fields=["evidence"],
                         detail=f"{'collected' if collected else 'pending'} {item.id}")


# ----- interventions -----

def _done_at(starts_at, minutes: int):
    """When an intervention was carried out: its planned end, or now if it is recorded before that end."""
    return min(starts_at + timedelta(minutes=minutes), utcnow())


def _not_before_it_starts(starts_at) -> None:
    if starts_at > utcnow():
        raise CaseError(_("It has not started yet: it can be recorded as done once it has started, or correct its "
                          "date and time if it took place earlier."))


def plan_intervention(case: Case, data: dict, user) -> Intervention:
    """Plan an intervention or, with ``work_done``, record one that already took place: it is stored as done
    with its real date, as staff record what happened when it happened."""
    _open(case)
    data = dict(data)
    work_done = data.pop("work_done", "")
    if work_done:
        _not_before_it_starts(data["starts_at"])
        data.update(status="done", work_done=work_done,
                    done_at=_done_at(data["starts_at"], data.get("duration_minutes") or 60))
    with transaction():
        intervention = Intervention.create(case=case, created_by=user, **data)
        audit.record("intervention_done" if work_done else "intervention_plan", intervention, actor=user,
                     fields=sorted(data), detail=f"case={case.id}")
    return intervention


def record_intervention(intervention: Intervention, data: dict, user, starts_at=None) -> None:
    """Planned → done once; a done report may be corrected (same status), a cancelled one not. ``starts_at``
    (UTC) corrects when it took place; it cannot be done before it starts."""
    _open(intervention.case)
    minute = intervention.starts_at.replace(second=0, microsecond=0)
    moved = starts_at is not None and starts_at.replace(second=0, microsecond=0) != minute  # the form has minutes
    starts_at = starts_at if moved else intervention.starts_at
    _not_before_it_starts(starts_at)
    done_at = intervention.done_at if intervention.done_at and not moved else _done_at(
        starts_at, intervention.duration_minutes)
    with transaction():
        changed = Intervention.update(status="done", starts_at=starts_at, done_at=done_at, updated_at=utcnow(),
                                      **data).where(
            Intervention.id == intervention.id, Intervention.status == intervention.status,
            Intervention.status.in_(("planned", "done"))).execute()
        if not changed:
            raise CaseError(_("Someone changed this intervention meanwhile; reload the page."))
        audit.record("intervention_done", intervention, actor=user, fields=sorted(data) + (["starts_at"] if moved else []))


def cancel_intervention(intervention: Intervention, user) -> None:
    _open(intervention.case)
    with transaction():
        changed = Intervention.update(status="cancelled", updated_at=utcnow()).where(
            Intervention.id == intervention.id, Intervention.status == "planned").execute()
        if not changed:
            raise CaseError(_("Only a planned intervention can be cancelled."))
        audit.record("intervention_cancel", intervention, actor=user)


# ----- resolution and final deliveries -----

def save_resolution(case: Case, data: dict, user) -> None:
    _open(case)
    with transaction():
        for field in ("resolution_summary", "explained_on", "explained_how", "client_understood"):
            setattr(case, field, data[field])
        case.save()
        audit.record("case_resolution", case, actor=user, fields=sorted(data))


def add_delivery(case: Case, data: dict, user) -> FinalDelivery:
    _open(case)
    with transaction():
        delivery = FinalDelivery.create(case=case, **data)
        audit.record("case_delivery", case, actor=user, fields=["deliveries"], detail=f"add {delivery.id}")
    return delivery


def mark_delivered(delivery: FinalDelivery, day, how: str, user) -> None:
    _open(delivery.case)
    with transaction():
        FinalDelivery.update(delivered_on=day, delivered_how=how, updated_at=utcnow()).where(
            FinalDelivery.id == delivery.id).execute()
        audit.record("case_delivery", delivery.case, actor=user, fields=["deliveries"], detail=f"delivered {delivery.id}")

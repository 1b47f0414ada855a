"""The organigram of the manual (issue 17 item 7, the checklist's "Incluir un organigrama si es necesario"): drawn
from the staff's supervisors and roles, from the people without a supervisor down.

Active accounts only. Someone whose supervisor is inactive (or gone) heads a branch of their own, with a note; a
ring of supervisors (A reports to B, B to A) cannot hang from anyone, so the ring is broken at its first member in
name order, with a note, and everyone still appears exactly once. The people without a supervisor and without
anyone in their charge are listed apart, after the tree.

Two queries whatever the size of the firm: the active accounts and their roles. The tree comes back flat, in
reading order, each row with its depth and how many levels close after it, so the template draws the nested
lists in a plain loop (no recursion, however deep the chain)."""

from dataclasses import dataclass, field

from models.users import User, UserRole

NOTE_INACTIVE_SUPERVISOR = "inactive_supervisor"
NOTE_CYCLE = "cycle"


@dataclass
class Person:
    id: int
    name: str
    email: str
    supervisor_id: int | None
    roles: list[str] = field(default_factory=list)
    reports: list["Person"] = field(default_factory=list)
    note: str = ""
    team: int = 0  # everyone under them, at any depth


@dataclass
class Row:
    person: Person
    depth: int
    has_reports: bool
    close: int = 0  # levels that end after this row
    leaves: bool = False  # every report of this person has no reports of their own (a team drawn as a grid)


@dataclass
class Chart:
    rows: list[Row]
    alone: list[Person]  # no supervisor and nobody in their charge
    people: int


def _people() -> dict[int, Person]:
    people = {pid: Person(pid, name, email, sup) for pid, name, email, sup in
              User.select(User.id, User.name, User.email, User.supervisor)
              .where(User.is_active == True).order_by(User.name, User.id).tuples()}  # noqa: E712
    active = User.select(User.id).where(User.is_active == True)  # noqa: E712
    for uid, role in (UserRole.select(UserRole.user, UserRole.role).where(UserRole.user.in_(active))
                      .order_by(UserRole.role).tuples()):
        if uid in people:
            people[uid].roles.append(role)
    return people


def build(people: dict[int, Person]) -> Chart:
    """The tree of ``people`` (in name order): their reports attached, roots found, rings broken."""
    roots = []
    for person in people.values():
        boss = people.get(person.supervisor_id) if person.supervisor_id is not None else None
        if boss is None:
            if person.supervisor_id is not None:
                person.note = NOTE_INACTIVE_SUPERVISOR
            roots.append(person)
        else:
            boss.reports.append(person)
    placed: set[int] = set()
    ordered = [*roots]
    _mark(roots, placed)
    for person in people.values():  # those left hang from a ring: break it at its first member by name
        if person.id in placed:
            continue
        ring, seen, walker = [], set(), person
        while walker.id not in seen:
            seen.add(walker.id)
            ring.append(walker)
            walker = people[walker.supervisor_id]
        head = min(ring[ring.index(walker):], key=lambda p: (p.name, p.id))
        head.note = NOTE_CYCLE
        ordered.append(head)
        _mark([head], placed)
    for head in ordered:
        _count(head)
    tree = [p for p in ordered if p.reports]
    alone = [p for p in ordered if not p.reports]
    return Chart(_flatten(tree), alone, len(people))


def _mark(start, placed: set) -> None:
    """Place everyone under ``start``; a report already placed (the way back into a ring) is cut off."""
    stack = list(start)
    for p in start:
        placed.add(p.id)
    while stack:
        person = stack.pop()
        kept = [r for r in person.reports if r.id not in placed]
        person.reports = kept
        for r in kept:
            placed.add(r.id)
        stack.extend(kept)


def _count(head: Person) -> None:
    order, stack = [], [head]
    while stack:
        person = stack.pop()
        order.append(person)
        stack.extend(person.reports)
    for person in reversed(order):
        person.team = sum(1 + r.team for r in person.reports)


def _flatten(roots) -> list[Row]:
    rows: list[Row] = []
    stack = [(p, 0) for p in reversed(roots)]
    while stack:
        person, depth = stack.pop()
        rows.append(Row(person, depth, bool(person.reports),
                        leaves=bool(person.reports) and not any(r.reports for r in person.reports)))
        stack.extend((r, depth + 1) for r in reversed(person.reports))
    for i, row in enumerate(rows):
        row.close = row.depth - (rows[i + 1].depth if i + 1 < len(rows) else 0)
    return rows


def chart() -> Chart:
    return build(_people())

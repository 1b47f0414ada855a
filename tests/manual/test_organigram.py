"""The organigram (issue 17 item 7): drawn from the supervisors and roles of the active staff, from those without a
supervisor down; a ring of supervisors or an inactive supervisor never hides anyone nor loops; each person appears
once, with their roles and the size of their team; the page costs two queries of its own whatever the staff."""

import re
from html.parser import HTMLParser

import pytest
from playhouse.test_utils import count_queries

from models.users import User
from services.manual import organigram as service
from services.manual.organigram import Person

pytestmark = pytest.mark.usefixtures("clock")


def _people(*rows):
    """(id, name, supervisor id) → the service's people, in name order as the query gives them."""
    return {pid: Person(pid, name, f"{pid}@firma.test", sup) for pid, name, sup in sorted(rows, key=lambda r: r[1])}


def _shape(chart):
    return [(r.person.name, r.depth, r.close) for r in chart.rows]


def test_a_tree_from_those_without_a_supervisor_down():
    chart = service.build(_people((1, "Gerente", None), (2, "Beatriz", 1), (3, "Carlos", 2), (4, "Ana", 1),
                                  (5, "Solo", None)))
    assert _shape(chart) == [("Gerente", 0, -1), ("Ana", 1, 0), ("Beatriz", 1, -1), ("Carlos", 2, 2)]
    assert [p.name for p in chart.alone] == ["Solo"]
    gerente, beatriz = chart.rows[0], chart.rows[2]
    assert gerente.person.team == 3 and beatriz.person.team == 1 and not gerente.leaves and beatriz.leaves


def test_a_ring_of_supervisors_is_broken_once_and_everyone_appears_once():
    # Ana → Berta → Carla → Ana, and Dora under Carla; Eva alone; a two-ring Zoe ↔ Yago
    chart = service.build(_people((1, "Ana", 3), (2, "Berta", 1), (3, "Carla", 2), (4, "Dora", 3), (5, "Eva", None),
                                  (6, "Zoe", 7), (7, "Yago", 6), (8, "Self", 8)))
    names = [r.person.name for r in chart.rows] + [p.name for p in chart.alone]
    assert sorted(names) == ["Ana", "Berta", "Carla", "Dora", "Eva", "Self", "Yago", "Zoe"]
    heads = {r.person.name: r.person.note for r in chart.rows if r.depth == 0}
    assert heads == {"Ana": "cycle", "Yago": "cycle"}  # each ring drawn from its first member by name
    assert {p.name: p.note for p in chart.alone} == {"Eva": "", "Self": "cycle"}
    # every list a row opens is closed by a row after it
    assert sum(r.close for r in chart.rows if r.close > 0) == sum(1 for r in chart.rows if r.has_reports)


def test_an_inactive_supervisor_makes_a_branch_of_its_own():
    people = _people((2, "Beatriz", 9), (3, "Carlos", 2))  # 9: inactive, not among the active people
    chart = service.build(people)
    assert _shape(chart) == [("Beatriz", 0, -1), ("Carlos", 1, 1)]
    assert chart.rows[0].person.note == "inactive_supervisor"


def test_a_long_chain_is_drawn_without_recursion():
    chain = _people(*((i, f"P{i:04d}", i - 1 if i else None) for i in range(3000)))
    chart = service.build(chain)
    assert len(chart.rows) == 3000 and chart.rows[-1].depth == 2999 and chart.rows[-1].close == 2999


class _Nesting(HTMLParser):
    """Which person boxes sit inside which list items: the ids of the boxes on the way down to each box."""

    def __init__(self):
        super().__init__()
        self.stack, self.parents, self.errors = [], {}, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("ul", "li"):
            self.stack.append([tag, None])
        box = re.match(r"org-person-(\d+)$", attrs.get("data-testid") or "")
        if box:
            pid = int(box.group(1))
            owners = [e[1] for e in self.stack if e[0] == "li" and e[1] is not None]
            self.parents[pid] = owners[-1] if owners else None
            self.stack[-1][1] = pid

    def handle_endtag(self, tag):
        if tag in ("ul", "li"):
            if not self.stack or self.stack[-1][0] != tag:
                self.errors.append(tag)
            else:
                self.stack.pop()


def test_the_page_draws_the_tree_nested_with_roles(app, http, login_as, make_user):
    boss = login_as("management")
    with app.app_context():
        lead = make_user(roles=("operations", "quality"), name="Laura Líder")
        member = make_user(roles=("service",), name="Mario Miembro")
        lead.set_supervisor(boss.id)
        member.set_supervisor(lead.id)
        ring_a, ring_b = make_user(name="Ana Anillo"), make_user(name="Beto Anillo")
        ring_a.set_supervisor(ring_b.id)
        ring_b.set_supervisor(ring_a.id)
        gone = make_user(name="Ido", active=False)
        orphan = make_user(name="Olga Huérfana")
        orphan.set_supervisor(gone.id)
        make_user(name="Sara Sola")
    response = http.get("/manual/organigrama")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    tree = html.split('data-testid="organigram"')[1].split("</ul>\n</div>")[0]
    parser = _Nesting()
    parser.feed('<div data-testid="organigram"' + tree + "</ul></div>")
    assert parser.errors == [] and parser.stack == []
    assert parser.parents[member.id] == lead.id and parser.parents[lead.id] == boss.id
    assert parser.parents[boss.id] is None
    assert {parser.parents[ring_a.id], parser.parents[ring_b.id]} == {None, ring_a.id}
    assert html.count(f'data-testid="org-person-{member.id}"') == 1
    assert "Departamento Operativo · Responsable del SGC" in html and "Equipo de 2 personas" in html
    assert 'data-testid="org-cycle"' in html and 'data-testid="org-inactive"' in html
    assert "Ido" not in html  # inactive accounts are not drawn
    alone = html.split('data-testid="org-alone"')[1]
    assert "Sara Sola" in alone and "Mario Miembro" not in alone


def test_every_member_of_staff_reads_it_from_the_manual(http, login_as):
    login_as("operations")
    assert 'href="/manual/organigrama"' in http.get("/manual").get_data(as_text=True)
    assert http.get("/manual/organigrama").status_code == 200


def test_the_page_costs_the_same_queries_whatever_the_staff(app, http, login_as, make_user):
    boss = login_as("admin")
    http.get("/manual/organigrama")
    with count_queries() as few:
        assert http.get("/manual/organigrama").status_code == 200
    with app.app_context():
        previous = boss
        for i in range(12):
            person = make_user(roles=("commercial", "service"), name=f"Persona {i}")
            person.set_supervisor(previous.id if i % 3 else boss.id)
            previous = person
    with count_queries() as many:
        html = http.get("/manual/organigrama").get_data(as_text=True)
    assert few.count == many.count
    assert html.count('data-testid="org-person-') == User.select().where(User.is_active == True).count()  # noqa: E712

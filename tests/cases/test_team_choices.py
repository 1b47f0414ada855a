"""The pickers' first options (models.cases.team_choices): the active case-working staff of a case, or of a client's
open cases and its responsible, plus the one writing and one already chosen — the same people whether the statement
is the prepared one of the case and client pages or written for a longer list of people."""

from models.cases import Case, _open_cases, _team, team_choices
from models.clients import Client
from tests.factories import make_case, make_user


def _names(rows):
    return [name for _id, name in rows]


def test_the_team_of_a_case_and_of_a_client_s_open_cases(app):
    with app.test_request_context():
        lead = make_user(roles=("operations",), name="Andrea Líder")
        member = make_user(roles=("service",), name="Bruno Miembro")
        gone = make_user(roles=("operations",), name="Carla Inactiva", active=False)
        quality = make_user(roles=("quality",), name="Diana Calidad")  # works no cases
        closed_member = make_user(roles=("commercial",), name="Elena Cerrado")
        owner = make_user(roles=("commercial",), name="Fabio Responsable")
        writer = make_user(roles=("management",), name="Gloria Escribe")
        chosen = make_user(roles=("operations",), name="Hugo Elegido")
        case = make_case(responsible=lead, team=[member, gone, quality])
        other = make_case(client=case.client, responsible=closed_member, title="Sucesión intestada")
        Case.update(status="closed").where(Case.id == other.id).execute()
        Client.update(responsible=owner).where(Client.id == case.client_id).execute()
        client = Client.get_by_id(case.client_id)

        assert _names(team_choices(case=case)) == ["Andrea Líder", "Bruno Miembro"]
        assert _names(team_choices(case=case, also=(writer.id, chosen.id))) == [
            "Andrea Líder", "Bruno Miembro", "Gloria Escribe", "Hugo Elegido"]
        assert _names(team_choices(client=client, also=(writer.id, "7", 10**12, None))) == [
            "Andrea Líder", "Bruno Miembro", "Fabio Responsable", "Gloria Escribe"]
        assert _names(team_choices(case=case, client=client, also=(writer.id,))) == [
            "Andrea Líder", "Bruno Miembro", "Fabio Responsable", "Gloria Escribe"]
        # more people than the prepared statements take: the statement written for them says the same
        many = (writer.id, chosen.id, quality.id, gone.id)
        assert team_choices(client=client, also=many) == list(_team(_open_cases(client), [*many, owner.id]))
        assert _names(team_choices(client=client, also=many)) == [
            "Andrea Líder", "Bruno Miembro", "Fabio Responsable", "Gloria Escribe", "Hugo Elegido"]
        assert _names(team_choices(also=(chosen.id, closed_member.id))) == ["Elena Cerrado", "Hugo Elegido"]

"""Path ids past a 64-bit integer answer 404, never a database overflow (SECURITY.md V1)."""


def test_v1_huge_path_ids_are_not_found(http, login_as):
    login_as("management")
    for url in ("/clientes/99999999999999999999", "/casos/99999999999999999999",
                "/quejas/99999999999999999999", "/encuestas/invitaciones/99999999999999999999"):
        assert http.get(url).status_code == 404, url


def test_v1_huge_ids_in_every_id_route_are_not_found(http, login_as):
    """The shared converter answers for every route: crisis incidents, interactions and meetings too."""
    login_as("management")
    huge = "99999999999999999999"
    for url in (f"/crisis/{huge}", f"/interacciones/{huge}", f"/interacciones/reuniones/{huge}",
                f"/encuestas/resultados/respuestas/{huge}"):
        assert http.get(url).status_code == 404, url

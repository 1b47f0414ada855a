"""Path ids past a 64-bit integer answer 404, never a database overflow (SECURITY.md V1)."""


def test_v1_huge_path_ids_are_not_found(http, login_as):
    login_as("management")
    for url in ("/clientes/99999999999999999999", "/casos/99999999999999999999",
                "/quejas/99999999999999999999", "/encuestas/invitaciones/99999999999999999999"):
        assert http.get(url).status_code == 404, url

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


def test_every_app_builds_urls_with_the_first_apps_compiled_builders(make_app):
    """Each app reuses the URL builders compiled for the first (they cost most of an app's construction); the
    rule they are bound to is the app's own, so each still builds its own URLs, defaults and query strings."""
    first, second = make_app(), make_app(SERVER_NAME="traza.example.test")
    one = {r.endpoint: r for r in first.url_map.iter_rules()}
    other = {r.endpoint: r for r in second.url_map.iter_rules()}
    assert one.keys() == other.keys()
    for endpoint, rule in one.items():
        assert rule._build.__func__ is other[endpoint]._build.__func__, endpoint
        assert other[endpoint]._build.__self__ is other[endpoint]
    with second.test_request_context():
        from flask import url_for

        assert url_for("clients.show", client_id=7, pestana="casos") == "/clientes/7?pestana=casos"
        assert url_for("clients.show", client_id=7, _external=True) == "http://traza.example.test/clientes/7"

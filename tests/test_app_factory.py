"""What every app of a process shares: compiled URL builders and compiled templates (each test builds an app)."""

from flask import url_for
from jinja2 import Environment, FileSystemLoader

from app import SharedTemplateCode


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
        assert url_for("clients.show", client_id=7, pestana="casos") == "/clientes/7?pestana=casos"
        assert url_for("clients.show", client_id=7, _external=True) == "http://traza.example.test/clientes/7"


def test_a_template_is_compiled_once_per_process_and_again_when_it_changes(tmp_path):
    cache, compiled = SharedTemplateCode(), []

    class CountingEnvironment(Environment):
        def compile(self, *args, **kwargs):
            compiled.append(args[1] if len(args) > 1 else kwargs.get("name"))
            return super().compile(*args, **kwargs)

    page = tmp_path / "pagina.html"
    page.write_text("Hola {{ nombre }}")

    def environment():
        return CountingEnvironment(loader=FileSystemLoader(tmp_path), bytecode_cache=cache, auto_reload=True)

    assert environment().get_template("pagina.html").render(nombre="Ana") == "Hola Ana"
    assert environment().get_template("pagina.html").render(nombre="Luis") == "Hola Luis"
    assert compiled == ["pagina.html"]
    page.write_text("Adiós {{ nombre }}")
    assert environment().get_template("pagina.html").render(nombre="Ana") == "Adiós Ana"
    assert compiled == ["pagina.html", "pagina.html"]

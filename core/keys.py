"""``flask keys``: make the five keys Traza needs (SECURITY.md E2).

Registered as a Flask CLI plugin (pyproject ``flask.commands``), so it runs before any key exists: the app
itself refuses to start without them.
"""

import os
from datetime import UTC, datetime

import click

from core.config import KEY_NAMES, _new_key


@click.group("keys", help="Claves de cifrado y firma.")
def keys_cli():
    pass


def fragment(today=None) -> str:
    """An environment-file fragment with five fresh, distinct keys. The field key carries a dated key id so
    that a later rotation can list the new key first and keep this one readable (``kid:key;kid:key``)."""
    today = today or datetime.now(UTC).date()
    lines = [
        f"# Claves de Traza generadas el {today.isoformat()}. Guárdelas aparte de las copias de seguridad:",
        "# sin TRAZA_FIELD_KEY no se puede leer ningún dato cifrado de la base ni de los archivos.",
    ]
    for name in KEY_NAMES:
        value = _new_key()
        if name == "FIELD_KEY":
            value = f"k{today:%Y%m%d}:{value}"
        lines.append(f"TRAZA_{name}={value}")
    return "\n".join(lines) + "\n"


@keys_cli.command("generate")
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None,
              help="Escribe el fragmento en este archivo (modo 0600); nunca sobrescribe uno existente.")
def generate(output):
    """Imprime (o escribe) un fragmento de archivo de entorno con cinco claves nuevas y distintas."""
    text = fragment()
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise click.ClickException(
            f"{output} ya existe: no se sobrescriben claves (se perderían los datos cifrados).") from None
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
    click.echo(f"Claves escritas en {output} (0600).")

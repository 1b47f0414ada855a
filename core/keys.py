"""``flask keys``: make the five keys Traza needs (SECURITY.md E2) and rotate the encryption keys (E3).

Registered as a Flask CLI plugin (pyproject ``flask.commands``), so ``generate`` and ``new`` run before any
key exists: the app itself refuses to start without them.

Rotation: the person prepends a new ``kid:key`` to TRAZA_FIELD_KEY (and TRAZA_TOTP_KEY), restarts Traza
everywhere, and runs ``flask keys rotate``. It re-encrypts, under each setting's first (primary) key, every
value and stored file still under another key id. It only touches those, so it can be stopped and run again;
each batch is a transaction with a conditional UPDATE, so a value the app changes meanwhile is left as the
app wrote it. Afterwards it looks through every text column of every table for a ciphertext still under an
old key id, so "the old key can go" is checked, not assumed.
"""

import os
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

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


@keys_cli.command("new")
@click.argument("purpose", type=click.Choice(["field", "totp"]))
def new_key(purpose):
    """Imprime una clave nueva con id fechado (kid:clave) para anteponerla a TRAZA_FIELD_KEY o TRAZA_TOTP_KEY."""
    today = datetime.now(UTC).date()
    setting = "TRAZA_FIELD_KEY" if purpose == "field" else "TRAZA_TOTP_KEY"
    kid = f"{'k' if purpose == 'field' else 't'}{today:%Y%m%d}-{secrets.token_hex(2)}"  # distinct if made twice a day
    click.echo(f"# Anteponga este valor a {setting}, separado por «;» ({setting}=nueva;anterior), reinicie Traza en "
               "todos los equipos y ejecute `flask keys rotate`.", err=True)
    click.echo(f"{kid}:{_new_key()}")


# ----- rotation (SECURITY.md E3) -----

BATCH = 500
FILE_NAME = re.compile(r"[0-9A-Za-z_-]{1,64}")


@dataclass
class Sealed:
    """One encrypted column: its model, the cipher that seals it and the AAD context of a row."""

    model: object
    column: str
    cipher: str  # "field" or "totp"
    context: object  # row → context string
    only: object = None  # an extra condition: rows that hold a ciphertext at all
    extra: tuple = ()  # columns the context needs besides the id

    @property
    def name(self) -> str:
        return f"{self.model._meta.table_name}.{self.column}"


def sealed_columns() -> list[Sealed]:
    """Every column that holds a ``v1.<kid>.…`` ciphertext. Stored files are sealed on disk (``_rotate_files``)."""
    from core import mail
    from models.cases import Case
    from models.clients import Client
    from models.complaints import CrisisIncident
    from models.interactions import Interaction
    from models.mail import OutboundEmail
    from models.privacy import DataSubjectRequest
    from models.users import User

    columns = [
        Sealed(Client, "document_number", "field", lambda r: r._doc_context()),
        Sealed(Client, "sensitive_data", "field", lambda r: f"client|sensitive_data|{r.id}"),
        *(Sealed(Case, name, "field", lambda r, name=name: f"legal_case|{name}|{r.id}") for name in Case.CONFIDENTIAL),
        Sealed(Interaction, "summary", "field", lambda r: f"interaction|summary|{r.id}",
               only=Interaction.confidential == True),  # noqa: E712 (peewee expression)
        *(Sealed(model, name, "field", lambda r, name=name: r._secret_context(name))
          for model in (CrisisIncident, DataSubjectRequest) for name in model.SECRET_FIELDS),
        Sealed(OutboundEmail, "body", "field", mail._context, extra=(OutboundEmail.message_id,)),
        *(Sealed(User, name, "totp", lambda r, name=name: f"app_user|{name}|{r.id}") for name in ("totp_secret", "totp_pending")),
    ]
    return columns


def _not_under(column, prefix: str):
    from peewee import fn

    return (fn.SUBSTR(column, 1, 3) == "v1.") & (fn.SUBSTR(column, 1, len(prefix)) != prefix)


def _rotate_column(spec: Sealed, cipher, echo) -> tuple[int, int]:
    """Re-encrypt the values of one column not under the primary key id: (changed, failed)."""
    from core.crypto import DecryptError
    from core.db import db

    model = spec.model
    column = getattr(model, spec.column)
    condition = _not_under(column, f"v1.{cipher.primary}.")
    if spec.only is not None:
        condition &= spec.only
    changed = failed = last = 0
    while True:
        rows = list(model.select(model.id, column, *spec.extra).where(condition, model.id > last)
                    .order_by(model.id).limit(BATCH))
        if not rows:
            break
        with db.atomic():
            for row in rows:
                old = getattr(row, spec.column)
                try:
                    plain = cipher.decrypt(old, spec.context(row))
                except DecryptError:
                    failed += 1
                    continue
                new = cipher.encrypt(plain, spec.context(row))
                # Conditional: a value the app rewrote meanwhile is already under the primary key.
                changed += model.update({column: new}).where(model.id == row.id, column == old).execute()
        last = rows[-1].id
        if changed and changed % (BATCH * 20) == 0:
            echo(f"  {spec.name}: {changed}…")
    return changed, failed


def _rotate_files(cipher, echo) -> tuple[int, int]:
    """Seal again, under the primary key id, every stored file still under another one."""
    from core.crypto import DecryptError

    folder = Path(current_app.config["INSTANCE_PATH"]) / "files"
    if not folder.is_dir():
        return 0, 0
    primary = cipher.primary.encode()
    changed = failed = 0
    for path in sorted(folder.iterdir()):
        if not (path.is_file() and FILE_NAME.fullmatch(path.name)):
            continue
        blob = path.read_bytes()
        if blob[1:1 + blob[0]] == primary:
            continue
        context = f"stored_file|{path.name}"
        try:
            data = cipher.unseal(blob, context)
        except DecryptError:
            failed += 1
            continue
        temporary = path.with_name(f".{path.name}.rotating")
        with os.fdopen(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as fh:
            fh.write(cipher.seal(data, context))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temporary, path)  # atomic: a reader sees the old file or the new one, both readable
        changed += 1
        if changed % 1000 == 0:
            echo(f"  archivos: {changed}…")
    return changed, failed


def leftovers(known=()) -> dict[str, int]:
    """Text columns, other than ``known``, holding a ciphertext under neither primary key id (nothing should)."""
    from core import crypto
    from core.db import db

    prefixes = [f"v1.{crypto.keys.field.primary}.", f"v1.{crypto.keys.totp.primary}."]
    found = {}
    for table in db.get_tables():
        for col in db.get_columns(table):
            name = f"{table}.{col.name}"
            if name in known or not any(t in col.data_type.lower() for t in ("char", "text")):
                continue
            quoted = '"' + col.name.replace('"', '""') + '"'
            conditions = " AND ".join([f"SUBSTR({quoted}, 1, 3) = 'v1.'"] +
                                      [f"SUBSTR({quoted}, 1, {len(p)}) <> {db.param}" for p in prefixes])
            sql = f'SELECT count(*) FROM "{table}" WHERE {conditions}'  # noqa: S608 (names from the catalog)
            count = db.execute_sql(sql, prefixes).fetchone()[0]
            if count:
                found[name] = count
    return found


def rotate(echo=click.echo) -> dict:
    """Re-encrypt everything under the primary key ids; returns the counts (see ``rotate_command``)."""
    from core import audit, crypto, keycheck
    from core.db import db

    ciphers = {"field": crypto.keys.field, "totp": crypto.keys.totp}
    changed, failed = {}, {}
    with db.connection_context():
        specs = sealed_columns()
        for spec in specs:
            done, bad = _rotate_column(spec, ciphers[spec.cipher], echo)
            changed[spec.name], failed[spec.name] = done, bad
            echo(f"{spec.name}: {done} re-cifrados" + (f", {bad} sin poder descifrar" if bad else ""))
        done, bad = _rotate_files(ciphers["field"], echo)
        changed["archivos"], failed["archivos"] = done, bad
        echo(f"archivos: {done} re-cifrados" + (f", {bad} sin poder descifrar" if bad else ""))
        with db.atomic():
            keycheck.reseal()
        rest = leftovers({spec.name for spec in specs})
        total = sum(changed.values())
        if total:
            detail = "; ".join(f"{name}={n}" for name, n in changed.items() if n)
            audit.record("keys_rotate", fields=[name for name, n in changed.items() if n], detail=(
                f"campos→{ciphers['field'].primary} totp→{ciphers['totp'].primary}: {detail}"))
    return {"changed": changed, "failed": {k: v for k, v in failed.items() if v}, "leftovers": rest}


@keys_cli.command("rotate")
@with_appcontext
def rotate_command():
    """Re-cifra todos los valores y archivos bajo la primera clave de TRAZA_FIELD_KEY y TRAZA_TOTP_KEY."""
    from core import crypto

    if crypto.keys.field is None or crypto.keys.totp is None:
        raise click.ClickException("No hay claves configuradas: Traza no puede arrancar con esta configuración.")
    click.echo(f"Clave principal de campos: {crypto.keys.field.primary}; de TOTP: {crypto.keys.totp.primary}.")
    result = rotate()
    total = sum(result["changed"].values())
    if result["failed"]:
        where = ", ".join(f"{name} ({n})" for name, n in result["failed"].items())
        raise click.ClickException(f"{sum(result['failed'].values())} valores no se pudieron descifrar con las claves "
                                   f"configuradas ({where}): no retire ninguna clave antigua.")
    if result["leftovers"]:
        where = ", ".join(f"{name} ({n})" for name, n in result["leftovers"].items())
        raise click.ClickException(f"Quedan valores cifrados con claves antiguas ({where}): ¿algún equipo de Traza sigue "
                                   "con la configuración anterior? Reinícielo y repita `flask keys rotate`.")
    click.echo(f"Rotación terminada: {total} re-cifrados. Ya puede quitar las claves antiguas de TRAZA_FIELD_KEY y "
               "TRAZA_TOTP_KEY (guárdelas en custodia mientras conserve copias de seguridad hechas con ellas).")

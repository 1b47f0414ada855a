"""Command line: ``flask db``, ``flask users``, ``flask audit``, ``flask mail``, ``flask demo``, ``flask jobs``;
``flask keys`` lives in core/keys.py and ``flask backup`` in core/backup.py."""

import logging
import sys

import click
from flask import current_app
from flask.cli import AppGroup

from core import audit, mail, migrate
from core.db import db
from core.guard import ROLES
from services.admin import accounts

db_cli = AppGroup("db", help="Migraciones de la base de datos.")
users_cli = AppGroup("users", help="Cuentas del personal.")
audit_cli = AppGroup("audit", help="Registro de auditoría.")
mail_cli = AppGroup("mail", help="Correo saliente.")
demo_cli = AppGroup("demo", help="Datos de demostración.")
jobs_cli = AppGroup("jobs", help="Tareas programadas (cron).")


@db_cli.command("up")
@click.argument("target", required=False)
def db_up(target):
    """Aplica las migraciones pendientes."""
    with db.connection_context():
        applied = migrate.runner().up(target)
    for name in applied:
        click.echo(f"aplicada: {name}")
    if not applied:
        click.echo("nada que aplicar.")


@db_cli.command("down")
@click.argument("target", required=False)
def db_down(target):
    """Revierte la última migración (o hasta TARGET)."""
    with db.connection_context():
        for name in migrate.runner().down(target):
            click.echo(f"revertida: {name}")


@db_cli.command("status")
def db_status():
    """Lista las migraciones; termina con 1 si hay pendientes."""
    with db.connection_context():
        rows = migrate.runner().status()
    for m in rows:
        mark = "x" if m.applied else " "
        click.echo(f"[{mark}] {m.name}" + (f"  {m.applied:%Y-%m-%d %H:%M:%S}" if m.applied else ""))
    if any(not m.applied for m in rows):
        sys.exit(1)


def _print_link(user, link):
    click.echo(f"Cuenta creada: {user.email}")
    click.echo("Enlace de activación (un solo uso, válido 24 h):")
    click.echo(f"  {link}")


@users_cli.command("create-admin")
@click.argument("email")
@click.option("--name", default="")
def users_create_admin(email, name):
    """Crea una cuenta de administración e imprime su enlace de activación."""
    _create(email, name, ["admin"])


@users_cli.command("create")
@click.argument("email")
@click.option("--role", "roles", multiple=True, type=click.Choice(sorted(ROLES)), required=True)
@click.option("--name", default="")
def users_create(email, roles, name):
    """Crea una cuenta con uno o varios roles e imprime su enlace de activación."""
    _create(email, name, list(roles))


def _create(email, name, roles):
    # The request context gives url_for its BASE_URL; its teardown closes the connection.
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        try:
            user, link = accounts.invite(email, name, roles, send=False)
        except accounts.AccountError as exc:
            raise click.ClickException(str(exc)) from exc
    _print_link(user, link)


@users_cli.command("list")
def users_list():
    """Lista las cuentas con sus roles y estado."""
    from models.users import User

    with db.connection_context():
        users = list(User.search())
        roles = User.roles_for(users)
        for u in users:
            state = "activa" if u.is_active else "desactivada"
            if u.is_locked:
                state += ", bloqueada"
            totp = "2FA" if u.has_totp else "sin 2FA"
            click.echo(f"{u.email:40} {','.join(roles[u.id]) or '-':30} {state} · {totp}")


@users_cli.command("deactivate")
@click.argument("email")
def users_deactivate(email):
    """Desactiva una cuenta y cierra sus sesiones."""
    from models.users import User

    with current_app.test_request_context():
        user = User.by_email(email)
        if user is None:
            raise click.ClickException("No existe esa cuenta.")
        try:
            accounts.deactivate(user, actor=None)
        except accounts.AccountError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"Cuenta desactivada: {user.email}")


@audit_cli.command("verify")
def audit_verify():
    """Comprueba la cadena de hashes del registro de auditoría."""
    with db.connection_context():
        broken = audit.verify_chain()
    if broken is None:
        click.echo("Cadena de auditoría íntegra.")
        return
    click.echo(f"Cadena rota en el evento {broken}.", err=True)
    sys.exit(1)


@mail_cli.command("send")
def mail_send():
    """Envía los correos pendientes de la bandeja de salida."""
    with db.connection_context():
        click.echo(f"enviados: {mail.deliver_pending()}")


@mail_cli.command("worker")
@click.option("--interval", default=2.0, show_default=True, help="Segundos entre rondas de envío.")
@click.option("--once", is_flag=True, help="Una sola ronda (para probar la configuración).")
def mail_worker(interval, once):
    """Envía la bandeja de salida cada pocos segundos hasta recibir SIGTERM o SIGINT."""
    import signal
    import threading

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    click.echo(f"enviando correo cada {interval:g} s" if not once else "una ronda de envío")
    mail.work(interval, once=once, stop=stop)


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Solo si no hay cuentas todavía.")
def demo_load(if_empty):
    """Carga la firma de demostración (siempre la misma)."""
    from services import demo

    logging.getLogger("traza.security").setLevel(logging.WARNING)
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        if if_empty and demo.has_data():
            click.echo("Ya hay datos: no se carga la demostración.")
            return
        for line in demo.load():
            click.echo(line)


@jobs_cli.command("run")
def jobs_run():
    """Ejecuta las tareas programadas y envía el correo; termina con 1 si alguna falló."""
    from core import jobs

    results = jobs.run()
    for result in results:
        click.echo(result.line(), err=not result.ok)
    if not all(r.ok for r in results):
        sys.exit(1)


def init_app(app):
    from core.backup import backup_cli
    from core.keys import keys_cli

    for group in (db_cli, users_cli, audit_cli, mail_cli, demo_cli, jobs_cli, keys_cli, backup_cli):
        app.cli.add_command(group)


@demo_cli.command("info")
def demo_info():
    """Muestra cómo entrar en la demostración."""
    from services import demo

    for line in demo.describe():
        click.echo(line)

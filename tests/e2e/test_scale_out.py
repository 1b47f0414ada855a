"""Production scaled out (docs/deploy.md §3): two gunicorn instances in production mode, over real HTTPS
(a self-signed certificate made here), on one PostgreSQL and one Redis, with the deploy/ gunicorn config.

A person activates an account from the emailed link, enrols TOTP and signs in on instance 1, goes on with
the same cookie on instance 2 and registers a client there, and sees it from instance 1. The sign-in limit
counts across both, and `flask jobs run` on both at once sends each mail once.
"""

import datetime as dt
import ipaddress
import json
import os
import re
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyotp
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from playwright.sync_api import expect

from tests.conftest import PG_URL, REDIS_URL
from tests.e2e.test_journeys import _sign_out
from tests.factories import PASSWORD, make_area, make_notice, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(
    not PG_URL, reason="the scale-out journey needs PostgreSQL: it runs in the TEST_DATABASE_URL pass")]
ROOT = Path(__file__).resolve().parents[2]


def _certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_healthy(base: str, process, deadline: float) -> None:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"gunicorn exited: {process.stderr.read()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", context=context, timeout=2) as answer:  # noqa: S310
                if json.load(answer)["status"] == "ok":
                    return
        except OSError:
            time.sleep(0.2)  # polling a server that is starting, not timing a result
    raise AssertionError(f"{base} never answered /healthz")


@pytest.fixture
def production(app, keys_dir, smtp_server, redis_store, tmp_path):
    """Two hosts: two gunicorn processes sharing the database, Redis, keys and mail server."""
    cert, key = _certificate(tmp_path)
    ports = [_free_port(), _free_port()]
    bases = [f"https://127.0.0.1:{p}" for p in ports]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRAZA_", "FLASK_"))}
    env.update(TRAZA_ENV="production", TRAZA_INSTANCE=str(keys_dir), DATABASE_URL=PG_URL, BASE_URL=bases[0],
               SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp_server[1]), RATELIMIT_STORAGE_URI=REDIS_URL,
               TRAZA_FIRM_NAME="Duarte & Asociados Abogados", TRAZA_WORKERS="2")
    processes = []
    try:
        for port in ports:
            processes.append(subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy/gunicorn.conf.py"),
                 "--bind", f"127.0.0.1:{port}", "--certfile", str(cert), "--keyfile", str(key), "app:create_app()"],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True))
        deadline = time.monotonic() + 60
        for base, process in zip(bases, processes, strict=True):
            _wait_healthy(base, process, deadline)
        yield bases, env
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
            process.stderr.close()


def _jobs_on_both_hosts(env):
    def run(_):
        return subprocess.run([sys.executable, "-m", "flask", "--app", "app", "jobs", "run"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(run, range(2)))
    assert all(r.returncode == 0 for r in results), [r.stderr[-1500:] for r in results]


def _sign_in(pg, base, email, password, secret):
    pg.goto(f"{base}/entrar")
    pg.get_by_label("Correo electrónico").fill(email)
    pg.get_by_label("Contraseña").fill(password)
    pg.get_by_role("button", name="Continuar").click()
    pg.get_by_label("Código de verificación").fill(pyotp.TOTP(secret).now())
    pg.get_by_role("button", name="Verificar").click()
    pg.wait_for_url(f"{base}/")


def test_two_https_instances_one_person_one_limit_one_mail(app, browser, production, mailbox):
    (one, two), env = production
    with app.app_context():
        admin = make_user(roles=("admin",), name="Laura Gómez")
        area = make_area("Derecho laboral")
        make_notice()
    context = browser.new_context(ignore_https_errors=True, locale="es-CO", viewport={"width": 1280, "height": 860})
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    try:
        # The administrator invites a colleague on instance 1; the mail leaves only through the jobs runner.
        _sign_in(pg, one, admin.email, PASSWORD, admin.totp_plain)
        pg.goto(f"{one}/admin/usuarios/nuevo")
        pg.get_by_label("Nombre completo").fill("Camilo Restrepo")
        pg.get_by_label("Correo electrónico").fill("camilo@firma.test")
        pg.get_by_label("Departamento Comercial").check()
        pg.get_by_role("button", name="Crear y enviar enlace").click()
        pg.wait_for_selector("text=Cuenta creada")
        assert mailbox.to("camilo@firma.test") == []  # production: the request only queued it
        _jobs_on_both_hosts(env)
        (message,) = mailbox.to("camilo@firma.test")
        link = re.search(r"(https://127\.0\.0\.1:\d+/activar/\S+)", mailbox.text(message)).group(1)
        _sign_out(pg)

        # Activation over HTTPS (the form posts without a Referer) and TOTP enrolment, on instance 1.
        pg.goto(link)
        pg.get_by_label("Nueva contraseña").fill("brújula naranja del puerto viejo")
        pg.get_by_label("Repite la contraseña").fill("brújula naranja del puerto viejo")
        pg.get_by_role("button", name="Guardar contraseña y continuar").click()
        pg.wait_for_url("**/entrar/configurar-2fa")
        secret = pg.locator("[data-testid=totp-key] code").inner_text().replace(" ", "")
        pg.get_by_label("Código de verificación").fill(pyotp.TOTP(secret).now())
        pg.get_by_role("button", name="Activar").click()
        pg.wait_for_selector("[data-testid=recovery-codes]")
        pg.get_by_role("link", name="Ya los guardé, continuar").click()
        pg.wait_for_url(f"{one}/")
        assert any(c["name"] == "__Host-session" and c["secure"] for c in context.cookies())

        # The same cookie on instance 2: register a client there, without counterparties.
        pg.goto(f"{two}/clientes/nuevo")
        assert pg.url.startswith(f"{two}/clientes/nuevo"), "instance 2 knows the session"
        pg.get_by_label("Nombre completo o razón social").fill("Mariana Ospina Cárdenas")
        pg.get_by_label("Correo electrónico", exact=True).fill("mariana.ospina@correo.test")
        pg.get_by_label("Área de práctica").select_option(str(area.id))
        pg.get_by_label("¿Qué necesita?").fill("Revisión de un contrato de arrendamiento comercial.")
        pg.get_by_role("button", name="Verificar duplicados y conflictos").click()
        pg.get_by_role("button", name="Registrar prospecto").click()
        pg.wait_for_url("**/clientes/*/admision")  # a new prospect opens on its intake tab
        # …and see it from instance 1.
        pg.goto(f"{one}/clientes?q=Mariana")
        expect(pg.locator("main")).to_contain_text("Mariana Ospina Cárdenas")
        _sign_out(pg)

        # One sign-in limit across both hosts: ten failures split between them, the eleventh refused.
        for attempt in range(10):
            pg.goto(f"{(one, two)[attempt % 2]}/entrar")
            pg.get_by_label("Correo electrónico").fill(f"nadie{attempt}@firma.test")
            pg.get_by_label("Contraseña").fill("no es la contraseña")
            pg.get_by_role("button", name="Continuar").click()
            expect(pg.locator("main")).to_contain_text("no son correctos")
        pg.goto(f"{two}/entrar")
        pg.get_by_label("Correo electrónico").fill("nadie@firma.test")
        pg.get_by_label("Contraseña").fill("no es la contraseña")
        with pg.expect_response(lambda r: r.url.endswith("/entrar") and r.request.method == "POST") as answer:
            pg.get_by_role("button", name="Continuar").click()
        assert answer.value.status == 429
        expect(pg.locator("main")).to_contain_text("Demasiados intentos")
    finally:
        context.close()

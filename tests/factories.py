"""Factories: real rows made through the same code the app uses (hashing, encryption)."""

import itertools
import re

import pyotp

from core import auth
from core.db import transaction, utcnow
from models.users import User

_seq = itertools.count(1)

PASSWORD = "correcto caballo batería grapa"


def make_user(roles=("commercial",), email=None, name=None, password=PASSWORD, totp=True, active=True):
    n = next(_seq)
    with transaction():
        user = User.create(email=email or f"persona{n}@firma.test", name=name or f"Persona {n}",
                           password_hash=auth.hash_password(password) if password else None, is_active=active)
        user.set_roles(roles)
        user.plain_password = password
        user.totp_plain = None
        if totp:
            secret = auth.new_totp_secret()
            User.update(totp_secret=auth.seal_totp(user, secret), totp_enrolled_at=utcnow()).where(User.id == user.id).execute()
            user.totp_plain = secret
            auth.new_recovery_codes(user)
    return user


def code_for(user, at=None, offset_steps=0):
    totp = pyotp.TOTP(user.totp_plain)
    import time

    when = (at if at is not None else time.time()) + offset_steps * 30
    return totp.at(when)


def sign_in(client, user, next_url=None):
    response = client.post("/entrar" + (f"?next={next_url}" if next_url else ""),
                           data={"email": user.email, "password": user.plain_password})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    response = client.post("/entrar/verificacion", data={"code": code_for(user)})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return response


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html)
    return match.group(1)


def run_concurrently(app, fn, n=10):
    """Run fn() in n threads released together; return their results (for single-use races)."""
    import threading

    from core.db import db

    results, barrier = [], threading.Barrier(n)

    def worker():
        with app.app_context():
            barrier.wait()
            try:
                results.append(fn())
            finally:
                db.close()

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def make_area(name="Derecho laboral"):
    from models.catalog import PracticeArea

    return PracticeArea.get_or_create(name=name)[0]


def client_data(**overrides):
    data = {"kind": "person", "name": "María Fernanda Rojas", "document_type": "CC", "document_number": "52123456",
            "email": "maria.rojas@correo.test", "phone": "+573001234567", "phone_alt": "", "address": "Calle 10 # 5-20",
            "city": "Bogotá", "country": "CO", "preferred_channel": "email", "source": "web",
            "practice_area": make_area().id, "responsible": None, "customer_type": "", "need": "Despido sin justa causa.",
            "special_requirements": ""}
    data.update(overrides)
    return data


def make_client(user=None, counterparties=(), **overrides):
    from services import clients as service

    return service.register(client_data(**overrides), list(counterparties), user)


NOTICE_TEXT = ("Duarte & Asociados Abogados trata sus datos personales para prestarle el servicio contratado, "
               "conforme a la Ley 1581 de 2012. Puede consultar, actualizar o suprimir sus datos.")


def make_notice(text=NOTICE_TEXT):
    from models.consent import PrivacyNotice

    return PrivacyNotice.current() or PrivacyNotice.publish(text, None)


def make_case(client=None, responsible=None, team=(), title="Demanda por despido sin justa causa", today=None, **data):
    """An open case for an active client (made active here); call inside ``app.test_request_context()``."""
    from core.i18n import today_local
    from models.clients import Client
    from services import cases as service

    client = client or make_client(name=data.pop("client_name", "María Fernanda Rojas"))
    Client.update(status="active").where(Client.id == client.id).execute()
    client = Client.get_by_id(client.id)
    if responsible is None:
        responsible = make_user(roles=("operations",), name="Laura Gómez")
    return service.open_case(client, {"title": title, "responsible": responsible, "team": list(team), **data},
                             responsible, today or today_local())


def collect_spooled_bodies():
    """Werkzeug's test client spools a large request body to a temporary file it leaves to the collector; closed
    there, the file warns (an error under this suite) in whichever later test the collector happens to run. Call
    this as soon as the response of such a request is dropped."""
    import gc
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()

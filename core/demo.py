"""The demo firm that `make run` loads: a Spanish-speaking law and advisory firm, the same every time.

One account per role with a documented password; each sets up its authenticator at first sign-in.
More staff, some still awaiting activation, make the administration screens look like a real firm.
"""

from datetime import timedelta

from faker import Faker

from core import audit, auth
from core.db import transaction, utcnow
from core.guard import ROLES
from models.users import User

DEMO_PASSWORD = "Cafetal-Andino-2026"  # noqa: S105 (documented demo credential)
DOMAIN = "duarte-asociados.test"

DEMO_ACCOUNTS = (
    ("admin", "admin", "Administración del sistema"),
    ("gerencia", "management", "Gerencia General"),
    ("comercial", "commercial", "Departamento Comercial"),
    ("operaciones", "operations", "Departamento Operativo"),
    ("atencion", "service", "Atención al Cliente"),
    ("calidad", "quality", "Responsable del SGC"),
)

EXTRA_STAFF = 14


def has_data() -> bool:
    return User.select().exists()


def _faker() -> Faker:
    fake = Faker("es_CO")
    fake.seed_instance(8008)
    return fake


def load() -> list[str]:
    fake = _faker()
    lines = []
    with transaction():
        accounts = {}
        for local, role, _label in DEMO_ACCOUNTS:
            user = User.create(email=f"{local}@{DOMAIN}", name=f"{fake.first_name()} {fake.last_name()}",
                               password_hash=auth.hash_password(DEMO_PASSWORD))
            user.set_roles([role])
            accounts[role] = user
            audit.record("user_create", user, actor=None, fields=["email", "name", "roles"], detail=role)
        roles = list(ROLES)[1:]
        for i in range(EXTRA_STAFF):
            first, last = fake.first_name(), fake.last_name()
            email = f"{_slug(first)}.{_slug(last)}@{DOMAIN}"
            if User.by_email(email):
                continue
            user = User.create(email=email, name=f"{first} {last}", supervisor=accounts["management"],
                               password_hash=auth.hash_password(fake.password(length=20)) if i % 5 else None,
                               last_login_at=utcnow() - timedelta(days=fake.random_int(0, 20), minutes=fake.random_int(0, 600)))
            user.set_roles([roles[i % len(roles)]] + (["quality"] if i % 7 == 3 else []))
            audit.record("user_create", user, actor=None, fields=["email", "name", "roles"])
    lines.append("Demostración cargada: firma «Duarte & Asociados Abogados».")
    return lines


def describe() -> list[str]:
    lines = ["", "Cuentas de demostración (una por rol), contraseña: " + DEMO_PASSWORD]
    for local, _role, label in DEMO_ACCOUNTS:
        lines.append(f"  {local + '@' + DOMAIN:34} {label}")
    lines += [
        "",
        "La primera vez que entres, Traza te pedirá configurar la verificación en dos pasos:",
        "  escanea el código QR con una app de autenticación (Google Authenticator, FreeOTP, Aegis…)",
        "  o calcula el código con la clave mostrada:  oathtool --totp -b 'CLAVESINESPACIOS'",
    ]
    return lines


def _slug(text: str) -> str:
    import unicodedata

    folded = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in folded if ch.isalnum() and not unicodedata.combining(ch))

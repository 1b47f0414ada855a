"""Configuration from the environment, with safe defaults.

Secrets live outside the database: in environment variables or in ``instance/keys.json`` (mode 0600),
generated on first run outside production. In production the app refuses to start when a key is missing
or when two keys are the same (SECURITY.md E2).
"""

import base64
import json
import os
import secrets
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Each key has one purpose (SECURITY.md E2): sessions, field encryption, TOTP seeds, audit chain, blind index.
KEY_NAMES = ("SECRET_KEY", "FIELD_KEY", "TOTP_KEY", "AUDIT_KEY", "BLIND_INDEX_KEY")


class ConfigError(RuntimeError):
    """The configuration is unsafe or incomplete; the app must not start."""


def _env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def _new_key():
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def _load_key_file(instance_path: Path, production: bool) -> dict:
    path = instance_path / "keys.json"
    if path.exists():
        return json.loads(path.read_text())
    if production:
        return {}
    instance_path.mkdir(mode=0o700, parents=True, exist_ok=True)
    keys = {name: _new_key() for name in KEY_NAMES}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(keys, fh, indent=2)
    return keys


def _resolve_keys(config: dict, instance_path: Path) -> None:
    production = config["ENV"] == "production"
    missing = [n for n in KEY_NAMES if not config.get(n) and not os.environ.get(f"TRAZA_{n}")]
    file_keys = _load_key_file(instance_path, production) if missing else {}
    for name in KEY_NAMES:
        config[name] = config.get(name) or os.environ.get(f"TRAZA_{name}") or file_keys.get(name)
    absent = [n for n in KEY_NAMES if not config.get(n)]
    if absent:
        raise ConfigError(f"faltan claves: {', '.join(absent)}. Genérelas con `flask --app app keys generate` y "
                          "páselas como variables TRAZA_<NOMBRE> (o en instance/keys.json).")
    values = [config[n] for n in KEY_NAMES]
    if len(set(values)) != len(values):
        raise ConfigError("cada clave debe ser distinta (SECRET_KEY, FIELD_KEY, TOTP_KEY, AUDIT_KEY, BLIND_INDEX_KEY); "
                          "genere un juego nuevo con `flask --app app keys generate`.")
    for name in KEY_NAMES:
        if len(config[name]) < 32:
            raise ConfigError(f"La clave {name} es demasiado corta (mínimo 32 caracteres).")


def build_config(overrides: dict | None = None) -> dict:
    overrides = dict(overrides or {})
    env = overrides.get("ENV") or os.environ.get("TRAZA_ENV", "development")
    production = env == "production"
    instance_path = Path(overrides.get("INSTANCE_PATH") or os.environ.get("TRAZA_INSTANCE", ROOT / "instance"))
    config = {
        "ENV": env,
        "INSTANCE_PATH": str(instance_path),
        "DATABASE_URL": os.environ.get("DATABASE_URL", "sqlite:///instance/traza.db"),
        "BASE_URL": os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        "FIRM_NAME": os.environ.get("TRAZA_FIRM_NAME", "Traza"),
        # The firm's identity on the documents it hands out (quotation, contract) and in its mail to clients.
        "FIRM_NIT": os.environ.get("TRAZA_FIRM_NIT", "").strip(),
        "FIRM_ADDRESS": os.environ.get("TRAZA_FIRM_ADDRESS", "").strip(),
        "FIRM_CURRENCY": os.environ.get("TRAZA_CURRENCY", "COP"),
        "FIRM_REGION": os.environ.get("TRAZA_REGION", "CO"),  # money and numbers follow es_CO / en_CO
        "RENEWAL_WINDOW_DAYS": int(os.environ.get("TRAZA_RENEWAL_WINDOW_DAYS", "60")),
        # Renewal reminders, in days before a contract ends (PRO 008 §5.5.3), and the contacts scheduled after a
        # case closes, in months ("Seguimiento post-caso").
        "RENEWAL_REMINDER_DAYS": tuple(int(d) for d in os.environ.get("TRAZA_RENEWAL_REMINDER_DAYS", "60,30").split(",")),
        # The manual's review calendar: days before a document's review day on which its owner is reminded (issue 17).
        "MANUAL_REVIEW_REMINDER_DAYS": tuple(int(d) for d in os.environ.get("TRAZA_MANUAL_REVIEW_REMINDER_DAYS", "30,7").split(",") if d.strip()),
        "POST_CASE_FOLLOW_UP_MONTHS": tuple(int(m) for m in os.environ.get("TRAZA_POST_CASE_FOLLOW_UP_MONTHS", "3,12").split(",")),
        # "Actualización periódica": an active client without an outgoing update in this many days is flagged.
        "UPDATE_INTERVAL_DAYS": int(os.environ.get("TRAZA_UPDATE_INTERVAL_DAYS", "15")),
        # A survey answer with a rating at or below this, or an NPS at or below that, opens a follow-up.
        "SURVEY_LOW_RATING": int(os.environ.get("TRAZA_SURVEY_LOW_RATING", "2")),
        "SURVEY_LOW_NPS": int(os.environ.get("TRAZA_SURVEY_LOW_NPS", "6")),
        # SECURITY.md A6: an access review is overdue when none was signed off within this many months.
        "ACCESS_REVIEW_CYCLE_MONTHS": max(1, int(os.environ.get("TRAZA_ACCESS_REVIEW_MONTHS", "3"))),
        # Retention periods in years per kind of record, "former_client=5,rejected_prospect=1,contract=10,blocking=5"
        # (services/privacy/erasure.py: defaults by the firm's region for what is not given).
        "RETENTION": os.environ.get("TRAZA_RETENTION", ""),
        # Anonymous answers enter the satisfaction figures only by groups of at least this many (per month).
        "SURVEY_MIN_ANONYMOUS": max(1, int(os.environ.get("TRAZA_SURVEY_MIN_ANONYMOUS", "3"))),
        # "Establecer un ciclo de revisión regular": a management review is due when none approved covers a period
        # ending within this many months.
        "QUALITY_REVIEW_CYCLE_MONTHS": max(1, int(os.environ.get("TRAZA_REVIEW_CYCLE_MONTHS", "6"))),
        "TIMEZONE": os.environ.get("TRAZA_TIMEZONE", "America/Bogota"),
        "BABEL_DEFAULT_LOCALE": os.environ.get("TRAZA_LOCALE", "es"),
        "BABEL_DEFAULT_TIMEZONE": "UTC",
        "BABEL_TRANSLATION_DIRECTORIES": str(ROOT / "translations"),
        "LANGUAGES": ("es", "en"),
        "SMTP_HOST": os.environ.get("SMTP_HOST", ""),
        "SMTP_PORT": int(os.environ.get("SMTP_PORT", "25")),
        "SMTP_USER": os.environ.get("SMTP_USER", ""),
        "SMTP_PASSWORD": os.environ.get("SMTP_PASSWORD", ""),
        "SMTP_STARTTLS": _env_bool("SMTP_STARTTLS"),
        "SMTP_TIMEOUT": 10,
        # The sender's address; the name a client sees is FIRM_NAME (a name written here is not used).
        "MAIL_FROM": os.environ.get("MAIL_FROM", "no-responder@traza.local"),
        # Newsletter messages sent a minute at most (the transactional mail always goes first); 0: no limit.
        "NEWSLETTER_RATE": int(os.environ.get("TRAZA_NEWSLETTER_RATE", "60")),
        # Mail leaves the outbox through `flask mail worker` (or `flask jobs run`): requests only queue it, so
        # nobody waits on a slow SMTP server. Sending right after each request is for tests and trials only.
        "MAIL_SEND_IN_REQUEST": _env_bool("TRAZA_MAIL_SEND_IN_REQUEST", False),
        # A message still unsent after this many minutes shows on /healthz and on the administrator's home.
        "MAIL_DELAY_ALERT_MINUTES": int(os.environ.get("TRAZA_MAIL_DELAY_ALERT_MINUTES", "15")),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": _env_bool("RATELIMIT_ENABLED", True),
        "RATELIMIT_HEADERS_ENABLED": False,
        "PROXY_HOPS": int(os.environ.get("TRAZA_PROXY_HOPS", "0")),
        "LOG_FORMAT": "json" if os.environ.get("TRAZA_LOG_FORMAT", "text").strip().lower() == "json" else "text",
        "ARGON2_PROFILE": "default",
        # Sessions (SECURITY.md S3, S7): idle 15 min, absolute 10 h, fresh authentication within 10 min.
        "SESSION_IDLE": timedelta(minutes=15),
        "SESSION_ABSOLUTE": timedelta(hours=10),
        "SESSION_FRESH": timedelta(minutes=10),
        "LOGIN_CHALLENGE_TTL": timedelta(minutes=10),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=10),
        "SESSION_COOKIE_NAME": "__Host-session" if production else "traza_session",
        "SESSION_COOKIE_SECURE": production,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_PATH": "/",
        "SESSION_COOKIE_DOMAIN": None,
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "WTF_CSRF_TIME_LIMIT": None,
        # Flask-WTF's strict mode refuses every HTTPS post without a Referer, which is what the no-referrer
        # token pages (survey, activation, reset) send; core/security.py checks Origin/Referer instead (C3).
        "WTF_CSRF_SSL_STRICT": False,
        "MAX_CONTENT_LENGTH": 25 * 1024 * 1024,
        "MAX_FORM_MEMORY_SIZE": 6 * 1024 * 1024,  # multipart text fields (the CSV import preview)
        "MAX_FORM_PARTS": 200,
        "DEBUG": False,
        "TESTING": False,
    }
    config.update(overrides)
    if production and config.get("DEBUG"):
        raise ConfigError("DEBUG no puede activarse en producción.")
    _resolve_keys(config, instance_path)
    return config

"""Do these keys open this data? (SECURITY.md E2, E3)

A restore without the right keys, or a lost ``instance/keys.json`` replaced by new keys, looks healthy
until someone signs in (the TOTP secret does not decrypt), opens a client (no document number) or
verifies the audit chain. So the first start on a migrated database records one check value per key, and
every later start (and ``/healthz``) compares: a key that does not match stops Traza with one line.
"""

import hashlib
import hmac

from peewee import IntegrityError, PeeweeException

from core import crypto
from core.config import ConfigError
from core.db import db
from models.keys import KeyCheck

KNOWN = "Traza: comprobación de claves"
SETTINGS = {"field": "TRAZA_FIELD_KEY", "totp": "TRAZA_TOTP_KEY", "audit": "TRAZA_AUDIT_KEY",
            "blind_index": "TRAZA_BLIND_INDEX_KEY"}


def _context(purpose: str) -> str:
    return f"key_check|value|{purpose}"


def _cipher(purpose: str):
    return crypto.keys.field if purpose == "field" else crypto.keys.totp


def _mac(purpose: str) -> str:
    key = crypto.keys.audit_key if purpose == "audit" else crypto.keys.blind_key
    return hmac.new(key, KNOWN.encode(), hashlib.sha256).hexdigest()


def make(purpose: str) -> str:
    """The check value of ``purpose`` under the current (primary) key."""
    if purpose in ("field", "totp"):
        return _cipher(purpose).encrypt(KNOWN, _context(purpose))
    return _mac(purpose)


def matches(purpose: str, value: str) -> bool:
    if purpose in ("field", "totp"):
        try:
            return _cipher(purpose).decrypt(value, _context(purpose), quiet=True) == KNOWN
        except crypto.DecryptError:
            return False
    return hmac.compare_digest(value, _mac(purpose))


def mismatched() -> list[str]:
    """Settings whose key does not open this database's data; records the values on a database that has
    none yet. Nothing to compare before the first `flask db up` (or with the database unreachable: the
    health check reports that)."""
    if not KeyCheck.table_exists():
        return []
    found = {row.purpose: row.value for row in KeyCheck.select()}
    for purpose in SETTINGS.keys() - found.keys():
        try:
            with db.atomic():
                KeyCheck.create(purpose=purpose, value=make(purpose))
        except IntegrityError:
            found[purpose] = KeyCheck.get(KeyCheck.purpose == purpose).value  # another process wrote it
    return [SETTINGS[p] for p, value in sorted(found.items()) if p in SETTINGS and not matches(p, value)]


def verify() -> None:
    """At start: refuse keys that do not open the data (an unreachable database is the health check's)."""
    try:
        with db.connection_context():
            bad = mismatched()
    except (PeeweeException, OSError):
        return
    if bad:
        raise ConfigError(f"las claves no corresponden a los datos de esta base ({', '.join(bad)}): use las claves con "
                          "las que se guardaron (las de la copia de seguridad o de instance/keys.json), no unas nuevas.")


def reseal() -> int:
    """After a rotation: the check values under the new primary keys (the old keys can then be removed)."""
    changed = 0
    for row in KeyCheck.select():
        if row.purpose in ("field", "totp") and matches(row.purpose, row.value):
            KeyCheck.update(value=make(row.purpose)).where(KeyCheck.id == row.id).execute()
            changed += 1
    return changed

"""Encryption at rest and keyed hashes (SECURITY.md E1, E2, E4, T4).

Each purpose has its own key. A key setting is either one urlsafe-base64 key of 32 bytes, or several as
``kid:key;kid:key`` with the primary first (rotation: old keys still decrypt). Ciphertexts are
``v1.<kid>.<base64(nonce ‖ ciphertext+tag)>`` and the AAD binds table, column, row and key id, so a value
copied to another row or column does not decrypt.
"""

import base64
import hashlib
import hmac
import logging
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

log = logging.getLogger("traza.security")


class DecryptError(Exception):
    """A ciphertext could not be decrypted (tampered, moved, or its key is gone)."""


def _b64decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def _kid_for(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()[:8]


def parse_keys(setting: str) -> list[tuple[str, bytes]]:
    """Return [(key id, 32-byte key)], primary first."""
    keys = []
    for part in (p.strip() for p in setting.split(";")):
        if not part:
            continue
        kid, _, value = part.rpartition(":")
        raw = _b64decode(value)
        if len(raw) != 32:
            raise ValueError("cada clave debe tener 32 bytes (AES-256)")
        keys.append((kid or _kid_for(raw), raw))
    if not keys:
        raise ValueError("no hay claves")
    return keys


class Cipher:
    def __init__(self, setting: str):
        self.keys = dict(parse_keys(setting))
        self.primary = next(iter(self.keys))

    @staticmethod
    def _aad(context: str, kid: str) -> bytes:
        return f"{context}|{kid}".encode()

    def encrypt(self, plaintext: str, context: str) -> str:
        nonce = secrets.token_bytes(12)
        ct = AESGCM(self.keys[self.primary]).encrypt(nonce, plaintext.encode(), self._aad(context, self.primary))
        return f"v1.{self.primary}.{base64.urlsafe_b64encode(nonce + ct).decode()}"

    def seal(self, data: bytes, context: str) -> bytes:
        """Bytes (files): key id ‖ nonce ‖ ciphertext+tag."""
        nonce = secrets.token_bytes(12)
        kid = self.primary.encode()
        return bytes([len(kid)]) + kid + nonce + AESGCM(self.keys[self.primary]).encrypt(nonce, data, self._aad(context, self.primary))

    def unseal(self, blob: bytes, context: str) -> bytes:
        try:
            kid = blob[1:1 + blob[0]].decode()
            body = blob[1 + blob[0]:]
            if kid not in self.keys:
                raise DecryptError("clave desconocida")
            return AESGCM(self.keys[kid]).decrypt(body[:12], body[12:], self._aad(context, kid))
        except (ValueError, IndexError, InvalidTag, DecryptError) as exc:
            log.warning("crypt_decrypt_fail", extra={"event": "crypt_decrypt_fail", "context": context})
            raise DecryptError("no se pudo descifrar") from exc

    def decrypt(self, token: str, context: str, quiet: bool = False) -> str:
        """``quiet``: a failure is an expected answer (the key check), not an event to log."""
        try:
            version, kid, payload = token.split(".", 2)
            if version != "v1" or kid not in self.keys:
                raise DecryptError("versión o clave desconocida")
            blob = _b64decode(payload)
            plain = AESGCM(self.keys[kid]).decrypt(blob[:12], blob[12:], self._aad(context, kid))
            return plain.decode()
        except (ValueError, InvalidTag, DecryptError) as exc:
            if not quiet:
                log.warning("crypt_decrypt_fail", extra={"event": "crypt_decrypt_fail", "context": context})
            raise DecryptError("no se pudo descifrar") from exc


class _Keys:
    field: Cipher | None = None
    totp: Cipher | None = None
    audit_key: bytes = b""
    blind_key: bytes = b""


keys = _Keys()


class SealedFields:
    """A model whose ``SECRET_FIELDS`` are stored encrypted, each bound to its table, column and row (a ciphertext
    copied to another row or column does not decrypt). Empty text is stored empty; the row needs its id first."""

    SECRET_FIELDS: tuple = ()

    def _secret_context(self, name: str) -> str:
        return f"{self._meta.table_name}|{name}|{self.id}"

    def seal(self, name: str, text: str) -> None:
        """Store ``text`` (stripped) in the field ``name``, encrypted."""
        text = (text or "").strip()
        setattr(self, name, keys.field.encrypt(text, self._secret_context(name)) if text else "")

    def reveal(self, name: str) -> str:
        """The field ``name`` decrypted ("" when empty)."""
        value = getattr(self, name)
        return keys.field.decrypt(value, self._secret_context(name)) if value else ""


def configure(config: dict) -> None:
    keys.field = Cipher(config["FIELD_KEY"]) if _is_b64_key(config["FIELD_KEY"]) else Cipher(_derive(config["FIELD_KEY"]))
    keys.totp = Cipher(config["TOTP_KEY"]) if _is_b64_key(config["TOTP_KEY"]) else Cipher(_derive(config["TOTP_KEY"]))
    keys.audit_key = config["AUDIT_KEY"].encode()
    keys.blind_key = config["BLIND_INDEX_KEY"].encode()


def _is_b64_key(setting: str) -> bool:
    try:
        parse_keys(setting)
        return True
    except (ValueError, TypeError):
        return False


def _derive(secret: str) -> str:
    """Accept a long passphrase-style key from the environment by hashing it to 32 bytes."""
    return base64.urlsafe_b64encode(hashlib.sha256(secret.encode()).digest()).decode()


def blind_index(value: str, purpose: str) -> str:
    """Keyed HMAC-SHA256 of a normalised value: lets us find an encrypted value without decrypting."""
    normalised = "".join(value.split()).upper()
    return hmac.new(keys.blind_key, f"{purpose}|{normalised}".encode(), hashlib.sha256).hexdigest()


def audit_mac(message: bytes) -> str:
    return hmac.new(keys.audit_key, message, hashlib.sha256).hexdigest()


def token_hash(token: str) -> str:
    """SHA-256 of a ≥ 256-bit random token (activation links, survey links): enough at that entropy."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)

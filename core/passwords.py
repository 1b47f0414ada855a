"""Password policy (SECURITY.md P1, P2): 12–128 characters, no composition rules, an offline blocklist of
30,000 common passwords (zxcvbn), the firm's own words and the user's name and email."""

import unicodedata

from flask import current_app
from flask_babel import gettext as _
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 12
MAX_LENGTH = 128

FIRM_WORDS = (
    "traza", "abogado", "abogada", "abogados", "asesoria", "asesor", "juridico", "juridica", "bufete", "despacho",
    "contrasena", "clave", "password", "cliente", "clientes", "firma", "legal", "gestion",
)

_COMMON = frozenset(FREQUENCY_LISTS["passwords"])


def _fold(text: str) -> str:
    """Lowercase without accents: 'Contraseña' → 'contrasena'."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def context_words(user=None) -> list[str]:
    words = list(FIRM_WORDS)
    words += _fold(current_app.config.get("FIRM_NAME", "")).split()
    if user is not None:
        words += _fold(user.name or "").split()
        local = _fold(user.email.split("@")[0])
        words += [local, *local.replace(".", " ").replace("_", " ").replace("-", " ").split()]
    return sorted({w for w in words if len(w) >= 4})


def problem(password: str, user=None) -> str | None:
    """The reason a password is refused, in the user's language, or None when it is acceptable."""
    password = unicodedata.normalize("NFKC", password or "")
    if len(password) < MIN_LENGTH:
        return _("Use at least %(n)d characters. A phrase of several words is easy to remember.", n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("Use at most %(n)d characters.", n=MAX_LENGTH)
    folded = _fold(password)
    if folded in _COMMON or password.lower() in _COMMON:
        return _("This is one of the most common passwords. Choose another.")
    words = context_words(user)
    rest = folded
    for word in words:
        rest = rest.replace(word, "")
    if len(rest) < 8 and rest != folded:
        return _("Do not build your password from the firm's name, your name or your email.")
    if zxcvbn(password[:72], user_inputs=words)["score"] < 3:
        return _("This password is too easy to guess. Try a longer phrase of unrelated words.")
    return None

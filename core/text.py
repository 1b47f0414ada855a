"""Text folding and tokens for search and name matching: accents, case and punctuation do not matter."""

import re
import unicodedata

_NON_WORD = re.compile(r"[^0-9a-z]+")
# Legal-form words that say nothing about who a party is.
STOP_WORDS = frozenset({"sas", "s", "a", "sa", "ltda", "sl", "slu", "de", "del", "la", "las", "los", "el", "y", "e",
                        "cia", "compania", "sociedad", "limitada", "anonima", "and", "co", "inc", "ltd"})


def fold(text: str) -> str:
    """'María-José PÉREZ' → 'maria jose perez'."""
    decomposed = unicodedata.normalize("NFKD", (text or "").lower())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NON_WORD.sub(" ", plain).split())


def tokens(text: str) -> list[str]:
    return [t for t in fold(text).split() if t]


def name_key(text: str) -> str:
    """Tokens without legal-form words, sorted: word order and 'S.A.S.' do not matter."""
    return " ".join(sorted(t for t in tokens(text) if t not in STOP_WORDS))


def digits(text: str) -> str:
    return "".join(ch for ch in (text or "") if ch.isdigit())

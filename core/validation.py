"""Checks shared by forms and imports: identity-document numbers per type, phone numbers."""

from functools import lru_cache

import phonenumbers
from stdnum.co import nit
from stdnum.es import cif, dni, nie

_VALIDATORS = {
    "CC": lambda n: n.isdigit() and 6 <= len(n) <= 10,
    "CE": lambda n: n.isalnum() and 6 <= len(n) <= 12,
    "NIT": nit.is_valid,
    "PAS": lambda n: n.isalnum() and 5 <= len(n) <= 20,
    "DNI": dni.is_valid,
    "NIE": nie.is_valid,
    "CIF": cif.is_valid,
}


def compact_document(value: str) -> str:
    return "".join(ch for ch in (value or "").upper() if ch.isalnum())


def valid_document(doc_type: str, number: str) -> bool:
    check = _VALIDATORS.get(doc_type)
    return bool(check and check(compact_document(number)))


def normalise_phone(value: str, country: str) -> str:
    """E.164, or raise ValueError."""
    try:
        parsed = phonenumbers.parse(value, country or "CO")
    except phonenumbers.NumberParseException as exc:
        raise ValueError(value) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError(value)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def display_phone(value) -> str:
    """A stored number as people read it: "+57 304 654 1612" (E.164 grouped by the country's own plan); what
    does not parse is shown as it was typed."""
    if not value:
        return ""
    return _grouped(str(value))


@lru_cache(maxsize=8192)
def _grouped(value: str) -> str:
    """Kept per process: parsing, validating and grouping a number costs about 45 µs, and a list shows one per row
    (the client list, 25; the same clients come back on every page that lists them)."""
    try:
        parsed = phonenumbers.parse(value, "CO")
    except phonenumbers.NumberParseException:
        return value
    if not phonenumbers.is_valid_number(parsed):
        return value
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)

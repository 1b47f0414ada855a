"""Cross-cutting code shared by every domain: no routes live here."""

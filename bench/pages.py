"""The pages ``make bench`` measures: name, URL, the role it is signed in with, and its floor.

Features add their main pages here with ``register(...)`` and a floor in ``bench/floors.py``.
"""

from collections.abc import Callable
from dataclasses import dataclass

from bench import floors
from core.guard import ROLES


@dataclass(frozen=True)
class Page:
    name: str
    url: str
    role: str  # a key of core.guard.ROLES: the benchmark signs in as bench.<role>@…
    floor: Callable[[int], str]


PAGES: list[Page] = []


def register(name: str, url: str, role: str, floor: Callable[[int], str]) -> Page:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r} for page {name!r}")
    if any(p.name == name for p in PAGES):
        raise ValueError(f"page already registered: {name}")
    page = Page(name, url, role, floor)
    PAGES.append(page)
    return page


register("start", "/", "admin", floors.home)
register("users", "/admin/usuarios", "admin", floors.users)
register("users ?q=mar", "/admin/usuarios?q=mar", "admin", floors.users)
register("audit log", "/admin/auditoria", "admin", floors.audit)
register("audit log ?action=login_success", "/admin/auditoria?action=login_success", "admin", floors.audit)
register("my sessions", "/perfil/sesiones", "commercial", floors.sessions)

"""Pagination with a fixed number of queries per page.

``paginate`` numbers pages (small tables: it counts). ``keyset`` walks big, append-only tables newest
first by id (``?antes=<id>``): no count and no offset, so page 1 and page 10,000 cost the same.
"""

from dataclasses import dataclass

from flask import request

from core.db import count


@dataclass
class Page:
    items: list
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def _number(total: int, size: int) -> int:
    number = request.args.get("pagina", 1, type=int)
    number = number if 1 <= number < 10**9 else 1
    return min(number, max(1, -(-total // size)))


def paginate(query, size: int = 25, total: int | None = None) -> Page:
    """``total`` lets a caller count with a cheaper query than the page's own (no joins)."""
    total = count(query) if total is None else total
    number = _number(total, size)
    return Page(list(query.paginate(number, size)), number, size, total)


def paginate_with(fetch, size: int, total: int) -> Page:
    """A numbered page whose rows the caller fetches itself: ``fetch(offset, size)`` returns them (a listing
    made of parts, each read in its own index order)."""
    number = _number(total, size)
    return Page(list(fetch((number - 1) * size, size)), number, size, total)


@dataclass
class KeysetPage:
    items: list
    before: int | None  # the cursor this page started from (None: the newest)
    next_before: int | None  # the cursor of the next (older) page, None when this is the last


def keyset(query, id_field, size: int = 50, first=None) -> KeysetPage:
    """A page of ``query`` (newest first by ``id_field``) from the cursor in ``?antes=``. ``first(limit)``: the first
    page's rows when that is the page asked for, from a prepared statement, instead of the query's."""
    before = request.args.get("antes", type=int)
    if before is not None and not 1 <= before < 2**63:
        before = None
    if before:
        query = query.where(id_field < before)
    rows = first(size + 1) if first is not None and not before else list(query.limit(size + 1))
    more = len(rows) > size
    rows = rows[:size]
    return KeysetPage(rows, before, rows[-1].id if more and rows else None)

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


def _asked() -> int:
    number = request.args.get("pagina", 1, type=int)
    return number if 1 <= number < 10**9 else 1


def _number(total: int, size: int) -> int:
    return min(_asked(), max(1, -(-total // size)))


def paginate(query, size: int = 25, total=None) -> Page:
    """``total``: the count when the caller has it, or a function that counts with a cheaper query than the page's own
    (no joins); without it the query is counted. A first page with room to spare is the whole listing: its rows are
    the count, and nothing else is counted (a search that finds a few, a short list)."""
    asked, first = _asked(), None
    if asked == 1 and not isinstance(total, int):
        first = list(query.paginate(1, size))
        if len(first) < size:
            return Page(first, 1, size, len(first))
    total = count(query) if total is None else total if isinstance(total, int) else total()
    number = min(asked, max(1, -(-total // size)))
    items = first if first is not None and number == 1 else list(query.paginate(number, size))
    return Page(items, number, size, total)


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

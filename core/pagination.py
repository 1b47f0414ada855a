"""Keyset-free, simple page/offset pagination with a fixed number of queries per page."""

from dataclasses import dataclass

from flask import request


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


def paginate(query, size: int = 25) -> Page:
    try:
        number = max(1, int(request.args.get("pagina", "1")))
    except ValueError:
        number = 1
    total = query.count()
    number = min(number, max(1, -(-total // size)))
    return Page(list(query.paginate(number, size)), number, size, total)

"""Timing requests (GETs, and form POSTs) through a Flask test client, and counting (and timing) the SQL
each one runs.

Timed requests run with no query hook installed; queries are counted afterwards on a few more requests
through peewee's ``Database.query_hooks`` (every statement sent with ``execute_sql``: the same ones
``playhouse.test_utils.count_queries`` sees, without turning on DEBUG logging).
"""

import math
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field

from core.db import db


@dataclass(frozen=True)
class Call:
    """One request to repeat: a GET of ``url``, or a POST of ``form`` (already carrying any CSRF token: it
    is computed once, before timing, not inside every timed request)."""

    url: str
    form: dict[str, str] | None = None

    def send(self, client):
        if self.form is None:
            return client.get(self.url)
        return client.post(self.url, data=self.form)


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (p95 of 100 samples is the 95th smallest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


@dataclass
class QueryStat:
    sql: str
    params: tuple
    calls_per_request: float
    ms_per_request: float  # summed over the calls in one request (SELECTs replayed, fetched to the end)

    @property
    def short_sql(self) -> str:
        """The statement with a long column list folded: ``SELECT … 35 columns … FROM``."""
        head, sep, tail = self.sql.partition(" FROM ")
        if not sep or not head.startswith("SELECT ") or len(head) < 120:
            return self.sql
        return f"SELECT … {head.count(',') + 1} columns … FROM {tail}"


@dataclass
class Measurement:
    samples: list[float] = field(default_factory=list)  # seconds
    statuses: Counter = field(default_factory=Counter)
    queries: list[int] = field(default_factory=list)
    statements: list[QueryStat] = field(default_factory=list)  # distinct statements, slowest first

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples) * 1000

    @property
    def p95_ms(self) -> float:
        return percentile(self.samples, 0.95) * 1000

    @property
    def sql_ms(self) -> float:
        """All statements of one request, SELECTs replayed and fetched to the end."""
        return sum(stat.ms_per_request for stat in self.statements)

    @property
    def ok(self) -> bool:
        return set(self.statuses) == {200}

    @property
    def queries_label(self) -> str:
        low, high = min(self.queries), max(self.queries)
        return str(low) if low == high else f"{low}–{high}"


class QueryRecorder:
    """Record every statement the current database executes while active."""

    def __init__(self):
        self.events = []
        self._hook = self.events.append

    def __enter__(self):
        db.obj.query_hooks.append(self._hook)
        return self

    def __exit__(self, *exc):
        db.obj.query_hooks.remove(self._hook)


def measure(targets: list[tuple], requests: int, warmup: int, counted: int = 3) -> list[Measurement]:
    """Time each (client, Call) target; targets take turns request by request, so a page and its floor
    see the same machine (a noisy neighbour slows both, not just whichever ran second)."""
    results = [Measurement() for _ in targets]
    for _ in range(warmup):
        for (client, call), result in zip(targets, results, strict=True):
            result.statuses[call.send(client).status_code] += 1
    for _ in range(requests):
        for (client, call), result in zip(targets, results, strict=True):
            start = time.perf_counter()
            response = call.send(client)
            result.samples.append(time.perf_counter() - start)
            result.statuses[response.status_code] += 1
    for (client, call), result in zip(targets, results, strict=True):
        events = []
        for _ in range(counted):
            with QueryRecorder() as recorder:
                result.statuses[call.send(client).status_code] += 1
            result.queries.append(len(recorder.events))
            events.extend(recorder.events)
        result.statements = _statements(events, counted)
    return results


def _statements(events, requests: int) -> list[QueryStat]:
    by_sql: dict[str, list] = {}
    for event in events:
        by_sql.setdefault(event.sql, []).append(event)
    stats = [QueryStat(sql, tuple(group[0].params or ()), len(group) / requests,
                       sum(_full_ms(e) for e in group) / requests) for sql, group in by_sql.items()]
    return sorted(stats, key=lambda s: s.ms_per_request, reverse=True)


def _full_ms(event) -> float:
    """A SELECT replayed on its own and fetched to the end (a hook only sees the time to its first row,
    and a DISTINCT or a long result does most of its work after that); other statements as they ran."""
    if not event.sql.lstrip().upper().startswith("SELECT"):
        return event.duration * 1000
    with db.connection_context():
        start = time.perf_counter()
        db.execute_sql(event.sql, event.params).fetchall()
        return (time.perf_counter() - start) * 1000


def explain(sql: str, params: tuple) -> list[str]:
    """SQLite's EXPLAIN QUERY PLAN as indented lines (empty for statements other than SELECT)."""
    if not sql.lstrip().upper().startswith("SELECT"):
        return []
    with db.connection_context():
        rows = db.execute_sql(f"EXPLAIN QUERY PLAN {sql}", params).fetchall()
    depth = {0: -1}
    lines = []
    for node, parent, _unused, detail in rows:
        depth[node] = depth.get(parent, -1) + 1
        lines.append("  " * depth[node] + detail)
    return lines

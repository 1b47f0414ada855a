"""The results table (stdout and ``bench/report.md``), the budget verdicts and the machine facts."""

import os
import platform
import sqlite3
import sys
import time
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from bench.measure import Measurement, QueryStat
from bench.pages import BUDGET_MS, Page
from bench.send import BUDGET_S

FLOOR_FACTOR = 1.5  # DESIGN.md §8: every page p95 ≤ its budget (50 ms unless the page sets one) and ≤ 1.5× its floor
SLOW_QUERY_MS = 1.0  # statements at least this slow get their plan in the report

HEADERS = ["page", "median ms", "p95 ms", "queries", "floor median ms", "floor p95 ms", "floor queries",
           "ratio p95/floor p95", "own work ratio", "budget p95 ms", "budget verdict"]
MIN_OWN_MS = 0.5  # the floor's own work is taken as at least this much: below it a ratio measures timer noise
LEFT = (0, len(HEADERS) - 1)  # left-aligned columns: the page and the verdict


@dataclass
class Row:
    page: Page
    app: Measurement
    floor: Measurement
    plans: list[tuple[QueryStat, list[str]]]  # slow statements of pages over budget, with their plans
    shells: tuple[float, float] | None = None  # the empty signed-in page's median, Traza's and the floor's (same run)

    @property
    def ratio(self) -> float:
        return self.app.p95_ms / self.floor.p95_ms if self.floor.p95_ms else float("inf")

    @property
    def own_ratio(self) -> float | None:
        """The page's own work over the floor's: each p95 less its side's empty signed-in page (the fixed cost row,
        judged on its own budget), so a light page is not judged on the shell both pay. None without that row."""
        if self.shells is None or self.page.extra_ms is not None:
            return None
        app_shell, floor_shell = self.shells
        return max(self.app.p95_ms - app_shell, 0.0) / max(self.floor.p95_ms - floor_shell, MIN_OWN_MS)

    @property
    def extra_ms(self) -> float:
        """The page's median over its floor's: on the fixed-cost row, what Traza adds to a signed-in request."""
        return self.app.median_ms - self.floor.median_ms

    @property
    def reasons(self) -> list[str]:
        if not self.app.ok or not self.floor.ok:
            return []
        out = []
        if self.app.p95_ms > self.page.budget_ms:
            out.append(f"p95 > {self.page.budget_ms:g} ms")
        if self.page.extra_ms is not None:
            if self.extra_ms > self.page.extra_ms:
                out.append(f"median {self.extra_ms:.1f} ms over the floor's > {self.page.extra_ms:g} ms")
        elif self.own_ratio is not None:
            if self.own_ratio > FLOOR_FACTOR:
                out.append(f"own work > {FLOOR_FACTOR:g}× the floor's")
        elif self.ratio > FLOOR_FACTOR:
            out.append(f"> {FLOOR_FACTOR:g}× floor")
        return out

    @property
    def verdict(self) -> str:
        if not self.app.ok:
            return "ERROR " + _statuses(self.app)
        if not self.floor.ok:
            return "ERROR floor " + _statuses(self.floor)
        return "OVER" if self.reasons else "ok"

    def cells(self) -> list[str]:
        return [self.page.name, f"{self.app.median_ms:.1f}", f"{self.app.p95_ms:.1f}", self.app.queries_label,
                f"{self.floor.median_ms:.1f}", f"{self.floor.p95_ms:.1f}", self.floor.queries_label, f"{self.ratio:.1f}×",
                "—" if self.own_ratio is None else f"{self.own_ratio:.1f}×", f"{self.page.budget_ms:g}", self.verdict]


def _short_params(params: tuple, keep: int = 12) -> str:
    """The first call's parameters; a long IN list is cut (``… 288 more``)."""
    if len(params) <= keep:
        return repr(params)
    return repr(params[:keep])[:-1] + f", … {len(params) - keep} more)"


def _statuses(measurement: Measurement) -> str:
    return ",".join(f"{code}×{n}" for code, n in sorted(measurement.statuses.items()) if code != 200)


def text_table(rows: list[Row]) -> str:
    table = [HEADERS] + [row.cells() for row in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(HEADERS))]

    def line(cells):
        return " | ".join(c.ljust(w) if i in LEFT else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True)))

    rule = "-+-".join("-" * w for w in widths)
    return "\n".join([line(HEADERS), rule] + [line(cells) for cells in table[1:]])


def markdown_table(rows: list[Row]) -> str:
    out = ["| " + " | ".join(HEADERS) + " |", "|" + "|".join([":---"] + ["---:"] * (len(HEADERS) - 2) + [":---"]) + "|"]
    for row in rows:
        cells = row.cells()
        cells[0] = f"{cells[0]} `{row.page.label}`"
        if row.verdict == "OVER":
            cells[-1] = f"**OVER** ({', '.join(row.reasons)})"
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def over_notes(rows: list[Row]) -> str:
    lines = [f"{row.page.name}: OVER ({', '.join(row.reasons)})" for row in rows if row.verdict == "OVER"]
    lines += [f"{row.page.name}: {row.verdict}" for row in rows if row.verdict.startswith("ERROR")]
    return "\n".join(lines)


def _package(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "?"


def _cpu_ticks() -> dict[int, tuple[int, str]]:
    """{pid: (user + system clock ticks so far, command line)} of every process (Linux ``/proc``)."""
    ticks = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = " ".join((stat.parent / "cmdline").read_bytes().decode(errors="replace").replace("\0", " ").split())
        except (OSError, IndexError):
            continue  # ended meanwhile
        ticks[int(stat.parent.name)] = (int(fields[11]) + int(fields[12]), command[:70])
    return ticks


def busy_processes(seconds: float = 1.0, least_percent: float = 5.0) -> str:
    """What else was running: the other processes that used ``least_percent`` or more of a CPU over ``seconds`` now
    (sampled from ``/proc``), for the report; "none" when nothing did, "unknown" off Linux."""
    if not Path("/proc/self/stat").exists():
        return "unknown"
    before = _cpu_ticks()
    time.sleep(seconds)
    after = _cpu_ticks()
    per_second = os.sysconf("SC_CLK_TCK") * seconds
    own = {os.getpid(), os.getppid()}
    busy = sorted(((after[pid][0] - before[pid][0]) / per_second * 100, after[pid][1])
                  for pid in after.keys() & before.keys() if pid not in own)
    shown = [f"{command} ({share:.0f} %)" for share, command in reversed(busy) if share >= least_percent]
    return "; ".join(shown[:6]) or "none"


def machine_facts(load_at_start=None, busy_at_start: str = "") -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for text in cpuinfo.read_text().splitlines():
            if text.startswith("model name"):
                cpu = text.split(":", 1)[1].strip()
                break
    return {
        "python": sys.version.split()[0],
        "sqlite": sqlite3.sqlite_version,
        "cpus": str(os.cpu_count()),
        **({"load average at the start (1/5/15 min)": " / ".join(f"{x:.2f}" for x in load_at_start)}
           if load_at_start else {}),
        "load average at the end (1/5/15 min)": " / ".join(f"{x:.2f}" for x in os.getloadavg()),
        **({"other processes using the CPU at the start": busy_at_start} if busy_at_start else {}),
        "other processes using the CPU at the end": busy_processes(),
        "cpu": cpu,
        "platform": platform.platform(),
        "flask / peewee / jinja2": f"{_package('flask')} / {_package('peewee')} / {_package('jinja2')}",
    }


def markdown(rows: list[Row], *, date: str, dataset, requests: int, warmup: int, counted: int,
             facts: dict[str, str], total_seconds: float, sent=None) -> str:
    out = [
        "# Traza benchmark",
        "",
        f"{date} · scale {dataset.scale:g} (`BENCH_SCALE`) · {requests} timed requests per page after {warmup} "
        f"warm-up · run took {total_seconds:.0f} s",
        "",
        markdown_table(rows),
        "",
        f"Budgets (DESIGN.md §8): p95 ≤ {BUDGET_MS:g} ms on SQLite (or the page's own budget, in its column) and "
        f"≤ {FLOOR_FACTOR:g}× the floor's p95. Server time is `time.perf_counter()` around the Flask test "
        "client's GET (or form POST, its CSRF token made beforehand), in process (no network, no web server), "
        "signed in through the real password + TOTP flow. *queries* counts the SQL statements of one "
        f"request (over {counted} more requests; a range when they differ). The *floor* is a bare Flask + peewee "
        "view running the page's queries and rendering the same rows with an inline template inside the same "
        "base layout (`bench/floors.py`, `bench/templates/floor/`: the menu, name and forms of the measured "
        "account), measured the same way; it has no session, roles, CSRF signing or translations, so the ratio "
        "weighs the page's own work plus Traza's fixed cost per signed-in request, which the *fixed cost* row "
        "measures alone: Traza's lightest signed-in page against the same markup from the floor, judged on its "
        "median over the floor's (budget in the verdict) instead of the ratio. The *own work ratio* takes that "
        "row's median off each side (Traza's empty page off the page, the floor's off the floor; the floor's own "
        f"work counted as at least {MIN_OWN_MS:g} ms) and is the one judged against {FLOOR_FACTOR:g}× when that row "
        "was measured in the same run (docs/decisions.md).",
        "",
    ]
    fixed = [row for row in rows if row.page.extra_ms is not None and row.app.ok and row.floor.ok]
    out += [f"**Fixed cost per signed-in request**: {row.extra_ms:.1f} ms median over the floor's empty page "
            f"({row.app.median_ms:.1f} vs {row.floor.median_ms:.1f} ms; budget {row.page.extra_ms:g} ms)." for row in fixed]
    if fixed:
        out.append("")
    over = [row for row in rows if row.verdict == "OVER"]
    if over:
        out += ["## Pages over budget: where the time goes", "",
                "*SQL* is the time of every statement of one request, each SELECT replayed on its own and fetched "
                f"to the end (writes as they ran; commits not included). Statements taking ≥ {SLOW_QUERY_MS:g} ms "
                "are listed with their plan from `EXPLAIN QUERY PLAN` on the same database. The rest of a page's "
                "time is Python: hooks, session, forms, templates.", ""]
        for row in over:
            out += [f"### {row.page.name} — `{row.page.label}` ({', '.join(row.reasons)})", "",
                    f"SQL {row.app.sql_ms:.1f} ms of a {row.app.median_ms:.1f} ms median ({row.app.queries_label} "
                    f"statements); the floor's SQL: {row.floor.sql_ms:.1f} ms of {row.floor.median_ms:.1f} ms.", ""]
            for stat, plan in row.plans:
                calls = f"{stat.calls_per_request:g} call" + ("s" if stat.calls_per_request != 1 else "")
                out += [f"- **{stat.ms_per_request:.1f} ms**, {calls}, params `{_short_params(stat.params)}`", "",
                        "  ```sql", f"  {stat.short_sql}", "  ```", ""]
                if plan:
                    out += ["  ```text"] + [f"  {p}" for p in plan] + ["  ```", ""]
    if sent is not None:
        out += ["## Sending survey invitations", "",
                "| invitations | queue (`send_due_invitations`) s | SMTP (`deliver_pending`) s | total s | ms each | "
                "budget s | verdict |", "|---:|---:|---:|---:|---:|---:|:---|",
                f"| {sent.count:,} | {sent.send_seconds:.1f} | {sent.deliver_seconds:.1f} | {sent.seconds:.1f} | "
                f"{sent.seconds / max(sent.count, 1) * 1000:.1f} | {BUDGET_S:g} | {sent.verdict} |", "",
                "Invitations due today created through `services.surveys.invite` for closed cases of clients with an "
                "address and consent for surveys (untimed), then timed: `services.surveys.send_due_invitations(now)` "
                "(one transaction per invitation: claim, link, message rendered and queued, audit row) and "
                "`core.mail.deliver_pending()` until the outbox is empty, over SMTP to an aiosmtpd server in the "
                f"same process, which received {sent.received:,} messages"
                + (f" (subject: “{sent.sample_subject}”)." if sent.sample_subject else "."), ""]
    out += ["## Data", "",
            "Generated by `bench/data.py` (Faker `es_CO`, seeded), " +
            (f"built for this run in {dataset.build_seconds:.0f} s" if dataset.built_now else
             f"reused from `bench/.cache` (built in {dataset.build_seconds:.0f} s)") + ": "
            + ", ".join(f"{name} {secs:.1f} s" for name, secs in dataset.steps.items()) + ".", "",
            "| table | rows |", "|:---|---:|"]
    out += [f"| {table} | {count:,} |" for table, count in sorted(dataset.counts.items()) if table != "schema_migration"]
    planned = ", ".join(f"{k} {v:,}" for k, v in dataset.sizes.items())
    out += ["", f"Sizes at this scale (keys without a generator wait for their feature): {planned}.", "",
            "## Machine", ""]
    out += [f"- {key}: {value}" for key, value in facts.items()]
    return "\n".join(out) + "\n"

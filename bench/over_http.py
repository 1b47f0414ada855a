"""``BENCH_HTTP=1``: a few pages over HTTP, Traza and its floor each under gunicorn, side by side.

Each server is gunicorn with 2 sync workers on the run's working copy (``bench.wsgi``: the app with the
bench's keys, or the floor app); a load generator (``load``: threads, one ``http.client`` connection each,
reused while the server keeps it open) sends GETs on 8 connections for a fixed time, signed in with the
session cookie of the run's real sign-in (password + TOTP). Gunicorn's sync workers close the connection
after each response, so every request also pays a TCP connect, on both servers alike.
"""

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench.measure import percentile

PAGES = ("clients", "work queue")  # bench.pages names
CONNECTIONS = 8
WORKERS = 2
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Load:
    """What the clients saw in the timed window (requests started after the warm-up and finished before the end)."""

    seconds: float
    samples: list[float] = field(default_factory=list)  # seconds per request
    statuses: Counter = field(default_factory=Counter)

    @property
    def rps(self) -> float:
        return len(self.samples) / self.seconds

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples) * 1000 if self.samples else float("nan")

    @property
    def p95_ms(self) -> float:
        return percentile(self.samples, 0.95) * 1000 if self.samples else float("nan")

    @property
    def ok(self) -> bool:
        return bool(self.samples) and set(self.statuses) == {200}


def load(port: int, path: str, headers: dict[str, str], *, connections: int = CONNECTIONS, seconds: float = 10.0,
         warmup: float = 1.0, host: str = "127.0.0.1") -> Load:
    """GET ``path`` as fast as ``connections`` clients can for ``warmup`` + ``seconds`` seconds; time the
    requests of the last ``seconds``. A client reuses its connection while the server keeps it open
    (``http.client`` reconnects after a ``Connection: close``)."""
    start = time.perf_counter() + warmup
    end = start + seconds
    result = Load(seconds)
    lock = threading.Lock()

    def client():
        conn = http.client.HTTPConnection(host, port, timeout=60)
        samples, statuses = [], Counter()
        try:
            while (began := time.perf_counter()) < end:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                done = time.perf_counter()
                if began >= start and done <= end:
                    samples.append(done - began)
                    statuses[response.status] += 1
        except (OSError, http.client.HTTPException) as exc:
            statuses[type(exc).__name__] += 1
        finally:
            conn.close()
        with lock:
            result.samples.extend(samples)
            result.statuses.update(statuses)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return result


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """``gunicorn -w 2`` (sync workers) serving ``bench.wsgi:<factory>()``, on a free local port, until stopped."""

    def __init__(self, factory: str, env: dict[str, str], log: Path):
        self.port = _free_port()
        self.log = log
        command = [str(Path(sys.executable).parent / "gunicorn"), "--workers", str(WORKERS), "--worker-class", "sync",
                   "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning", f"bench.wsgi:{factory}()"]
        with log.open("w") as out:
            self.process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=out,  # noqa: S603 (our own gunicorn, fixed arguments)
                                            stderr=subprocess.STDOUT)
        self._wait()

    def _wait(self, timeout: float = 60.0) -> None:
        """Until a request is answered (both workers then have the app loaded: gunicorn loads it before
        accepting), or the server has died."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited ({self.process.returncode}): see {self.log}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/__bench_ready__")
                conn.getresponse().read()
                conn.close()
                time.sleep(1.0)  # the second worker boots alongside the first
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit(f"gunicorn did not answer in {timeout:.0f} s: see {self.log}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@dataclass
class HttpRow:
    name: str
    path: str
    app: Load
    floor: Load


def run(work_db: Path, pages, floor_urls: dict[str, str], cookies: dict, user_ids: dict, seconds: float,
        log_dir: Path) -> list[HttpRow]:
    """Each of ``PAGES`` under load on the app, then on its floor (the servers run one at a time, so each has
    the machine's two cores to itself). ``cookies``: {role: "name=value"} of signed-in sessions."""
    chosen = [page for page in pages if page.name in PAGES]
    if not chosen:
        print(f"over HTTP: none of {', '.join(PAGES)} is among the pages measured (BENCH_ONLY)", flush=True)
        return []
    env = {"BENCH_HTTP_DB": str(work_db), "BENCH_HTTP_PAGES": json.dumps([p.name for p in chosen]),
           "BENCH_HTTP_USERS": json.dumps({role or "": uid for role, uid in user_ids.items()})}
    loads: dict[str, dict[str, Load]] = {"app": {}, "floor": {}}
    for kind in ("app", "floor"):
        server = Server(kind, env, log_dir / f"gunicorn-{kind}.log")
        try:
            for page in chosen:
                print(f"over HTTP: {page.name} on the {kind}…", flush=True)
                url = page.url if kind == "app" else floor_urls[page.name]
                headers = {"Host": "localhost", "Cookie": cookies[page.role]} if kind == "app" else {"Host": "localhost"}
                loads[kind][page.name] = load(server.port, url, headers, seconds=seconds)
        finally:
            server.stop()
    return [HttpRow(p.name, p.url, loads["app"][p.name], loads["floor"][p.name]) for p in chosen]


def markdown(rows: list[HttpRow], seconds: float) -> str:
    head = ("| page | req/s | median ms | p95 ms | floor req/s | floor median ms | floor p95 ms | statuses |\n"
            "|:---|---:|---:|---:|---:|---:|---:|:---|")
    lines = [head]
    for row in rows:
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted((row.app.statuses + row.floor.statuses).items(), key=str))
        lines.append(f"| {row.name} `{row.path}` | {row.app.rps:.0f} | {row.app.median_ms:.1f} | {row.app.p95_ms:.1f} | "
                     f"{row.floor.rps:.0f} | {row.floor.median_ms:.1f} | {row.floor.p95_ms:.1f} | {statuses} |")
    return "\n".join([
        "## Over HTTP", "",
        f"gunicorn {WORKERS} sync workers per server, {CONNECTIONS} client connections (`bench/over_http.py`: threads, "
        f"`http.client`), GETs for {seconds:g} s after 1 s of warm-up, Traza signed in with the run's session; "
        "then the floor app under the same settings. Latency is the client's, connect included (sync workers "
        "close each connection). The load generator runs on the same machine.", "",
        *lines, ""])

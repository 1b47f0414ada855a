"""``python -m bench``: data → working copy → app + sign-in per role → every page and its floor → report."""

import gc
import logging
import os
import secrets
import time
from datetime import timedelta
from pathlib import Path

import pyotp
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer

from app import create_app
from bench import data, floors, over_http, send
from bench.measure import Call, explain, measure
from bench.pages import PAGES, resolve
from bench.report import SLOW_QUERY_MS, Row, busy_processes, machine_facts, markdown, over_notes, text_table
from core import auth
from core.db import close_all, db, transaction, utcnow
from models.users import User, UserSession

REPORT = data.BENCH_DIR / "report.md"
PASSWORD = "banco-de-pruebas-traza"  # noqa: S105 (set on the working copy only, for the sign-in accounts)
COUNTED_REQUESTS = 3
OTHER_DEVICES = data.USER_AGENTS[2:5]  # each sign-in account also has these sessions open


def _env_int(name: str, default: int, minimum: int) -> int:
    raw = os.environ.get(name, str(default))
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise SystemExit(f"{name} must be at least {minimum}")
    return value


class BenchClient(FlaskClient):
    """The test client plus a valid CSRF token for its session (as tests/conftest.py's TrazaClient)."""

    def csrf_token(self) -> str:
        with self.session_transaction() as sess:
            raw = sess.get("csrf_token")
            if raw is None:
                raw = sess["csrf_token"] = secrets.token_hex(20)  # Flask-WTF's format: 40 hex characters
        return URLSafeTimedSerializer(self.application.secret_key, salt="wtf-csrf-token").dumps(raw)

    def post_form(self, url: str, fields: dict):
        return self.post(url, data={**fields, "csrf_token": self.csrf_token()})


def make_app(work_db):
    config = {
        **data.bench_keys(),  # the keys the cached data was sealed and indexed with
        "ENV": "development",
        "DATABASE_URL": f"sqlite:///{work_db}",
        "INSTANCE_PATH": str(data.CACHE_DIR / "instance"),
        "ARGON2_PROFILE": "fast",
        "RATELIMIT_ENABLED": False,
        "SESSION_IDLE": timedelta(hours=10),  # a long run must not sign the benchmark out
        "BASE_URL": "http://localhost",
    }
    app = create_app(config)
    app.test_client_class = BenchClient
    # Keep one JSON line per audited request off the console (the lines are still built, as in production).
    security = logging.getLogger("traza.security")
    security.propagate = False
    security.addHandler(logging.NullHandler())
    return app


def prepare_accounts(app, roles) -> dict[str, tuple[int, str]]:
    """Give each role's sign-in account a known password and a fresh TOTP seed: {role: (user id, seed)}."""
    accounts = {}
    now = utcnow()
    with app.app_context(), db.connection_context(), transaction():
        for role in sorted(roles):
            user = User.get(User.email == data.bench_email(role))
            seed = auth.new_totp_secret()
            User.update(
                password_hash=auth.hash_password(PASSWORD), totp_secret=auth.seal_totp(user, seed), totp_pending=None,
                last_totp_timecode=None, is_active=True, locked_at=None, failed_logins=0,
                otp_failures=0, otp_throttled_until=None,
            ).where(User.id == user.id).execute()
            UserSession.insert_many([
                {"sid_hash": secrets.token_hex(32), "user": user.id, "stage": UserSession.STAGE_ACTIVE,
                 "created_at": now - timedelta(hours=2 + i), "authenticated_at": now - timedelta(hours=2 + i),
                 "last_seen": now - timedelta(minutes=5 + 7 * i), "expires_at": now + timedelta(hours=8 - i),
                 "ip": f"181.49.{20 + i}.{100 + i}", "user_agent": agent}
                for i, agent in enumerate(OTHER_DEVICES)
            ]).execute()
            accounts[role] = (user.id, seed)
    return accounts


def sign_in(app, role: str, seed: str) -> BenchClient:
    """The real flow: password, then a TOTP code computed from the seed."""
    client = app.test_client()
    response = client.post_form("/entrar", {"email": data.bench_email(role), "password": PASSWORD})
    if response.status_code != 303 or "/entrar/verificacion" not in response.headers.get("Location", ""):
        raise SystemExit(f"sign-in as {role} failed at the password step: {response.status_code}")
    response = client.post_form("/entrar/verificacion", {"code": pyotp.TOTP(seed).now()})
    if response.status_code != 303:
        raise SystemExit(f"sign-in as {role} failed at the code step: {response.status_code}")
    return client


def profile(page, client, form, requests: int = 20) -> Path:
    """``BENCH_PROFILE=1``: the page's own requests under cProfile, the functions that cost most (cumulative, then own
    time) into ``bench/.cache/profile-<page>.txt``, the whole stats beside it (``.prof``): where a page's time goes, to read before changing it."""
    import cProfile
    import io
    import pstats
    import re

    profiler = cProfile.Profile()
    for _ in range(requests):
        profiler.enable()
        (client.get(page.url) if form is None else client.post(page.url, data=form)).close()
        profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    out.write(f"{page.name}: {requests} requests\n")
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(25)
    path = data.CACHE_DIR / f"profile-{re.sub(r'[^a-z0-9]+', '-', page.name.lower()).strip('-')}.txt"
    path.write_text(out.getvalue())
    profiler.dump_stats(path.with_suffix(".prof"))  # whole, for pstats' callers and callees
    return path


def selected_pages() -> tuple[list, bool]:
    """The pages to measure and whether to run the survey sending benchmark (``BENCH_ONLY`` names either)."""
    only = [name.strip() for name in os.environ.get("BENCH_ONLY", "").split(",") if name.strip()]
    # the fixed-cost row is always measured: the other rows' own work is judged against it
    pages = [p for p in PAGES if not only or p.name in only or (p.extra_ms is not None and any(
        q.name in only for q in PAGES))]
    sending = not only or send.NAME in only
    if not pages and not sending:
        raise SystemExit(f"BENCH_ONLY matches no page; pages: {', '.join(p.name for p in PAGES)}, {send.NAME}")
    return pages, sending


def main() -> int:
    started = time.perf_counter()
    load_at_start, busy_at_start = os.getloadavg(), busy_processes()
    scale = data.scale_from_env()
    requests = _env_int("BENCH_REQUESTS", 100, 5)
    warmup = _env_int("BENCH_WARMUP", 10, 0)
    pages, sending = selected_pages()

    dataset = data.ensure_dataset(scale, rebuild=os.environ.get("BENCH_REBUILD") == "1")
    work = data.working_copy(dataset)
    try:
        app = make_app(work)
        with app.app_context(), db.connection_context(), transaction():
            if moved := data.refresh_workload(dataset.anchor):
                print(f"the data is from {moved} day(s) ago: the operations account's work queue moved to today")
        accounts = prepare_accounts(app, {p.role for p in pages if p.role})
        with app.app_context(), db.connection_context():
            pages = resolve(pages)  # real ids and document numbers of the generated firm
        clients = {role: sign_in(app, role, seed) for role, (_uid, seed) in accounts.items()}
        clients[None] = app.test_client()  # public pages: nobody signed in
        floor_app, floor_urls = floors.make_app(pages, {None: None} | {role: uid for role, (uid, _seed) in accounts.items()})
        floor_client = floor_app.test_client()
        gc.collect()  # what is loaded now stays for the run, as in a production worker (deploy/gunicorn.conf.py)
        gc.freeze()

        rows = []
        for page in pages:
            print(f"measuring {page.name} ({page.label})…", flush=True)
            client = clients[page.role]
            form = None if page.form is None else {**page.form, "csrf_token": client.csrf_token()}
            app_result, floor_result = measure([(client, Call(page.url, form)),
                                                (floor_client, Call(floor_urls[page.name], page.form))],
                                               requests, warmup, COUNTED_REQUESTS)
            rows.append(Row(page, app_result, floor_result, []))
            if os.environ.get("BENCH_PROFILE") == "1":
                print(f"  profile: {profile(page, client, form).relative_to(data.BENCH_DIR.parent)}", flush=True)
        shells = [(r.app.median_ms, r.floor.median_ms) for r in rows
                  if r.page.extra_ms is not None and r.app.ok and r.floor.ok]
        for row in rows:
            row.shells = shells[0] if shells else None
        for row in rows:
            if row.reasons:
                row.plans = [(stat, explain(stat.sql, stat.params)) for stat in row.app.statements[:5]
                             if stat.ms_per_request >= SLOW_QUERY_MS]
        over, http_rows = None, []
        if os.environ.get("BENCH_HTTP") == "1":  # before sending, which writes to the working copy
            seconds = _env_int("BENCH_HTTP_SECONDS", 10, 1)
            cookie_name = app.config["SESSION_COOKIE_NAME"]
            cookies = {role: f"{cookie_name}={client.get_cookie(cookie_name).value}"
                       for role, client in clients.items() if role is not None}
            user_ids = {None: None} | {role: uid for role, (uid, _seed) in accounts.items()}
            http_rows = over_http.run(work, pages, floor_urls, cookies, user_ids, seconds, data.CACHE_DIR)
            over = over_http.markdown(http_rows, seconds) if http_rows else None
        sent = send.run(app) if sending else None  # last: it writes to the working copy
    finally:
        close_all()
        data.remove_db(work)

    total = time.perf_counter() - started
    table = text_table(rows) if rows else ""
    print()
    print(table)
    if sent is not None:
        print(sent.line())
    if over:
        print()
        print(over)
    notes = over_notes(rows)
    if notes:
        print()
        print(notes)
    date = utcnow().strftime("%Y-%m-%d %H:%M UTC")
    REPORT.write_text(markdown(rows, date=date, dataset=dataset, requests=requests, warmup=warmup,
                               counted=COUNTED_REQUESTS, facts=machine_facts(load_at_start, busy_at_start), total_seconds=total, sent=sent)
                      + (f"\n{over}" if over else ""))
    print(f"\nscale {dataset.scale:g}, {requests} requests per page after {warmup} warm-up; "
          f"report: {REPORT.relative_to(data.BENCH_DIR.parent)} ({total:.0f} s)")
    # Benchmarks report, they do not gate (DESIGN.md §8); a page that errors is a broken benchmark.
    broken = any(row.verdict.startswith("ERROR") for row in rows) or any(not (r.app.ok and r.floor.ok) for r in http_rows)
    return 1 if broken or (sent and not sent.ok) else 0

"""Benchmarks (DESIGN.md §8): ``make bench`` = ``python -m bench``.

A seeded, realistic firm is generated once per scale into ``bench/.cache/bench-<scale>.db`` (real
migrations, then bulk inserts), copied to a working file for each run, and every registered page is
timed through the real app (signed in through the real password + TOTP flow) and through its floor, a
bare Flask + peewee view running the page's indexed queries. The table goes to stdout and to
``bench/report.md``.

Extending it when a feature lands:

* data: add a generator with ``@bench.data.generator("clients")`` (signature ``fn(db, fake, sizes)``)
  and use the matching key of ``bench.data.SIZES``; the cache is rebuilt when generators, sizes or
  migrations change.
* pages: ``bench.pages.register(name, url, role, floor)``, with ``floor(user_id) -> str`` written in
  ``bench/floors.py`` next to the existing ones. ``form={...}`` makes it a POST (a valid CSRF token is
  added for the signed-in session), ``budget_ms=`` gives it its own p95 budget, and ``{placeholders}``
  in the URL or form (``{client_id}``, ``{document_number}``…) are filled at run time from real rows by
  functions registered with ``@bench.pages.param(name)``. ``role=None`` measures a public page with nobody
  signed in (the survey form ``/e/<token>``, on a link issued for the run).
* sending: ``bench/send.py`` ("survey send") creates 1,000 survey invitations due today on the working copy
  and times the real job, ``services.surveys.send_due_invitations`` then ``core.mail.deliver_pending`` until
  the outbox is empty, against an aiosmtpd server in the process (budget 60 s).
* over HTTP (``BENCH_HTTP=1``, ``bench/over_http.py``): after the in-process table, the client list and the
  work queue are loaded for ``BENCH_HTTP_SECONDS`` each (default 10, after 1 s of warm-up) on 8 client
  connections (threads, ``http.client``, each reusing its connection while the server keeps it open),
  first against Traza under gunicorn (2 sync workers, ``bench.wsgi:app()`` on the run's working copy,
  signed in with the session of the run's password + TOTP sign-in), then against the floor app under the
  same gunicorn settings (``bench.wsgi:floor()``); requests per second, median and p95 latency as the client
  sees them go side by side into the report's "Over HTTP" section (the pages must be among those measured;
  gunicorn's output goes to ``bench/.cache/gunicorn-*.log``).
* keys: confidential columns are generated as real ciphertext and blind indexes with the bench's own key
  set (``bench/.cache/keys.json``, created once), and the app is started with the same keys.
* the heavy user: staff picked at random never include the sign-in accounts; the operations account gets
  an exact load instead (``bench.data.WORKLOAD``: 500 open items in its work queue, a case with 2,300
  interactions whose client has ~2,900), and the case-work pages are measured signed in as it. A cache
  built on an earlier day is reused with that account's day-bound items (today's interventions, alert
  windows, due dates) moved to today (``bench.data.refresh_workload``).

Environment: ``BENCH_SCALE`` (float, default 1.0, multiplies every size), ``BENCH_REQUESTS`` (timed
requests per page, default 100), ``BENCH_WARMUP`` (untimed requests first, default 10),
``BENCH_REBUILD=1`` (regenerate the cached database), ``BENCH_ONLY`` (comma-separated page names, and
``survey send`` for the sending benchmark), ``BENCH_HTTP=1`` and ``BENCH_HTTP_SECONDS`` (the HTTP mode), ``BENCH_PROFILE=1`` (after each page, 20 more
of its requests under cProfile: the costliest functions go to ``bench/.cache/profile-<page>.txt``).
"""

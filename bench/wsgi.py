"""WSGI apps for the HTTP mode (``bench/over_http.py``), loaded by gunicorn in each worker:
``bench.wsgi:app()`` is Traza on the run's working copy with the bench's keys (as ``bench.run.make_app``),
``bench.wsgi:floor()`` the floor app for the pages named in ``BENCH_HTTP_PAGES``."""

import gc
import json
import os
from pathlib import Path

from bench import floors, run
from bench.pages import PAGES, resolve
from core.db import db


def app():
    return _loaded(run.make_app(Path(os.environ["BENCH_HTTP_DB"])))


def _loaded(wsgi_app):
    """As deploy/gunicorn.conf.py's post_worker_init: the loaded app's objects frozen out of full collections."""
    gc.collect()
    gc.freeze()
    return wsgi_app


def floor():
    traza = app()  # points core.db at the working copy, as in the in-process run
    names = json.loads(os.environ["BENCH_HTTP_PAGES"])
    user_ids = {role or None: uid for role, uid in json.loads(os.environ["BENCH_HTTP_USERS"]).items()}
    with traza.app_context(), db.connection_context():
        pages = resolve([page for page in PAGES if page.name in names])
    floor_app, _urls = floors.make_app(pages, user_ids)
    return _loaded(floor_app)

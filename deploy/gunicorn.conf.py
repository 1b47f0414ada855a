# gunicorn configuration for Traza (docs/deploy.md). Start with:
#   gunicorn -c deploy/gunicorn.conf.py 'app:create_app()'
import gc
import multiprocessing
import os

bind = os.environ.get("TRAZA_BIND", "127.0.0.1:8000")
# Sync workers: each request is short (pages p95 ≤ 50 ms) and no request waits on SMTP (mail worker).
workers = int(os.environ.get("TRAZA_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = 60  # CSV imports of 10,000 rows and PDF rendering stay well below
graceful_timeout = 30
max_requests = 2000
max_requests_jitter = 200
# The proxy in front (Caddy or nginx) is the only client; TRAZA_PROXY_HOPS=1 makes Traza trust its
# X-Forwarded-For and X-Forwarded-Proto, not gunicorn's forwarded_allow_ips.
forwarded_allow_ips = "127.0.0.1"
accesslog = "-"
access_log_format = '%(t)s %(h)s "%(r)s" %(s)s %(B)s %(M)sms [%({x-request-id}o)s]'
errorlog = "-"
loglevel = "info"


def post_worker_init(worker):
    """Once a worker has loaded the app, its objects (routes, models, forms, templates, catalogues) live as long as
    it does: frozen, they are left out of the garbage collector's full passes, which otherwise walk them all every
    few hundred requests and add that pause to whichever request triggers it (65 ms against 1 ms, measured with
    `make bench` on the training record page; DESIGN.md §8)."""
    gc.freeze()

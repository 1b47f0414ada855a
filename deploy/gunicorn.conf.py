# gunicorn configuration for Traza (docs/deploy.md). Start with:
#   gunicorn -c deploy/gunicorn.conf.py 'app:create_app()'
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

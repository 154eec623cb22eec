"""gunicorn settings for `make serve` (scripts/serve.sh): `gunicorn -c gunicorn.conf.py wsgi:app`.

Every value comes from the environment, with a default for one machine:
``WEB_CONCURRENCY`` workers (default 2 × cores + 1), ``BIND`` (or ``PORT``: 0.0.0.0:PORT,
default 127.0.0.1:8000), ``GUNICORN_TIMEOUT`` seconds per request (default 60).
"""

import multiprocessing
import os

wsgi_app = "wsgi:app"
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
worker_class = "sync"
if os.environ.get("BIND"):
    bind = os.environ["BIND"]
elif os.environ.get("PORT"):
    bind = f"0.0.0.0:{os.environ['PORT']}"
else:
    bind = "127.0.0.1:8000"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# No preload: each worker builds its own app, hence its own database engine and connection pool
# (connections must not be shared across forks).
preload_app = False
# Logs to stdout/stderr, one line per request: client, method and path, status, bytes, time (ms).
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms "%(a)s"'
# Behind a proxy, the client address for the access log comes from X-Forwarded-For (the app
# itself reads it through ProxyFix when LMS_PROXY_COUNT is set).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

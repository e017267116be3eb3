"""Gunicorn settings. Command-line flags (--bind, --workers) override these.

Run the site behind a reverse proxy (nginx, Caddy, a load balancer) that buffers
slow clients; the timeouts below keep a stuck request from holding a worker.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
max_requests = 2000
max_requests_jitter = 200
# Oversized or endless request heads are refused before they reach Django.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
# The app logs one line per request (logger clearinghouse.requests); gunicorn's own
# access log would repeat it, so it is off unless GUNICORN_ACCESS_LOG=true.
accesslog = (
    "-" if os.environ.get("GUNICORN_ACCESS_LOG", "").lower() in {"1", "true", "yes", "on"} else None
)
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'

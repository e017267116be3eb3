"""Gunicorn settings. Command-line flags (--bind, --workers) override these.

Run the site behind a reverse proxy (nginx, Caddy, a load balancer) that buffers
slow clients; the timeouts below keep a stuck request from holding a worker.
"""

import os

TRUE_WORDS = {"1", "true", "yes", "on"}

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
accesslog = "-" if os.environ.get("GUNICORN_ACCESS_LOG", "").lower() in TRUE_WORDS else None
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'

# Forwarded headers (X-Forwarded-Proto and the like) are believed only behind a reverse
# proxy (BEHIND_PROXY=true), and only from the proxies' addresses in FORWARDED_ALLOW_IPS
# (default: this machine). Otherwise nobody is trusted, not even loopback: a client on the
# same machine could claim HTTPS. Gunicorn's own default trusts loopback.
if os.environ.get("BEHIND_PROXY", "").strip().lower() in TRUE_WORDS:
    forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "").strip() or "127.0.0.1,::1"
else:
    forwarded_allow_ips = ""

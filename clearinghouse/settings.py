"""Settings for the Public Safety Practices Clearinghouse.

Everything that differs between a laptop, CI and production comes from the
environment (see README.md, "Configuration"). Bad values stop start-up with a
message naming the variable.
"""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from clearinghouse.env import (
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_secret,
    env_str,
    parse_database_url,
)
from clearinghouse.site_url import default_site_url, parse_site_url

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_secret("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY (or SECRET_KEY_FILE) must be set when DEBUG is off. "
            "`make run` generates one in .local/secret_key."
        )
    SECRET_KEY = "insecure-development-key-only-used-with-DEBUG-on"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "django_filters",
    "django_countries",
    "clearinghouse",
    "practices",
    "awards",
    "intake",
    "bench",
    "axes",
]

MIDDLEWARE = [
    "clearinghouse.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "clearinghouse.security.CrossOriginResourcePolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "clearinghouse.middleware.PermissionsPolicyMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "clearinghouse.middleware.DatabaseUnavailableMiddleware",
    "clearinghouse.cache.CatalogueVersionMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "clearinghouse.security.AdminNullCharacterMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "clearinghouse.middleware.PublicPageCacheMiddleware",
]

ROOT_URLCONF = "clearinghouse.urls"
WSGI_APPLICATION = "clearinghouse.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "clearinghouse.context_processors.site",
            ],
        },
    },
]

# Database: one URL. Persistent connections, checked before reuse.
DATABASE_URL = env_str("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/clearinghouse")
DATABASES = {"default": parse_database_url("DATABASE_URL", DATABASE_URL)}
DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 60, minimum=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation: English and Spanish; Spanish pages live under /es/.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_TZ = True

# Static files: hashed and compressed by WhiteNoise; uploads under MEDIA_ROOT.
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# HTTPS: on by default whenever DEBUG is off. Turn off only to serve plain HTTP locally.
HTTPS = env_bool("HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", HTTPS)
if env_bool("BEHIND_PROXY", False):
    # The reverse proxy terminates TLS and says so in this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Absolute URLs (canonical, og:url, hreflang, feed, sitemap, JSON-LD, CSV export) are built
# from SITE_URL, never from the request's Host header or scheme, which a client chooses.
SITE_URL = parse_site_url(
    "SITE_URL",
    env_str("SITE_URL", "") or default_site_url(ALLOWED_HOSTS, https=HTTPS),
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# The language cookie (set by the language switch) follows the same rules.
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"

# Uploads: publication PDFs.
MAX_UPLOAD_MB = env_int("MAX_UPLOAD_MB", 20, minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o644

SITE_NAME = "Public Safety Practices Clearinghouse"

# Email: printed to the console unless EMAIL_HOST names an SMTP server (production needs
# one: `check --deploy` reports the console backend).
_email_host = env_str("EMAIL_HOST", "")
_email_tls = env_bool("EMAIL_USE_TLS", False)
_email_ssl = env_bool("EMAIL_USE_SSL", False)
if _email_tls and _email_ssl:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be on.")
if _email_host:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _email_host,
                "port": env_int("EMAIL_PORT", 465 if _email_ssl else 25, minimum=1),
                "username": env_str("EMAIL_HOST_USER", ""),
                "password": env_secret("EMAIL_HOST_PASSWORD") or "",
                "use_tls": _email_tls,
                "use_ssl": _email_ssl,
                "timeout": env_int("EMAIL_TIMEOUT", 10, minimum=1),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "clearinghouse@localhost")

# Public forms that need no account (clearinghouse/publicforms.py): each client address
# may send PUBLIC_FORM_RATE_LIMIT posts per form every PUBLIC_FORM_RATE_WINDOW seconds;
# an attached PDF may be PUBLIC_FORM_MAX_PDF_MB large.
PUBLIC_FORM_RATE_LIMIT = env_int("PUBLIC_FORM_RATE_LIMIT", 5, minimum=1)
PUBLIC_FORM_RATE_WINDOW = env_int("PUBLIC_FORM_RATE_WINDOW", 3600, minimum=1)
PUBLIC_FORM_MAX_PDF_MB = env_int("PUBLIC_FORM_MAX_PDF_MB", 10, minimum=1)

LOG_LEVEL = env_choice("LOG_LEVEL", "INFO", {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"})
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
    },
}

# --- Security hardening ---
# Headers, admin protection, sessions and the client address. See README.md, "Security".
import re  # noqa: E402
from datetime import timedelta  # noqa: E402

from django.utils.csp import CSP  # noqa: E402

# Content-Security-Policy: everything from this site only; no inline script or style.
# A nonce is available as {{ csp_nonce }} for the rare inline <script> that cannot be a
# file (JSON-LD data blocks); it only appears in the header on pages that use it.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "upgrade-insecure-requests": HTTPS,
}
# Browser features the site never uses, switched off for it and anything it embeds.
PERMISSIONS_POLICY = {
    "camera": [],
    "microphone": [],
    "geolocation": [],
    "payment": [],
    "usb": [],
    "interest-cohort": [],
    "browsing-topics": [],
}
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Other sites may not embed this site's responses (pages, images, PDFs) in theirs.
CROSS_ORIGIN_RESOURCE_POLICY = "same-origin"

# The admin lives under a configurable prefix (a little obscurity against scripted attacks).
ADMIN_URL = env_str("ADMIN_URL", "admin/")
if not re.fullmatch(r"(?:[A-Za-z0-9_-]+/)+", ADMIN_URL):
    raise ImproperlyConfigured(
        f"ADMIN_URL={ADMIN_URL!r} must be path segments of letters, digits, '-' or '_', "
        "each ending with '/' (for example 'staff-desk/')."
    )

# The admin is the only place anyone signs in: a sign-in whose "next" address is unsafe
# (another site) ends on the admin's index.
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"

# Staff sessions end after SESSION_COOKIE_AGE seconds and when the browser closes.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60, minimum=60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", True)

# The client's address. Behind PROXY_COUNT reverse proxies it is read from
# X-Forwarded-For, counting from the right (the part the proxies themselves added);
# with no proxy it is REMOTE_ADDR. Used by the login throttle.
PROXY_COUNT = env_int("PROXY_COUNT", 1 if env_bool("BEHIND_PROXY", False) else 0, minimum=0)

# Login throttle (django-axes): after AXES_FAILURE_LIMIT failed logins for one user name
# from one address, that pair is locked out for AXES_COOLOFF_MINUTES. Locking the pair,
# not the user name alone, means an attacker cannot lock a curator out of the admin
# from elsewhere.
AUTHENTICATION_BACKENDS = [
    "clearinghouse.security.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "clearinghouse.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "clearinghouse.security.client_ip"
AXES_VERBOSE = False

# Seconds a client is asked to wait (Retry-After) when the database is unavailable.
RETRY_AFTER_SECONDS = 30

# One line per request (clearinghouse.requests); errors with tracebacks go to the console
# through the django logger, never to the page (DEBUG is off in production).
LOGGING["loggers"]["clearinghouse.requests"] = {
    "handlers": ["console"],
    "level": LOG_LEVEL,
    "propagate": False,
}
# --- Cache ---
# CACHE_URL (or REDIS_URL) names a Redis server (redis://host:6379/0) that every worker
# shares, so a curator's change reaches all of them at once. Without it each process keeps
# a local-memory cache: the worker that saved a change sees it at once, the others within
# CATALOGUE_CACHE_SECONDS. clearinghouse/cache.py holds what is cached and when it is dropped.
CACHE_URL = env_str("CACHE_URL", "") or env_str("REDIS_URL", "")
if CACHE_URL:
    if not CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            "CACHE_URL (or REDIS_URL) must be a Redis URL such as redis://127.0.0.1:6379/0."
        )
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "clearinghouse"),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "clearinghouse.cache_backends.BoundedLocMemCache",
            "LOCATION": "clearinghouse",
            "OPTIONS": {
                "MAX_ENTRIES": 5000,
                "MAX_BYTES": env_int("CACHE_MAX_BYTES", 16 * 1024 * 1024, minimum=1024 * 1024),
            },
        }
    }
CATALOGUE_CACHE_SECONDS = env_int("CATALOGUE_CACHE_SECONDS", 300, minimum=0)

# --- Intake from local governments ---
# Curators (the "Curators" group) get an email for each new submission, correction and
# adoption report unless this is off.
INTAKE_NOTIFY_CURATORS = env_bool("INTAKE_NOTIFY_CURATORS", True)

# --- Several app servers: replicas, a pooler, a CDN, shared uploads ---
# README.md, "Deployment". clearinghouse/routers.py says which database a query uses and
# clearinghouse/cdn.py which answers a shared cache may keep.
#
# DATABASE_POOLER_URL: PgBouncer in transaction mode in front of the primary. Queries then go
# through it, and what needs a session of its own (the export's server-side cursor) goes to
# DATABASE_URL directly (alias "direct").
DATABASE_POOLER_URL = env_str("DATABASE_POOLER_URL", "")
if DATABASE_POOLER_URL:
    DATABASES["direct"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
    DATABASES["default"] = {
        **DATABASES["default"],
        **parse_database_url("DATABASE_POOLER_URL", DATABASE_POOLER_URL),
        "DISABLE_SERVER_SIDE_CURSORS": True,
    }
# DATABASE_REPLICA_URLS: streaming replicas of the primary (comma-separated URLs) that
# anonymous visitors' public pages are read from while they answer and lag at most
# DATABASE_REPLICA_MAX_LAG seconds (checked at most every DATABASE_REPLICA_CHECK_SECONDS
# per process). None configured: no router and no routing middleware, nothing to pay.
DATABASE_REPLICA_URLS = env_list("DATABASE_REPLICA_URLS", [])
DATABASE_REPLICA_MAX_LAG = env_int("DATABASE_REPLICA_MAX_LAG", 10, minimum=0)
DATABASE_REPLICA_CHECK_SECONDS = env_int("DATABASE_REPLICA_CHECK_SECONDS", 2, minimum=0)
# After a visitor's own POST their pages skip shared caches and read the primary this long;
# it must outlast the largest lag a replica is still used with.
READ_PRIMARY_COOKIE_SECONDS = env_int("READ_PRIMARY_COOKIE_SECONDS", 30, minimum=1)
if DATABASE_REPLICA_URLS and READ_PRIMARY_COOKIE_SECONDS <= DATABASE_REPLICA_MAX_LAG:
    raise ImproperlyConfigured(
        f"READ_PRIMARY_COOKIE_SECONDS={READ_PRIMARY_COOKIE_SECONDS} must be larger than "
        f"DATABASE_REPLICA_MAX_LAG={DATABASE_REPLICA_MAX_LAG}, or a visitor could miss "
        "their own submission on a lagging replica."
    )
# X-Read-Database on every answer names the alias its reads used (for checks, not production).
DATABASE_ROUTE_HEADER = env_bool("DATABASE_ROUTE_HEADER", False)
for number, replica_url in enumerate(DATABASE_REPLICA_URLS, start=1):
    replica = parse_database_url("DATABASE_REPLICA_URLS", replica_url)
    replica["OPTIONS"].setdefault("connect_timeout", "2")
    DATABASES[f"replica_{number}"] = {
        **replica,
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "CONN_HEALTH_CHECKS": True,
        # Public pages need no server-side cursor; without them a replica may be pooled too.
        "DISABLE_SERVER_SIDE_CURSORS": True,
        "TEST": {"MIRROR": "default"},
    }
# JIT compilation adds about 15 ms to every large statement and pays off only for long
# reports (shared/PERFORMANCE-NOTES.md), so the site's connections turn it off with a
# startup option (DATABASE_JIT=true keeps the server's setting). PgBouncer refuses startup
# options: behind DATABASE_POOLER_URL, set it on the role instead
# (ALTER ROLE ... SET jit = off).
DATABASE_JIT = env_bool("DATABASE_JIT", False)
# Parallel query likewise: a worker process per large statement helps one big report, but
# on a web server every core is already busy with requests, and starting the workers
# costs a few milliseconds per statement. DATABASE_PARALLEL_QUERY=true keeps the server's
# setting (behind PgBouncer: ALTER ROLE ... SET max_parallel_workers_per_gather = 0).
DATABASE_PARALLEL_QUERY = env_bool("DATABASE_PARALLEL_QUERY", False)
STARTUP_OPTIONS = [
    *([] if DATABASE_JIT else ["-c jit=off"]),
    *([] if DATABASE_PARALLEL_QUERY else ["-c max_parallel_workers_per_gather=0"]),
]
if STARTUP_OPTIONS:
    for alias, database in DATABASES.items():
        if alias == "default" and DATABASE_POOLER_URL:
            continue
        options = database.setdefault("OPTIONS", {})
        options["options"] = " ".join(filter(None, [options.get("options", ""), *STARTUP_OPTIONS]))
if DATABASE_REPLICA_URLS:
    DATABASE_ROUTERS = ["clearinghouse.routers.ReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("clearinghouse.cache.CatalogueVersionMiddleware"),
        "clearinghouse.routers.ReplicaRoutingMiddleware",
    )

# Shared caches (a CDN, nginx): anonymous public pages may be kept CDN_CACHE_SECONDS
# (s-maxage), served stale CDN_STALE_SECONDS more while refetched in the background
# (stale-while-revalidate); browsers revalidate after CDN_BROWSER_SECONDS (max-age) with
# the ETag, answered 304 when nothing changed.
CDN_CACHE_SECONDS = env_int("CDN_CACHE_SECONDS", 60, minimum=0)
CDN_STALE_SECONDS = env_int("CDN_STALE_SECONDS", 30, minimum=0)
CDN_BROWSER_SECONDS = env_int("CDN_BROWSER_SECONDS", 0, minimum=0)
MIDDLEWARE.insert(
    MIDDLEWARE.index("clearinghouse.middleware.PublicPageCacheMiddleware"),
    "clearinghouse.cdn.CdnHeadersMiddleware",
)

# Uploads: the local MEDIA_ROOT (shared by every app server, e.g. a network volume), or
# S3-compatible object storage through django-storages when S3_BUCKET is set.
S3_BUCKET = env_str("S3_BUCKET", "")
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env_str("S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("S3_REGION", "") or None,
            "access_key": env_str("S3_ACCESS_KEY_ID", "") or None,
            "secret_key": env_secret("S3_SECRET_ACCESS_KEY"),
            "custom_domain": env_str("S3_CUSTOM_DOMAIN", "") or None,
            "location": env_str("S3_PREFIX", ""),
            "default_acl": None,
            "file_overwrite": False,
            # Links to private buckets are signed and expire; a public bucket or custom
            # domain can turn that off.
            "querystring_auth": env_bool("S3_SIGNED_URLS", True),
        },
    }

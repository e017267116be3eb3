"""Settings for the test suite: the real settings, with test-only conveniences.

The environment still decides the database (DATABASE_URL), so tests run against
PostgreSQL exactly like the site does.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-used-anywhere-else-0123456789abcdef")
os.environ.setdefault("HTTPS", "false")

from clearinghouse.settings import *  # noqa: E402, F403

# The address the test client's pages are served under (its Host is "testserver"). Set
# here, not in the environment, so servers the tests start get their own.
SITE_URL = "http://testserver"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Serve static files straight from the app folders: tests need no collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

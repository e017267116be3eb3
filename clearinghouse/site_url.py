"""The site's own address, from configuration: every absolute URL the site prints.

Canonical links, ``og:url``, hreflang alternates, the Atom feed, the sitemap, robots.txt,
JSON-LD and the CSV export name pages with ``absolute_url(path)``, which puts the path
after ``settings.SITE_URL``. Nothing here reads the request: its Host header (port
included) and its scheme are chosen by the client, and a page that printed them could be
cached and served to everyone else (README.md, "Security").
"""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured


def default_site_url(allowed_hosts: list[str], *, https: bool) -> str:
    """``https://`` (or ``http://``) and the first allowed host that names one host."""
    scheme = "https" if https else "http"
    for host in allowed_hosts:
        host = host.lstrip(".")  # ".example.org" allows subdomains; the domain itself is one
        if host and host != "*":
            return f"{scheme}://{host}"
    raise ImproperlyConfigured(
        "SITE_URL is not set and ALLOWED_HOSTS names no single host to build it from: "
        "set SITE_URL to the site's public address, such as https://clearinghouse.example.org"
    )


def parse_site_url(name: str, value: str) -> str:
    """``scheme://host[:port]`` with no path, query or fragment, without a trailing slash."""
    try:
        parts = urlsplit(value)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        port_ok = False
    if (
        not port_ok
        or parts.scheme not in {"http", "https"}
        or not parts.hostname
        or parts.username is not None
        or parts.password is not None
        or parts.path not in {"", "/"}
        or parts.query
        or parts.fragment
        or any(c.isspace() for c in value)
    ):
        raise ImproperlyConfigured(
            f"{name}={value!r} must be the site's address with no path, such as "
            "https://clearinghouse.example.org or http://127.0.0.1:8000"
        )
    return f"{parts.scheme}://{parts.netloc.lower()}"


def site_domain() -> str:
    """The host (and port) of ``SITE_URL``."""
    from django.conf import settings

    return urlsplit(settings.SITE_URL).netloc


def site_scheme() -> str:
    from django.conf import settings

    return urlsplit(settings.SITE_URL).scheme


def absolute_url(path: str) -> str:
    """``SITE_URL`` followed by ``path`` (a path on this site, with or without a query)."""
    from django.conf import settings

    return settings.SITE_URL + "/" + path.lstrip("/")

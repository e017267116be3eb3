"""Deployment checks of the site's own settings (``manage.py check --deploy``)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def site_url_uses_https(app_configs, **kwargs):
    """Under HTTPS, the links the site prints must say https:// too."""
    if settings.HTTPS and not settings.SITE_URL.startswith("https://"):
        return [
            Warning(
                f"SITE_URL ({settings.SITE_URL}) is not an https:// address while HTTPS is on: "
                "canonical links, the feed and the sitemap would send visitors to plain HTTP.",
                hint="Set SITE_URL to the site's public https:// address.",
                id="clearinghouse.W001",
            )
        ]
    return []

from django.conf import settings
from django.utils.translation import gettext


def site(request):
    """Values every template may use. The site's name is shown in the page's language
    (the Spanish name is in the catalogue, under the English one)."""
    return {"SITE_NAME": gettext(settings.SITE_NAME)}

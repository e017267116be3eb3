"""Small site-wide pages: /favicon.ico, and the "permission denied" page, which wears the
admin's own layout inside the admin (a committee member refused an action keeps the
admin's navigation) and the site's layout elsewhere."""

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says: send them to the real icon."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    if request.path.startswith("/" + settings.ADMIN_URL) and request.user.is_staff:
        context = {
            **admin.site.each_context(request),
            "title": _("You may not do this"),
        }
        return render(request, "admin/403.html", context, status=403)
    return render(request, "403.html", status=403)

"""The admin's "view on site" redirect (``<ADMIN_URL>r/<content type>/<id>/``), guarded.

Django's own redirect sends any staff user to any object's public address, drafts
included, whatever the user may see in the admin; and it builds that address from the
request's Host. This one answers 403 unless the user may view the object in the admin,
and names the page with ``SITE_URL``.
"""

from django.contrib import admin
from django.contrib.admin.exceptions import NotRegistered
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.utils.translation import gettext as _

from clearinghouse.site_url import absolute_url


def may_view(request: HttpRequest, obj) -> bool:
    """Whether the admin would show ``obj`` to this user (its own per-object rules count)."""
    try:
        model_admin = admin.site.get_model_admin(type(obj))
    except NotRegistered:
        opts = obj._meta
        return request.user.has_perm(f"{opts.app_label}.view_{opts.model_name}")
    return model_admin.has_view_or_change_permission(request, obj)


def view_on_site(request: HttpRequest, content_type_id: int, object_id: str):
    try:
        content_type = ContentType.objects.get_for_id(content_type_id)
        if content_type.model_class() is None:
            raise ObjectDoesNotExist
        obj = content_type.get_object_for_this_type(pk=object_id)
    except (ObjectDoesNotExist, ValueError, ValidationError):
        raise Http404(_("No record has this address.")) from None
    if not hasattr(obj, "get_absolute_url"):
        raise Http404(_("This record has no page on the site."))
    if not may_view(request, obj):
        raise PermissionDenied
    url = obj.get_absolute_url()
    if not url.startswith(("http://", "https://")):
        url = absolute_url(url)
    return HttpResponseRedirect(url)

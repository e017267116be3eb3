"""The site's URLs plus a visitor's public form, for tests/test_multi_server.py.

``POST /visitor-title/`` renames a published practice, as a public submission form
would change what its sender sees next, and sends them on to the practice's page.
"""

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from clearinghouse.urls import urlpatterns as site_urlpatterns
from practices.models import Practice


@csrf_exempt
@require_POST
def visitor_title(request: HttpRequest) -> HttpResponse:
    practice = Practice.objects.get(slug=request.POST["slug"])
    Practice.objects.filter(pk=practice.pk).update(title=request.POST["title"])
    return HttpResponseRedirect(practice.get_absolute_url(), status=303)


urlpatterns = [path("visitor-title/", visitor_title), *site_urlpatterns]

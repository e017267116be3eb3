"""The site's URL map plus the benchmark floor, used only by bench.settings.

The floor is the cheapest page the stack can serve: the same server, middleware and
settings as every other page, one trivial query and a tiny template. Each page's
throughput is compared with it, so the comparison measures the page's own work.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from clearinghouse.urls import urlpatterns as site_urlpatterns
from practices.models import Topic


def floor(request: HttpRequest) -> HttpResponse:
    return render(request, "bench/floor.html", {"topics": Topic.objects.count()})


urlpatterns = [
    path("bench/floor/", floor, name="bench_floor"),
    *site_urlpatterns,
]

"""Follow a search: Atom feeds of the newest practices of any filtered list, of a topic and
of an award, so a visitor hears about new entries on their subject."""

from urllib.parse import urlencode

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from awards.models import Award
from clearinghouse.feeds import PracticeEntries, newest_practices, xml_text
from practices.filters import PracticeFilter
from practices.models import Practice, Topic
from practices.views.practices import filter_errors
from practices.views.tools import filter_summary


class SelectionFeed(PracticeEntries, Feed):
    """The newest published practices of a selection (``obj``: a dict with the filterset,
    a title and the list's query)."""

    feed_type = Atom1Feed

    def title(self, obj):
        return xml_text(f"{obj['title']} · {_('Public Safety Practices Clearinghouse')}")

    def subtitle(self, obj):
        return _("The newest practices of this selection.")

    def link(self, obj):
        query = urlencode(obj["params"])
        return reverse("practices:practice_list") + (f"?{query}" if query else "")

    def feed_url(self, obj):
        return obj["feed_url"]

    def items(self, obj):
        return newest_practices(obj["filterset"].qs)

    def item_link(self, practice):
        return practice.get_absolute_url()


class PreparedFeed(SelectionFeed):
    """The feed's object is prepared by the view and handed over on the request."""

    def get_object(self, request, *args, **kwargs):
        return request.follow_selection


selection_feed = PreparedFeed()


def serve(request: HttpRequest, data, title: str, feed_url: str) -> HttpResponse:
    filterset = PracticeFilter(data, queryset=Practice.objects.published())
    errors = filter_errors(filterset)
    if errors:
        lines = [_("The feed could not be made: fix these parameters and try again.")]
        lines += [f"{label}: {message}" if label else message for label, message in errors]
        return HttpResponseBadRequest(
            "\n".join(lines) + "\n", content_type="text/plain; charset=utf-8"
        )
    params = filter_params_from(data)
    request.follow_selection = {
        "filterset": filterset,
        "title": title,
        "params": params,
        "feed_url": feed_url,
    }
    return selection_feed(request)


@require_safe
def search_feed(request: HttpRequest) -> HttpResponse:
    """Any filtered list of /practices/ as a feed: the same parameters as the list."""
    data = request.GET.copy()
    for key in list(data):
        if key not in PracticeFilter.base_filters or key == "sort":
            del data[key]
    filterset = PracticeFilter(data, queryset=Practice.objects.published())
    summary = filter_summary(filterset) if filterset.is_valid() else []
    title = _("Practices")
    if summary:
        title += " (" + "; ".join(f"{label}: {values}" for label, values in summary) + ")"
    query = urlencode(filter_params_from(data))
    return serve(request, data, title, reverse("follow_search") + (f"?{query}" if query else ""))


def filter_params_from(data) -> list[tuple[str, str]]:
    return [(key, value) for key in data for value in data.getlist(key) if value.strip()]


def one_filter(name: str, value: str) -> QueryDict:
    data = QueryDict(mutable=True)
    data[name] = value
    return data


@require_safe
def topic_feed(request: HttpRequest, slug: str) -> HttpResponse:
    topic = get_object_or_404(Topic, slug=slug)
    return serve(
        request,
        one_filter("topic", topic.slug),
        _("Practices on %(topic)s") % {"topic": topic.display_name},
        reverse("follow_topic", kwargs={"slug": topic.slug}),
    )


@require_safe
def award_feed(request: HttpRequest, slug: str) -> HttpResponse:
    award = Award.objects.filter(slug=slug).first()
    if award is None:
        raise Http404(_("No award has this address."))
    return serve(
        request,
        one_filter("award", award.slug),
        _("Practices recognised by %(award)s") % {"award": award.name},
        reverse("follow_award", kwargs={"slug": award.slug}),
    )

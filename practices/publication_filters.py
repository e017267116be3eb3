"""The filter form of /publications/: kind, topic, language, year and full text."""

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from practices import search
from practices.models import Language, Publication, PublicationKind, Topic


def topic_choices() -> list[tuple[str, str]]:
    """Top-level topics, each followed by its subtopics (one query)."""
    topics = list(Topic.objects.all())
    children: dict[int, list[Topic]] = {}
    for topic in topics:
        if topic.parent_id:
            children.setdefault(topic.parent_id, []).append(topic)
    choices = []
    for topic in topics:
        if topic.parent_id is None:
            choices.append((topic.slug, topic.display_name))
            choices.extend(
                (child.slug, f"— {child.display_name}") for child in children.get(topic.pk, [])
            )
    return choices


def year_choices(queryset: QuerySet) -> list[tuple[str, str]]:
    """The years of the publications on offer, newest first (one query)."""
    years = (
        queryset.exclude(year__isnull=True)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )
    return [(str(year), str(year)) for year in years]


class PublicationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Words to find"),
        method="filter_text",
        max_length=search.MAX_QUERY_LENGTH,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=PublicationKind.choices, empty_label=_("Any kind")
    )
    topic = django_filters.ChoiceFilter(
        label=_("Topic"), method="filter_topic", empty_label=_("Any topic")
    )
    language = django_filters.ChoiceFilter(
        label=_("Language"), choices=Language.choices, empty_label=_("Any language")
    )
    year = django_filters.ChoiceFilter(label=_("Year"), empty_label=_("Any year"))

    class Meta:
        model = Publication
        fields = ["q", "kind", "topic", "language", "year"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["topic"].extra["choices"] = topic_choices()
        self.filters["year"].extra["choices"] = year_choices(self.queryset)

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # The same search as /search/'s publications section.
        parsed = search.parse(value)
        if not parsed:
            return queryset
        return search.search(queryset, parsed).order_by("-rank", "-year", "title")

    def filter_topic(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """A topic includes its subtopics."""
        tagged = Publication.topics.through.objects.filter(
            Q(topic__slug=value) | Q(topic__parent__slug=value)
        )
        return queryset.filter(pk__in=tagged.values("publication_id"))

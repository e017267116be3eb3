"""Filters of the public practice list (/practices/) and its CSV export.

Several values of one filter widen the selection (``?topic=a&topic=b`` is a OR b); different
filters narrow it. Multi-valued relations are filtered through ``pk IN (subquery)`` so rows
are never duplicated and no DISTINCT is needed (the relevance order stays usable).

Facet counts: ``PracticeFilter.facet_queryset(group)`` is the selection with every filter
applied except the group's own, so each option shows how many practices it would give.
"""

import re

import django_filters
from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from awards.models import Award, Recognition
from practices import search
from practices.models import (
    MAX_YEAR,
    MIN_YEAR,
    Department,
    EvidenceRating,
    PopulationBand,
    Practice,
    Topic,
)

SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]{1,220}$")
MAX_VALUES = 50


class Sort:
    RELEVANCE = "relevance"
    NEWEST = "newest"
    TITLE = "title"
    CHOICES = [
        (RELEVANCE, _("Relevance")),
        (NEWEST, _("Newest")),
        (TITLE, _("Title (A–Z)")),
    ]
    ORDERINGS = {
        RELEVANCE: ["-rank", "-published_at", "pk"],
        NEWEST: ["-published_at", "title", "pk"],
        TITLE: ["title", "pk"],
    }


class AwardedChoice:
    YES = "yes"
    NO = "no"
    CHOICES = [(YES, _("Recognised by an award")), (NO, _("Not recognised yet"))]


def check_count(values) -> None:
    if len(values) > MAX_VALUES:
        raise forms.ValidationError(
            _("Choose at most %(max)d values for one filter."),
            code="too_many",
            params={"max": MAX_VALUES},
        )


class SlugMultipleChoiceField(django_filters.fields.ModelMultipleChoiceField):
    """Looks options up by slug; values that cannot be a slug are refused before any query."""

    def _check_values(self, value):
        check_count(value)
        for item in value:
            if not SLUG_RE.match(str(item)):
                raise forms.ValidationError(
                    _("“%(value)s” is not a valid choice."),
                    code="invalid_choice",
                    params={"value": str(item)[:60]},
                )
        return super()._check_values(value)


class SlugMultipleChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = SlugMultipleChoiceField


class LimitedMultipleChoiceField(django_filters.fields.MultipleChoiceField):
    def validate(self, value):
        check_count(value)
        super().validate(value)


class LimitedMultipleChoiceFilter(django_filters.MultipleChoiceFilter):
    field_class = LimitedMultipleChoiceField


class MultipleTextField(forms.Field):
    """Several free-text values (``?region=Oregon&region=Texas``)."""

    widget = forms.SelectMultiple
    max_length = 120

    def to_python(self, value):
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        return [" ".join(str(item).split()) for item in value if str(item).strip()]

    def validate(self, value):
        super().validate(value)
        check_count(value)
        for item in value:
            ProhibitNullCharactersValidator()(item)
            if len(item) > self.max_length:
                raise forms.ValidationError(
                    _("A value is too long (%(max)d characters at most)."),
                    code="max_length",
                    params={"max": self.max_length},
                )


class MultipleTextFilter(django_filters.Filter):
    field_class = MultipleTextField


class YearField(forms.IntegerField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", MIN_YEAR)
        kwargs.setdefault("max_value", MAX_YEAR)
        super().__init__(*args, **kwargs)


class YearFilter(django_filters.Filter):
    field_class = YearField


class PracticeFilterForm(forms.Form):
    def clean_q(self):
        return " ".join((self.cleaned_data.get("q") or "").split())

    def clean(self):
        cleaned = super().clean()
        year_from, year_to = cleaned.get("year_from"), cleaned.get("year_to")
        if year_from is not None and year_to is not None and year_from > year_to:
            self.add_error("year_to", _("“To” year must be the same as or after the “from” year."))
        return cleaned


def countries_choices():
    return list(countries)


class PracticeFilter(django_filters.FilterSet):
    """The public filters; the base queryset must already be ``published()``."""

    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_q",
        max_length=search.MAX_QUERY_LENGTH,
        error_messages={
            "max_length": _(
                "The search text is too long: %(limit_value)d "
                "characters at most (it has %(show_value)d)."
            )
        },
    )
    topic = SlugMultipleChoiceFilter(
        label=_("Topic"),
        queryset=Topic.objects.all(),
        to_field_name="slug",
        method="filter_topic",
    )
    department = SlugMultipleChoiceFilter(
        label=_("Department"),
        queryset=Department.objects.all(),
        to_field_name="slug",
        method="filter_department",
    )
    country = LimitedMultipleChoiceFilter(
        label=_("Country"), choices=countries_choices, method="filter_country"
    )
    region = MultipleTextFilter(label=_("Region"), method="filter_region")
    population = LimitedMultipleChoiceFilter(
        label=_("Population"), choices=PopulationBand.choices, method="filter_population"
    )
    evidence = LimitedMultipleChoiceFilter(
        label=_("Evidence"), choices=EvidenceRating.choices, method="filter_evidence"
    )
    awarded = LimitedMultipleChoiceFilter(
        label=_("Awards"), choices=AwardedChoice.CHOICES, method="filter_awarded"
    )
    award = SlugMultipleChoiceFilter(
        label=_("Award"),
        queryset=Award.objects.all(),
        to_field_name="slug",
        method="filter_award",
    )
    year_from = YearFilter(label=_("Started from"), method="filter_year_from")
    year_to = YearFilter(label=_("Started until"), method="filter_year_to")
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"), choices=Sort.CHOICES, method="filter_nothing", empty_label=None
    )

    class Meta:
        model = Practice
        fields = []
        form = PracticeFilterForm

    # --- applying the filters -------------------------------------------------------

    def filter_queryset(self, queryset, skip: str | None = None):
        for name, value in self.form.cleaned_data.items():
            if name == skip:
                continue
            queryset = self.filters[name].filter(queryset, value)
        return queryset

    def facet_queryset(self, group: str) -> QuerySet:
        """The selection with every filter but ``group``'s (for that group's counts)."""
        self.errors  # noqa: B018 - validates the form, so cleaned_data exists
        return self.filter_queryset(self.queryset.all(), skip=group)

    @property
    def search_text(self) -> str:
        self.errors  # noqa: B018
        return self.form.cleaned_data.get("q", "") if self.is_bound else ""

    @property
    def sort_value(self) -> str:
        """The requested order; relevance only applies when there is a search."""
        self.errors  # noqa: B018
        chosen = self.form.cleaned_data.get("sort") if self.is_bound else None
        searching = bool(search.parse(self.search_text))
        if chosen == Sort.RELEVANCE and not searching:
            return Sort.NEWEST
        return chosen or (Sort.RELEVANCE if searching else Sort.NEWEST)

    def ordered_qs(self) -> QuerySet:
        return self.qs.order_by(*Sort.ORDERINGS[self.sort_value])

    # --- one method per filter ------------------------------------------------------

    def filter_nothing(self, queryset, name, value):
        return queryset

    def filter_q(self, queryset, name, value):
        return search.search(queryset, search.parse(value))

    def filter_topic(self, queryset, name, value):
        if not value:
            return queryset
        # A parent topic includes its subtopics.
        through = Practice.topics.through.objects.filter(
            Q(topic__in=value) | Q(topic__parent__in=value)
        )
        return queryset.filter(pk__in=through.values("practice_id"))

    def filter_department(self, queryset, name, value):
        if not value:
            return queryset
        through = Practice.departments.through.objects.filter(department__in=value)
        return queryset.filter(pk__in=through.values("practice_id"))

    def filter_country(self, queryset, name, value):
        return queryset.filter(lead_jurisdiction__country__in=value) if value else queryset

    def filter_region(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(lead_jurisdiction__region__in=value)

    def filter_population(self, queryset, name, value):
        if not value:
            return queryset
        q = Q()
        for band in value:
            q |= PopulationBand.q(band, prefix="lead_jurisdiction__")
        return queryset.filter(q)

    def filter_evidence(self, queryset, name, value):
        return queryset.filter(evidence_rating__in=value) if value else queryset

    def filter_awarded(self, queryset, name, value):
        if not value or set(value) == {AwardedChoice.YES, AwardedChoice.NO}:
            return queryset
        recognised = Exists(Recognition.objects.filter(practice=OuterRef("pk")))
        return queryset.filter(recognised if AwardedChoice.YES in value else ~recognised)

    def filter_award(self, queryset, name, value):
        if not value:
            return queryset
        recognitions = Recognition.objects.filter(award__in=value)
        return queryset.filter(pk__in=recognitions.values("practice_id"))

    def filter_year_from(self, queryset, name, value):
        return queryset if value is None else queryset.filter(year_started__gte=value)

    def filter_year_to(self, queryset, name, value):
        return queryset if value is None else queryset.filter(year_started__lte=value)


# --- Facet counts ---------------------------------------------------------------------


class FacetOption:
    __slots__ = ("value", "label", "count", "selected", "depth")

    def __init__(self, value, label, count, selected, depth=0):
        self.value, self.label, self.count = str(value), label, count
        self.selected, self.depth = selected, depth

    def __repr__(self) -> str:
        return f"<FacetOption {self.value}={self.count}>"


class Facet:
    def __init__(self, name: str, legend, options: list[FacetOption]):
        self.name, self.legend, self.options = name, legend, options

    @property
    def selected_count(self) -> int:
        return sum(1 for option in self.options if option.selected)


def _selected(filterset: PracticeFilter, name: str) -> set[str]:
    data = filterset.data
    values = data.getlist(name) if hasattr(data, "getlist") else data.get(name, [])
    if isinstance(values, str):
        values = [values]
    return {str(value) for value in values}


def _visible(options: list[FacetOption]) -> list[FacetOption]:
    """Options worth showing: those with matches, and those ticked (so they can be unticked)."""
    return [option for option in options if option.count or option.selected]


def _ids(selection: QuerySet) -> QuerySet:
    return selection.order_by().values("pk")


def topic_facet(filterset: PracticeFilter) -> Facet:
    """Counts per topic; a parent counts practices in it or in any of its subtopics.

    Two queries: the topics, and one aggregate (a UNION of direct and per-parent counts).
    """
    rows = Practice.topics.through.objects.filter(
        practice_id__in=_ids(filterset.facet_queryset("topic"))
    )
    direct = (
        rows.filter(topic__parent__isnull=False)
        .order_by()
        .values("topic_id")
        .annotate(n=Count("practice_id", distinct=True))
        .values_list("topic_id", "n")
    )
    per_parent = (
        rows.annotate(root=Coalesce("topic__parent_id", "topic_id"))
        .order_by()
        .values("root")
        .annotate(n=Count("practice_id", distinct=True))
        .values_list("root", "n")
    )
    counts = dict(per_parent.union(direct, all=True))
    topics = list(Topic.objects.all())
    selected = _selected(filterset, "topic")
    children: dict[int, list[Topic]] = {}
    for topic in topics:
        if topic.parent_id:
            children.setdefault(topic.parent_id, []).append(topic)
    options = []
    for topic in topics:
        if topic.parent_id:
            continue
        options.append(
            FacetOption(
                topic.slug, topic.display_name, counts.get(topic.pk, 0), topic.slug in selected
            )
        )
        for child in children.get(topic.pk, []):
            options.append(
                FacetOption(
                    child.slug,
                    child.display_name,
                    counts.get(child.pk, 0),
                    child.slug in selected,
                    depth=1,
                )
            )
    return Facet("topic", _("Topic"), _visible(options))


def department_facet(filterset: PracticeFilter) -> Facet:
    ids = _ids(filterset.facet_queryset("department"))
    departments = Department.objects.annotate(n=Count("practices", filter=Q(practices__in=ids)))
    selected = _selected(filterset, "department")
    options = [FacetOption(d.slug, d.display_name, d.n, d.slug in selected) for d in departments]
    return Facet("department", _("Departments involved"), _visible(options))


def country_facet(filterset: PracticeFilter) -> Facet:
    rows = (
        filterset.facet_queryset("country")
        .order_by()
        .values_list("lead_jurisdiction__country")
        .annotate(n=Count("pk"))
    )
    selected = _selected(filterset, "country")
    options = [
        FacetOption(code, countries.name(code) or code, n, code in selected) for code, n in rows
    ]
    found = {option.value for option in options}
    options += [
        FacetOption(code, countries.name(code), 0, True)
        for code in sorted(selected - found)
        if code in countries
    ]
    options.sort(key=lambda option: str(option.label))
    return Facet("country", _("Country"), _visible(options))


REGION_FACET_LIMIT = 30


def region_facet(filterset: PracticeFilter) -> Facet:
    rows = (
        filterset.facet_queryset("region")
        .exclude(lead_jurisdiction__region="")
        .order_by()
        .values_list("lead_jurisdiction__region")
        .annotate(n=Count("pk"))
        .order_by("-n", "lead_jurisdiction__region")[:REGION_FACET_LIMIT]
    )
    selected = _selected(filterset, "region")
    options = [FacetOption(region, region, n, region in selected) for region, n in rows]
    found = {option.value for option in options}
    options += [
        FacetOption(region, region, 0, True)
        for region in sorted(selected - found)
        if region.strip() and len(region) <= MultipleTextField.max_length and "\x00" not in region
    ]
    return Facet("region", _("State, province or department"), _visible(options))


def population_facet(filterset: PracticeFilter) -> Facet:
    counts = filterset.facet_queryset("population").aggregate(
        **{
            band.value.replace("-", "_"): Count(
                "pk", filter=PopulationBand.q(band, prefix="lead_jurisdiction__")
            )
            for band in PopulationBand
        }
    )
    selected = _selected(filterset, "population")
    options = [
        FacetOption(
            band.value, band.label, counts[band.value.replace("-", "_")], band.value in selected
        )
        for band in PopulationBand
    ]
    return Facet("population", _("Population of the lead jurisdiction"), _visible(options))


def evidence_facet(filterset: PracticeFilter) -> Facet:
    counts = dict(
        filterset.facet_queryset("evidence")
        .order_by()
        .values_list("evidence_rating")
        .annotate(n=Count("pk"))
    )
    selected = _selected(filterset, "evidence")
    options = [
        FacetOption(value, label, counts.get(value, 0), value in selected)
        for value, label in EvidenceRating.choices
    ]
    return Facet("evidence", _("Evidence rating"), _visible(options))


def awarded_facet(filterset: PracticeFilter) -> Facet:
    # "id IN (recognised ids)" runs as one hashed subplan, not a subquery per row.
    recognised = Q(pk__in=Recognition.objects.values("practice_id"))
    counts = filterset.facet_queryset("awarded").aggregate(
        total=Count("pk"), yes=Count("pk", filter=recognised)
    )
    counts["no"] = counts["total"] - counts["yes"]
    selected = _selected(filterset, "awarded")
    options = [
        FacetOption(value, label, counts[value], value in selected)
        for value, label in AwardedChoice.CHOICES
    ]
    return Facet("awarded", _("Awards"), _visible(options))


def award_facet(filterset: PracticeFilter) -> Facet:
    ids = _ids(filterset.facet_queryset("award"))
    awards = Award.objects.annotate(
        n=Count("recognitions__practice", filter=Q(recognitions__practice__in=ids), distinct=True)
    )
    selected = _selected(filterset, "award")
    options = [FacetOption(a.slug, a.name, a.n, a.slug in selected) for a in awards]
    return Facet("award", _("Award won"), _visible(options))


def facets(filterset: PracticeFilter) -> list[Facet]:
    """Every facet group: one aggregate query each (two for topics: names and counts)."""
    return [
        topic_facet(filterset),
        department_facet(filterset),
        population_facet(filterset),
        country_facet(filterset),
        region_facet(filterset),
        evidence_facet(filterset),
        awarded_facet(filterset),
        award_facet(filterset),
    ]

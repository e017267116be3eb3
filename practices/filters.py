"""Filters of the public practice list (/practices/) and its CSV export.

A value a filter cannot use (an unknown topic, a malformed year) is left out by
``without_bad_values``, which says which and why; the other values and filters still apply.

Several values of one filter widen the selection (``?topic=a&topic=b`` is a OR b); different
filters narrow it. Multi-valued relations are filtered through ``pk IN (subquery)`` so rows
are never duplicated and no DISTINCT is needed (the relevance order stays usable).

The counts beside each option are in ``practices/facets.py``.
"""

import re

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db.models import Exists, F, Field, ForeignKey, Lookup, OuterRef, Q, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from practices import search, selectors
from practices.models import (
    MAX_YEAR,
    MIN_YEAR,
    Department,
    EvidenceRating,
    PopulationBand,
    Practice,
    PracticeSearch,
    Topic,
)
from practices.search import Matches
from practices.selectors import award_model, recognition_model

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


class AdoptedChoice:
    YES = "yes"
    CHOICES = [(YES, _("Adopted by another local government"))]


def check_count(values) -> None:
    if len(values) > MAX_VALUES:
        raise forms.ValidationError(
            _("Choose at most %(max)d values for one filter."),
            code="too_many",
            params={"max": MAX_VALUES},
        )


def without_blanks(value):
    """Drop empty values (``?topic=`` from a hand-made link means no choice, not an error)."""
    if value and not isinstance(value, str):
        return [item for item in value if str(item).strip()]
    return value


class SlugMultipleChoiceField(django_filters.fields.ModelMultipleChoiceField):
    """Looks options up by slug; values that cannot be a slug are refused before any query."""

    def clean(self, value):
        return super().clean(without_blanks(value))

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
    def to_python(self, value):
        return super().to_python(without_blanks(value))

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
        text = " ".join((self.cleaned_data.get("q") or "").split())
        # Parsed once, with validation: the filters, facets and sort all reuse it.
        self.parsed_query = search.parse(text)
        return text

    def clean(self):
        cleaned = super().clean()
        year_from, year_to = cleaned.get("year_from"), cleaned.get("year_to")
        if year_from is not None and year_to is not None and year_from > year_to:
            self.add_error("year_to", _("“To” year must be the same as or after the “from” year."))
        return cleaned


# --- Leaving out the values a filter cannot use --------------------------------------

# Error codes that mean "not one of the options" (an old link's renamed slug, for example).
NOT_A_CHOICE = {"invalid_choice", "invalid_pk_value", "invalid_list"}


def shown_value(value: str) -> str:
    """A rejected value as a notice quotes it: no NUL, at most 60 characters."""
    value = value.replace("\x00", "")
    return value if len(value) <= 60 else value[:59] + "…"


def left_out(value: str, error: ValidationError) -> str:
    if error.code in NOT_A_CHOICE:
        return gettext("“%(value)s” is not one of the choices, so it was left out.") % {
            "value": shown_value(value)
        }
    return gettext("“%(value)s” was left out: %(reason)s") % {
        "value": shown_value(value),
        "reason": " ".join(error.messages),
    }


def _first_error(errors) -> ValidationError:
    error = errors[0]
    return error if isinstance(error, ValidationError) else ValidationError(str(error))


def _bad_items(field, values: list[str]) -> list[tuple[str, ValidationError]]:
    """The values of a many-valued field that the field refuses one by one."""
    bad = []
    for value in values:
        try:
            field.clean([value])
        except ValidationError as exc:
            bad.append((value, _first_error(exc.error_list)))
    return bad


def without_bad_values(filterset_class, data: QueryDict, **kwargs):
    """(filterset, notices): the filterset bound to ``data`` less every value its form
    refuses, and one (label, message) notice per value left out, naming it.

    Of a many-valued filter only the refused values go (``?topic=gone&topic=parks`` keeps
    parks; values past MAX_VALUES are dropped too); a single-valued filter that is refused
    goes whole. The form is checked again, as leaving a value out can settle another
    error (a "to" year before the "from" year)."""
    query = data.copy()
    notices: list[tuple[str, str]] = []
    for attempt in range(4):
        filterset = filterset_class(query, **kwargs)
        form = filterset.form
        if form.is_valid() or attempt == 3:
            break
        for name, errors in form.errors.as_data().items():
            field = form.fields.get(name)
            if field is None or name not in query:
                continue
            label = str(field.label or name)
            values = query.getlist(name)
            if getattr(field.widget, "allow_multiple_selected", False):
                if len(values) > MAX_VALUES:
                    notices.append(
                        (
                            label,
                            gettext("Only the first %(max)d values were used.")
                            % {"max": MAX_VALUES},
                        )
                    )
                    values = values[:MAX_VALUES]
                bad = _bad_items(field, values)
                notices.extend((label, left_out(value, error)) for value, error in bad)
                refused = {value for value, _error in bad}
                query.setlist(name, [value for value in values if value not in refused])
            else:
                notices.append((label, left_out(query.get(name), _first_error(errors))))
                query.pop(name)
    return filterset, notices


def countries_choices():
    return list(countries)


@Field.register_lookup
class InIdArray(Lookup):
    """``field__in_id_array=[...]``: ``field = ANY(array)``, the ids sent as one array
    parameter. PostgreSQL plans it with the array's values and matches every row through
    a hash of them. (``IN (SELECT unnest(...))`` was 2-4 times slower at 100,000 ids:
    the planner guesses 200 distinct ids and loops over an index for each.)"""

    lookup_name = "in_id_array"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s::bigint[])", (*lhs_params, list(self.rhs))


ForeignKey.register_lookup(InIdArray)


def any_id(field: str, ids: list[int]) -> Q:
    """Rows whose ``field`` is one of ``ids``."""
    return Q(**{f"{field}__in_id_array": ids})


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
        queryset=lambda request: award_model().objects.all(),
        to_field_name="slug",
        method="filter_award",
    )
    adopted = LimitedMultipleChoiceFilter(
        label=_("Adopted elsewhere"), choices=AdoptedChoice.CHOICES, method="filter_adopted"
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

    def filter_queryset(self, queryset, skip=()):
        for name, value in self.form.cleaned_data.items():
            if name in skip:
                continue
            queryset = self.filters[name].filter(queryset, value)
        return queryset

    def text_match_ids(self, text: str) -> list[int]:
        """Ids of the practices whose search document matches ``text``, published or not
        (the facet index holds published practices only), read from the search table
        alone: one query, kept for the rest of the request."""
        memo = self.__dict__.setdefault("_text_match_ids", {})
        if text not in memo:
            documents = PracticeSearch.objects
            matches = documents.filter(Matches(F("document"), self.parsed(text).query))
            memo[text] = list(matches.order_by().values_list("practice_id", flat=True))
        return memo[text]

    def narrows(self, *groups: str) -> bool:
        """Whether a filter other than those of ``groups`` leaves out published practices."""
        self.errors  # noqa: B018
        for name, value in self.form.cleaned_data.items():
            if name in groups or name == "sort":
                continue
            if name == "q":
                if self.parsed(value):
                    return True
            elif name == "awarded":
                if value and set(value) != {AwardedChoice.YES, AwardedChoice.NO}:
                    return True
            elif isinstance(value, int) or value:
                return True
        return False

    def accepted(self, group: str) -> set[str] | None:
        """The values ``group``'s filter keeps (as the facets name them); None: no filter."""
        self.errors  # noqa: B018
        value = self.form.cleaned_data.get(group)
        if not value:
            return None
        values = {str(item) for item in value}
        if group == "awarded" and values == {AwardedChoice.YES, AwardedChoice.NO}:
            return None
        return values

    @property
    def search_text(self) -> str:
        self.errors  # noqa: B018
        return self.form.cleaned_data.get("q", "") if self.is_bound else ""

    @property
    def sort_value(self) -> str:
        """The requested order; relevance only applies when there is a search."""
        self.errors  # noqa: B018
        chosen = self.form.cleaned_data.get("sort") if self.is_bound else None
        searching = bool(self.parsed(self.search_text))
        if chosen == Sort.RELEVANCE and not searching:
            return Sort.NEWEST
        return chosen or (Sort.RELEVANCE if searching else Sort.NEWEST)

    def ordered_qs(self) -> QuerySet:
        return self.qs.order_by(*Sort.ORDERINGS[self.sort_value])

    # --- one method per filter ------------------------------------------------------

    def filter_nothing(self, queryset, name, value):
        return queryset

    def parsed(self, text: str) -> search.ParsedQuery:
        """The parsed search text: the form's own when it is that text."""
        parsed = getattr(self.form, "parsed_query", None)
        return parsed if parsed is not None and parsed.text == text else search.parse(text)

    def filter_q(self, queryset, name, value):
        return search.search(queryset, self.parsed(value))

    def filter_topic(self, queryset, name, value):
        if not value:
            return queryset
        # A parent topic includes its subtopics. The topic ids come first (a tiny table), so
        # the practice ids are read from the topic index of the many-to-many table.
        ids = [topic.pk for topic in value]
        topics = Topic.objects.filter(Q(pk__in=ids) | Q(parent__in=ids)).values("pk")
        through = Practice.topics.through.objects.filter(topic_id__in=topics)
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
        recognised = Exists(recognition_model().objects.filter(practice=OuterRef("pk")))
        return queryset.filter(recognised if AwardedChoice.YES in value else ~recognised)

    def filter_award(self, queryset, name, value):
        if not value:
            return queryset
        recognitions = recognition_model().objects.filter(award__in=value)
        return queryset.filter(pk__in=recognitions.values("practice_id"))

    def filter_adopted(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(pk__in=selectors.adopted_practice_ids())

    def filter_year_from(self, queryset, name, value):
        return queryset if value is None else queryset.filter(year_started__gte=value)

    def filter_year_to(self, queryset, name, value):
        return queryset if value is None else queryset.filter(year_started__lte=value)


# --- Facet counts ---------------------------------------------------------------------

"""Forms for award committees, and the public application to an award cycle."""

from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from awards.models import Award, AwardCategory, RecognitionLevel
from awards.services import awards_for_user
from clearinghouse.publicforms import (
    HoneypotMixin,
    OptionalPdfField,
    PublicTextField,
    grouped_fields,
)
from practices.models import MAX_YEAR, MIN_YEAR, PopulationBand, Practice


class RecognitionTagForm(forms.Form):
    """The intermediate page of "Tag as recognized": the award is limited to the
    awards whose committee the user sits on (all of them for curators)."""

    award = forms.ModelChoiceField(label=_("Award"), queryset=Award.objects.none())
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=AwardCategory.objects.none(),
        required=False,
        empty_label=_("No category"),
        help_text=_("Must be a category of the award chosen above."),
    )
    year = forms.IntegerField(label=_("Year"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    level = forms.ChoiceField(
        label=_("Level"), choices=RecognitionLevel.choices, initial=RecognitionLevel.WINNER
    )
    citation = forms.CharField(
        label=_("Citation"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        awards = awards_for_user(user)
        self.fields["award"].queryset = awards
        categories = AwardCategory.objects.filter(award__in=awards).select_related("award")
        self.fields["category"].queryset = categories
        # Group the categories under their award, so the right one is easy to find.
        groups: dict[str, list] = {}
        for category in categories:
            groups.setdefault(category.award.name, []).append((category.pk, category.name))
        self.fields["category"].choices = [("", _("No category")), *groups.items()]
        self.fields["year"].initial = timezone.now().year
        if len(self.fields["award"].choices) == 2:  # the empty choice and one award
            self.fields["award"].initial = awards.first()

    def clean(self):
        cleaned = super().clean()
        award, category = cleaned.get("award"), cleaned.get("category")
        if award and category and category.award_id != award.pk:
            self.add_error("category", _("This category belongs to another award."))
        return cleaned


class ApplicationForm(HoneypotMixin, forms.Form):
    """The public application to an award cycle: the program in the problem-solving
    shape (scanning, analysis, response, assessment), who applies, and a private contact."""

    category = forms.ModelChoiceField(
        label=_("Category"), queryset=AwardCategory.objects.none(), empty_label=None
    )
    title = PublicTextField(label=_("Name of the program"), max_length=200)
    summary = PublicTextField(
        label=_("Summary"),
        max_length=1500,
        multiline=True,
        rows=3,
        help_text=_("One paragraph: what you did and what changed."),
    )
    scanning = PublicTextField(
        label=_("Scanning"),
        max_length=6000,
        multiline=True,
        help_text=_("What problem did you identify, and how?"),
    )
    analysis = PublicTextField(
        label=_("Analysis"),
        max_length=6000,
        multiline=True,
        help_text=_("What did you learn about its causes, places, times and people?"),
    )
    response = PublicTextField(
        label=_("Response"),
        max_length=6000,
        multiline=True,
        help_text=_("What did you do, with which departments, partners and residents?"),
    )
    assessment = PublicTextField(
        label=_("Assessment"),
        max_length=6000,
        multiline=True,
        help_text=_("How did you measure the results, and what were they?"),
    )
    jurisdiction_name = PublicTextField(
        label=_("Applying city, county or town"),
        max_length=160,
        help_text=_("Matched to the jurisdiction of that name in the catalogue, if there is one."),
    )
    country = forms.ChoiceField(label=_("Country"))
    region = PublicTextField(
        label=_("State, province or department"), max_length=120, required=False
    )
    population = forms.IntegerField(
        label=_("Population"),
        required=False,
        min_value=0,
        max_value=50_000_000,
        # A text box, so that rejected input shown back stays valid HTML.
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    contact_name = PublicTextField(label=_("Contact name"), max_length=160)
    contact_role = PublicTextField(label=_("Contact role"), max_length=160, required=False)
    contact_email = forms.EmailField(
        label=_("Contact email"),
        max_length=254,
        help_text=_("The confirmation goes here. The contact is never made public."),
    )
    contact_phone = PublicTextField(label=_("Contact phone"), max_length=40, required=False)
    document = OptionalPdfField(label=_("Supporting document (PDF, optional)"))
    practice_link = PublicTextField(
        label=_("Link to the program in this catalogue (optional)"),
        max_length=300,
        required=False,
        help_text=_("If the program is already listed here, paste the address of its page."),
    )

    def __init__(self, *args, cycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.cycle = cycle
        categories = cycle.categories.order_by("name")
        self.fields["category"].queryset = categories
        if not categories.exists():
            del self.fields["category"]
        self.fields["country"].choices = [("", _("Choose a country")), *countries]
        self.fields["document"].help_text = _("At most %(mb)d MB.") % {
            "mb": settings.PUBLIC_FORM_MAX_PDF_MB
        }

    FIELDSETS = [
        (
            _("The program"),
            ["category", "title", "summary", "scanning", "analysis", "response", "assessment"],
        ),
        (_("Who applies"), ["jurisdiction_name", "country", "region", "population"]),
        (
            _("Contact (private)"),
            ["contact_name", "contact_role", "contact_email", "contact_phone"],
        ),
        (_("Optional"), ["document", "practice_link"]),
    ]

    def fieldsets(self):
        """The fields in groups, each with its legend."""
        return grouped_fields(self, self.FIELDSETS)

    def clean_practice_link(self):
        value = self.cleaned_data["practice_link"]
        if not value:
            return None
        path = urlsplit(value).path if "/" in value else f"/practices/{value}/"
        parts = [part for part in path.split("/") if part]
        slug = parts[-1] if parts and parts[-2:-1] == ["practices"] else None
        practice = Practice.objects.published().filter(slug=slug).first() if slug else None
        if practice is None:
            raise forms.ValidationError(
                _("No published practice has this address. Leave the field empty if unsure.")
            )
        return practice

    def clean(self):
        cleaned = super().clean()
        category, population = cleaned.get("category"), cleaned.get("population")
        if category and category.population_band and population is not None:
            low, high = PopulationBand.bounds(category.population_band)
            if population < low or (high is not None and population >= high):
                self.add_error(
                    "category",
                    _("A population of %(population)s does not fit this category.")
                    % {"population": population},
                )
        cleaned["practice"] = cleaned.pop("practice_link", None)
        return cleaned


class ScoreForm(forms.Form):
    """One judge's scores on one application: a score and a comment per criterion."""

    def __init__(self, *args, criteria, initial_scores=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        initial_scores = initial_scores or {}
        for criterion in self.criteria:
            existing = initial_scores.get(criterion.pk)
            self.fields[f"score_{criterion.pk}"] = forms.IntegerField(
                label=_("%(criterion)s (0–%(scale)d)")
                % {"criterion": criterion.name, "scale": criterion.scale},
                min_value=0,
                max_value=criterion.scale,
                initial=existing.value if existing else None,
                widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 4}),
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Comment on “%(criterion)s”") % {"criterion": criterion.name},
                required=False,
                max_length=3000,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=existing.comment if existing else "",
            )

    def rows(self):
        for criterion in self.criteria:
            yield criterion, self[f"score_{criterion.pk}"], self[f"comment_{criterion.pk}"]

    def scores(self) -> dict:
        return {
            criterion: (
                self.cleaned_data[f"score_{criterion.pk}"],
                self.cleaned_data[f"comment_{criterion.pk}"],
            )
            for criterion in self.criteria
        }


class DecisionForm(forms.Form):
    level = forms.ChoiceField(label=_("Decision"), choices=RecognitionLevel.choices)
    citation = forms.CharField(
        label=_("Citation"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class RecusalForm(forms.Form):
    note = forms.CharField(
        label=_("Why (optional, seen by the chair)"), max_length=300, required=False
    )

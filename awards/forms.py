"""Forms for award committees."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from awards.models import Award, AwardCategory, RecognitionLevel
from awards.services import awards_for_user
from practices.models import MAX_YEAR, MIN_YEAR


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

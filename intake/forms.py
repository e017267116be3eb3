"""The three public forms: share a practice, suggest a correction, report an adoption.

Every text has a length limit, free text may hold only a few links, sources are checked
one line at a time, and a hidden honeypot field catches bots
(``clearinghouse.publicforms``). Labels and help are translated, so each language's
form is in its own language.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from clearinghouse.publicforms import (
    HoneypotMixin,
    OptionalPdfField,
    PublicTextField,
    grouped_fields,
)
from intake.links import MAX_URL_LENGTH, count_links, parse_source_lines
from intake.models import Adoption, AdoptionOutcome, Correction, CorrectionField, Submission
from practices.models import MAX_YEAR, MIN_YEAR, Department, Topic

MAX_LINKS_IN_TEXT = 3
MAX_SOURCES = 10
MAX_POPULATION = 100_000_000


class PublicForm(HoneypotMixin, forms.ModelForm):
    """Shared checks: at most a few links in each free text."""

    link_limited: tuple[str, ...] = ()

    def clean(self):
        cleaned = super().clean()
        for name in self.link_limited:
            if count_links(cleaned.get(name) or "") > MAX_LINKS_IN_TEXT:
                self.add_error(
                    name,
                    forms.ValidationError(
                        _("Too many links: at most %(max)d here. Put sources in the sources."),
                        code="too_many_links",
                        params={"max": MAX_LINKS_IN_TEXT},
                    ),
                )
        return cleaned


def year_field(label, *, required=False, help_text=""):
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


def population_field():
    return forms.IntegerField(
        label=_("Population"),
        required=False,
        min_value=0,
        max_value=MAX_POPULATION,
        help_text=_("Roughly; it places you among places of a similar size."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


PRIVATE = _("Kept private: only the curators see it.")


class RequiredContact(forms.Form):
    contact_name = PublicTextField(label=_("Your name"), max_length=160, help_text=PRIVATE)
    contact_role = PublicTextField(
        label=_("Your role or department"), max_length=160, required=False
    )
    contact_email = forms.EmailField(
        label=_("Your email"),
        max_length=254,
        help_text=_("We send a confirmation here and write if we have questions."),
    )
    contact_phone = PublicTextField(label=_("Your phone"), max_length=40, required=False)


class OptionalContact(forms.Form):
    contact_name = PublicTextField(
        label=_("Your name"), max_length=160, required=False, help_text=PRIVATE
    )
    contact_role = PublicTextField(
        label=_("Your role or department"), max_length=160, required=False
    )
    contact_email = forms.EmailField(
        label=_("Your email"),
        max_length=254,
        required=False,
        help_text=_("Optional: leave it if you would like to hear back."),
    )


class SubmissionForm(RequiredContact, PublicForm):
    title = PublicTextField(label=_("Name of the practice"), max_length=200)
    summary = PublicTextField(
        label=_("Summary"),
        max_length=1500,
        multiline=True,
        rows=3,
        help_text=_("One paragraph: what it is and what it achieved."),
    )
    problem = PublicTextField(
        label=_("The problem"),
        max_length=6000,
        multiline=True,
        help_text=_("What problem of crime or safety did it address?"),
    )
    approach = PublicTextField(label=_("What you did"), max_length=10000, multiline=True, rows=8)
    results = PublicTextField(
        label=_("Results and evidence"),
        max_length=6000,
        multiline=True,
        required=False,
        help_text=_("What changed, how you know, and any evaluation."),
    )
    cost_notes = PublicTextField(
        label=_("Cost"),
        max_length=3000,
        multiline=True,
        rows=3,
        required=False,
        help_text=_("What it cost and who paid, roughly."),
    )
    topics = forms.MultipleChoiceField(
        label=_("Topics"), required=False, widget=forms.CheckboxSelectMultiple
    )
    departments = forms.MultipleChoiceField(
        label=_("Departments involved"), required=False, widget=forms.CheckboxSelectMultiple
    )
    other_departments = PublicTextField(
        label=_("Other departments or agencies"),
        max_length=500,
        required=False,
        help_text=_("Separate them with commas."),
    )
    partners = PublicTextField(
        label=_("Partners"),
        max_length=2000,
        multiline=True,
        rows=3,
        required=False,
        help_text=_("Organisations outside your government that worked with you."),
    )
    jurisdiction_name = PublicTextField(
        label=_("Your city, county or other local government"),
        max_length=160,
        help_text=_("Its name as it is usually written, for example “Riverside”."),
    )
    region = PublicTextField(
        label=_("State, province or department"), max_length=120, required=False
    )
    population = population_field()
    year_started = year_field(_("Year started"))
    year_ended = year_field(_("Year ended"), help_text=_("Leave empty if it is still running."))
    source_links = PublicTextField(
        label=_("Sources"),
        max_length=MAX_SOURCES * (MAX_URL_LENGTH + 100),
        multiline=True,
        rows=4,
        required=False,
        help_text=_(
            "Links to reports, evaluations or news, one per line. You may put a title "
            "before the link: “Evaluation report | https://…”."
        ),
    )
    document = OptionalPdfField(
        label=_("A document (PDF)"),
        help_text=_("Optional: a report or evaluation saved as PDF."),
    )

    link_limited = ("title", "summary", "problem", "approach", "results", "cost_notes", "partners")

    class Meta:
        model = Submission
        fields = [
            "title",
            "summary",
            "problem",
            "approach",
            "results",
            "cost_notes",
            "partners",
            "jurisdiction_name",
            "jurisdiction_kind",
            "country",
            "region",
            "population",
            "year_started",
            "year_ended",
            "source_links",
            "document",
            "contact_name",
            "contact_role",
            "contact_email",
            "contact_phone",
        ]
        labels = {"jurisdiction_kind": _("Kind of government"), "country": _("Country")}

    # Fields shown together under one heading on the page.
    SECTIONS = [
        (_("The practice"), ["title", "summary", "problem", "approach", "results", "cost_notes"]),
        (_("Who took part"), ["topics", "departments", "other_departments", "partners"]),
        (
            _("Where and when"),
            [
                "jurisdiction_name",
                "jurisdiction_kind",
                "country",
                "region",
                "population",
                "year_started",
                "year_ended",
            ],
        ),
        (_("Sources"), ["source_links", "document"]),
        (_("Contact"), ["contact_name", "contact_role", "contact_email", "contact_phone"]),
    ]

    # The order of the fields is the order of the sections.
    field_order = [name for _heading, names in SECTIONS for name in names]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Values are the English names (what the curators match on); labels are shown in
        # the visitor's language.
        self.fields["topics"].choices = [
            (topic.name, topic.display_name) for topic in Topic.objects.filter(parent=None)
        ]
        self.fields["departments"].choices = [
            (department.name, department.display_name) for department in Department.objects.all()
        ]
        self.fields["jurisdiction_name"].widget.attrs["list"] = "known-jurisdictions"
        self.fields["jurisdiction_name"].widget.attrs["autocomplete"] = "off"

    def sections(self):
        return grouped_fields(self, self.SECTIONS)

    def clean_source_links(self):
        text = self.cleaned_data.get("source_links", "")
        sources = parse_source_lines(text)
        if len(sources) > MAX_SOURCES:
            raise forms.ValidationError(
                _("Too many links: at most %(max)d sources."),
                code="too_many_links",
                params={"max": MAX_SOURCES},
            )
        return "\n".join(f"{title} | {url}" if title != url else url for title, url in sources)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("year_started"), cleaned.get("year_ended")
        if start and end and end < start:
            self.add_error("year_ended", _("The year ended cannot be before the year started."))
        return cleaned

    def save(self, commit=True):
        submission = super().save(commit=False)
        submission.topic_names = "\n".join(self.cleaned_data.get("topics") or [])
        other = [
            " ".join(name.split())
            for name in (self.cleaned_data.get("other_departments") or "").split(",")
        ]
        submission.department_names = "\n".join(
            [*(self.cleaned_data.get("departments") or []), *filter(None, other)]
        )
        if commit:
            submission.save()
        return submission


class CorrectionForm(OptionalContact, PublicForm):
    field = forms.ChoiceField(label=_("What is wrong or out of date?"), choices=CorrectionField)
    correction = PublicTextField(
        label=_("The correction"),
        max_length=5000,
        multiline=True,
        help_text=_("What the page says, and what it should say."),
    )
    source_url = forms.URLField(
        label=_("Source"),
        max_length=MAX_URL_LENGTH,
        required=False,
        assume_scheme="https",
        help_text=_("A link that shows the correction, if you have one."),
    )

    link_limited = ("correction",)

    class Meta:
        model = Correction
        fields = [
            "field",
            "correction",
            "source_url",
            "contact_name",
            "contact_role",
            "contact_email",
        ]

    def clean_source_url(self):
        url = self.cleaned_data.get("source_url", "")
        if url and not url.lower().startswith(("http://", "https://")):
            raise forms.ValidationError(_("Enter a web address starting with http:// or https://."))
        return url


class AdoptionForm(RequiredContact, PublicForm):
    jurisdiction_name = PublicTextField(
        label=_("Your city, county or other local government"), max_length=160
    )
    region = PublicTextField(
        label=_("State, province or department"), max_length=120, required=False
    )
    population = population_field()
    year_adopted = year_field(_("Year you started it"), required=True)
    changes = PublicTextField(
        label=_("What you changed"),
        max_length=5000,
        multiline=True,
        required=False,
        help_text=_("How you adapted it to your place, if you did."),
    )
    outcome = forms.ChoiceField(
        label=_("How did it go?"), choices=AdoptionOutcome, widget=forms.RadioSelect
    )
    outcome_notes = PublicTextField(
        label=_("In a few words"),
        max_length=2000,
        multiline=True,
        rows=3,
        required=False,
        help_text=_("What happened; it may be shown on the practice page."),
    )

    link_limited = ("changes", "outcome_notes")

    class Meta:
        model = Adoption
        fields = [
            "jurisdiction_name",
            "jurisdiction_kind",
            "country",
            "region",
            "population",
            "year_adopted",
            "changes",
            "outcome",
            "outcome_notes",
            "contact_name",
            "contact_role",
            "contact_email",
            "contact_phone",
        ]
        labels = {"jurisdiction_kind": _("Kind of government"), "country": _("Country")}

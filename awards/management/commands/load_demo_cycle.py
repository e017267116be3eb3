"""Create the demonstration award and its open call for entries, when missing.

Safe to repeat: records are matched by slug and never changed once they exist, so a
curator's edits stay. The call opens the day it is created and stays open a year.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from awards.models import Award, AwardCategory, Criterion, Cycle, Stage

AWARD_SLUG = "demonstration-award"
CYCLE_SLUG = "demonstration-call"

CATEGORIES = [
    ("Communities under 10,000", "under-10k", "under-10k"),
    ("Communities of 10,000 to 49,999", "10k-50k", "10k-50k"),
    ("Communities of 50,000 and over", "50k-and-over", ""),
]

# The problem-solving rubric many policing awards use: the depth of the analysis, clear
# and realistic goals, relevant measures of effectiveness, and the community's part.
CRITERIA = [
    (
        "Depth of problem analysis",
        "How well the problem, its causes and its pattern were studied.",
        3,
        10,
    ),
    (
        "Clear and realistic response goals",
        "Whether the response followed from the analysis and set goals it could reach.",
        2,
        10,
    ),
    (
        "Relevant measures of effectiveness",
        "Whether the results were measured in a way that shows what changed.",
        2,
        10,
    ),
    (
        "Involvement of residents and partners",
        "How residents, other departments and community resources took part.",
        1,
        10,
    ),
]

STAGES = ["Screening", "Scoring", "Finalists", "Decision"]


def ensure_demo_award() -> Award:
    award, created = Award.objects.get_or_create(
        slug=AWARD_SLUG,
        defaults={
            "name": "Demonstration Award for Problem Solving",
            "sponsor": "This site (demonstration only)",
            "description": (
                "A demonstration award that shows how a committee runs a cycle on this site: "
                "the call for entries, applications, judging and results. It is not a real "
                "award."
            ),
        },
    )
    if created:
        for name, slug, band in CATEGORIES:
            AwardCategory.objects.create(award=award, name=name, slug=slug, population_band=band)
    return award


class Command(BaseCommand):
    help = "Create the demonstration award's open call for entries, when missing."

    @transaction.atomic
    def handle(self, *args, **options):
        award = ensure_demo_award()
        if Cycle.objects.filter(award=award, slug=CYCLE_SLUG).exists():
            self.stdout.write("The demonstration call already exists; left as it is.")
            return
        now = timezone.now()
        cycle = Cycle.objects.create(
            award=award,
            name="Demonstration call",
            slug=CYCLE_SLUG,
            year=now.year,
            description=(
                "This call only demonstrates the application form: entries sent here are "
                "kept, but nobody judges them."
            ),
            eligibility=(
                "Cities, counties and towns of any size, for a program run in the last five years."
            ),
            opens_at=now - timedelta(hours=1),
            closes_at=now + timedelta(days=365),
            announce_at=now + timedelta(days=395),
            blind=True,
            demonstration=True,
        )
        cycle.categories.set(award.categories.all())
        for position, (name, description, weight, scale) in enumerate(CRITERIA):
            Criterion.objects.create(
                cycle=cycle,
                name=name,
                description=description,
                weight=weight,
                scale=scale,
                position=position,
            )
        for position, name in enumerate(STAGES):
            Stage.objects.create(cycle=cycle, name=name, position=position)
        self.stdout.write(self.style.SUCCESS(f"Created the demonstration call: {cycle}."))

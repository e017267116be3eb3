"""Sample applications, judges and scores for trying the committee side.

Everything goes into its own cycle of the demonstration award, which is never public
(``public`` off), with applications marked as sample data and three sample committee
members (``sample-chair``, ``sample-judge-1``, ``sample-judge-2``). ``--remove``
deletes all of it again, including recognitions and draft practices that decisions on
sample applications created. Running it twice changes nothing.
"""

import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from awards.judging import sync_automatic_recusals
from awards.management.commands.load_demo_cycle import (
    AWARD_SLUG,
    CRITERIA,
    STAGES,
    ensure_demo_award,
)
from awards.models import (
    Application,
    Criterion,
    Cycle,
    Decision,
    HistoryAction,
    HistoryEntry,
    Judge,
    JudgeRole,
    Score,
    Stage,
)
from awards.services import enrol_committee
from clearinghouse.publicforms import fingerprint
from practices.models import Jurisdiction, Practice, PublishingState

SAMPLE_SLUG = "sample-judging"
USERNAMES = {"sample-chair": JudgeRole.CHAIR, "sample-judge-1": JudgeRole.JUDGE}
NEIGHBOUR = "sample-judge-2"  # works for the first sample applicant: recused automatically

APPLICATIONS = [
    ("Lights and lots on the east side", "Sample Town East", 8_500, "under-10k"),
    ("Safe walk to school", "Sample Village", 6_200, "under-10k"),
    ("Bar district problem-solving team", "Sample City North", 32_000, "10k-50k"),
    ("Repeat burglary prevention", "Sample City South", 41_000, "10k-50k"),
    ("Transit stop robbery reduction", "Sample Metro", 180_000, "50k-and-over"),
    ("Youth outreach after curfew", "Sample County", 96_000, "50k-and-over"),
]
# (judge, application index): criterion scores out of 10.
SCORES = {
    ("sample-chair", 0): [8, 7, 6, 9],
    ("sample-judge-1", 0): [4, 5, 3, 5],
    ("sample-chair", 2): [7, 7, 8, 6],
    ("sample-judge-1", 2): [7, 6, 8, 7],
    ("sample-judge-2", 2): [6, 7, 7, 6],
    ("sample-judge-1", 4): [9, 8, 9, 8],
}


class Command(BaseCommand):
    help = "Load (or --remove) sample applications, judges and scores; never public."

    def add_arguments(self, parser):
        parser.add_argument("--remove", action="store_true", help="Delete the sample data.")
        parser.add_argument(
            "--password",
            help="Password for the sample judges (default: a new random one, printed).",
        )

    def handle(self, *args, remove=False, password=None, **options):
        if remove:
            removed = remove_sample_judging()
            self.stdout.write(self.style.SUCCESS(f"Removed the sample judging data ({removed})."))
            return
        cycle, password = load_sample_judging(password=password)
        if cycle is None:
            self.stdout.write("The sample judging cycle already exists; left as it is.")
            return
        self.stdout.write(self.style.SUCCESS(f"Loaded “{cycle.name}”; it is never public."))
        if password:
            self.stdout.write(
                "Sign in at the admin as sample-chair, sample-judge-1 or sample-judge-2 with "
                f"the password {password}, then open /judging/."
            )


@transaction.atomic
def load_sample_judging(*, password: str | None = None):
    award = ensure_demo_award()
    if Cycle.objects.filter(award=award, slug=SAMPLE_SLUG).exists():
        return None, None
    now = timezone.now()
    cycle = Cycle.objects.create(
        award=award,
        name="Sample judging (not public)",
        slug=SAMPLE_SLUG,
        year=now.year,
        description="Sample data for trying the judging pages. Never shown to the public.",
        opens_at=now - timedelta(days=60),
        closes_at=now - timedelta(days=1),
        announce_at=now + timedelta(days=30),
        blind=True,
        public=False,
        demonstration=True,
    )
    cycle.categories.set(award.categories.all())
    criteria = [
        Criterion.objects.create(
            cycle=cycle, name=name, description=text, weight=weight, scale=scale, position=i
        )
        for i, (name, text, weight, scale) in enumerate(CRITERIA)
    ]
    stages = [
        Stage.objects.create(cycle=cycle, name=name, position=i) for i, name in enumerate(STAGES)
    ]
    categories = {category.slug: category for category in award.categories.all()}
    applications = []
    for i, (title, place, population, category) in enumerate(APPLICATIONS):
        jurisdiction, _created = Jurisdiction.objects.get_or_create(
            slug=f"sample-judging-{i + 1}",
            defaults={"name": place, "country": "US", "population": population},
        )
        applications.append(
            Application.objects.create(
                cycle=cycle,
                reference=f"SAMPLE-{i + 1:03d}",
                fingerprint=fingerprint("sample", i),
                category=categories.get(category),
                title=title,
                summary=f"Sample entry: {title.lower()}.",
                scanning="Sample text: what problem was found, and how.",
                analysis="Sample text: what the analysis showed about causes, places and times.",
                response="Sample text: what was done, with which partners.",
                assessment="Sample text: how results were measured, and what changed.",
                jurisdiction=jurisdiction,
                jurisdiction_name=place,
                country="US",
                population=population,
                contact_name="Sample Contact",
                contact_email=f"contact{i + 1}@example.org",
                stage=stages[1],
                sample=True,
                submitted_at=now - timedelta(days=30 - i),
            )
        )
    users = {}
    password = password or secrets.token_urlsafe(12)
    for username in [*USERNAMES, NEIGHBOUR]:
        user, _created = get_user_model().objects.get_or_create(
            username=username, defaults={"is_staff": True, "email": f"{username}@example.org"}
        )
        user.set_password(password)
        user.save()
        award.committee.add(user)
        users[username] = user
    enrol_committee(award)
    for username, user in users.items():
        Judge.objects.create(
            cycle=cycle,
            user=user,
            role=USERNAMES.get(username, JudgeRole.JUDGE),
            jurisdiction=applications[0].jurisdiction if username == NEIGHBOUR else None,
        )
    sync_automatic_recusals(cycle=cycle)
    for (username, index), values in SCORES.items():
        for criterion, value in zip(criteria, values, strict=True):
            Score.objects.create(
                application=applications[index],
                criterion=criterion,
                judge=users[username],
                value=value,
                comment="Sample comment.",
            )
        HistoryEntry.objects.create(
            cycle=cycle,
            application=applications[index],
            user=users[username],
            action=HistoryAction.SCORED,
            detail="; ".join(f"{c.name}: {v}" for c, v in zip(criteria, values, strict=True)),
        )
    return cycle, password


@transaction.atomic
def remove_sample_judging() -> str:
    cycles = Cycle.objects.filter(slug=SAMPLE_SLUG, public=False, award__slug=AWARD_SLUG)
    decisions = Decision.objects.filter(application__cycle__in=cycles).select_related(
        "recognition__practice"
    )
    practices = 0
    for decision in decisions:
        recognition = decision.recognition
        if recognition is None:
            continue
        practice = recognition.practice
        recognition.delete()
        made_here = practice.slug.endswith(decision.application.reference.lower())
        if made_here and practice.state == PublishingState.DRAFT:
            practice.delete()
            practices += 1
    jurisdictions = list(Jurisdiction.objects.filter(slug__startswith="sample-judging-"))
    count = cycles.count()
    cycles.delete()
    gone = 0
    for jurisdiction in jurisdictions:
        unused = not (
            Practice.objects.filter(lead_jurisdiction=jurisdiction).exists()
            or jurisdiction.partner_practices.exists()
            or jurisdiction.award_applications.exists()
        )
        if unused:
            jurisdiction.delete()
            gone += 1
    users = get_user_model().objects.filter(username__in=[*USERNAMES, NEIGHBOUR])
    user_count = users.count()
    users.delete()
    return f"{count} cycle, {practices} draft practices, {gone} jurisdictions, {user_count} users"

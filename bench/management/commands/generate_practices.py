"""manage.py generate_practices --count N [--seed S] [--replace] [--force] [--drafts]"""

from django.core.management.base import BaseCommand, CommandError

from bench.generator import DEFAULT_SEED, GeneratorRefused, generate


class Command(BaseCommand):
    help = (
        "Add N synthetic practices (slugs start with “gen-”) for load and scale tests, with "
        "their topics, departments, jurisdictions and recognitions. Use a database other than "
        "the demo one. Refuses to touch a database holding other practices unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True, help="How many practices.")
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="Same seed, same catalogue."
        )
        parser.add_argument(
            "--replace", action="store_true", help="Delete previously generated practices first."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though the database holds practices that were not generated.",
        )
        parser.add_argument(
            "--drafts", action="store_true", help="Leave them as drafts (default: published)."
        )

    def handle(self, *args, **options):
        if options["count"] < 1:
            raise CommandError("--count must be at least 1.")
        progress = self.stdout.write if options["verbosity"] >= 2 else (lambda message: None)
        try:
            report = generate(
                count=options["count"],
                seed=options["seed"],
                publish=not options["drafts"],
                replace=options["replace"],
                force=options["force"],
                progress=progress,
            )
        except GeneratorRefused as exc:
            raise CommandError(str(exc)) from None
        deleted = f" (after deleting {report.deleted})" if options["replace"] else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {report.practices} practices with {report.recognitions} "
                f"recognitions{deleted} in {report.seconds:.1f} s."
            )
        )

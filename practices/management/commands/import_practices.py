"""manage.py import_practices FILE.csv [--dry-run] [--publish] [--user NAME]"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from practices.csvio import EXPORT_COLUMNS
from practices.importing import import_practices


class Command(BaseCommand):
    help = (
        "Import practices from a CSV file in the format of the public export "
        f"(columns: {', '.join(EXPORT_COLUMNS)}). All rows are imported, or none. "
        "New practices are drafts unless --publish is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file, UTF-8 (a byte-order mark is fine).")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and report what would be created and changed; write nothing.",
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish the imported practices (new ones are drafts otherwise).",
        )
        parser.add_argument(
            "--user", help="Username to record as the last editor and in the admin history."
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror or exc}") from None
        user = None
        if options["user"]:
            try:
                user = get_user_model().objects.get(username=options["user"])
            except get_user_model().DoesNotExist:
                raise CommandError(f"No user named “{options['user']}”.") from None

        result = import_practices(
            data=data, publish=options["publish"], dry_run=options["dry_run"], user=user
        )
        for error in result.errors:
            self.stderr.write(f"{path}: {error}")
        if result.errors:
            raise CommandError(result.summary())
        if options["verbosity"] >= 1:
            for line, slug, action in result.actions:
                self.stdout.write(f"line {line}: {action} {slug}")
        self.stdout.write(self.style.SUCCESS(result.summary()))

from django.core.management.base import BaseCommand

from practices.search import refresh_search_words


class Command(BaseCommand):
    help = "Rebuild the vocabulary of published practices used for search suggestions."

    def handle(self, *args, **options):
        refresh_search_words()
        self.stdout.write("Search vocabulary refreshed.")

"""Approved adoption reports show on practice pages: a change to one replaces the catalogue
version, so cached pages show it on the next request (clearinghouse/cache.py)."""

from django.db import migrations

from clearinghouse.cache import TrackCatalogueChanges


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0002_curator_permissions"),
        ("clearinghouse", "0002_catalogue_version"),
    ]

    operations = [TrackCatalogueChanges("intake_adoption")]

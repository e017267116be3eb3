"""The catalogue version, kept by PostgreSQL (clearinghouse/cache.py)."""

from django.db import migrations

from clearinghouse.cache import CREATE_VERSION_SQL, DROP_VERSION_SQL, TrackCatalogueChanges

# Every table a public page, feed, sitemap or export reads.
PUBLIC_TABLES = [
    "practices_topic",
    "practices_department",
    "practices_jurisdiction",
    "practices_initiative",
    "practices_partnerpair",
    "practices_practice",
    "practices_practice_topics",
    "practices_practice_departments",
    "practices_practice_partner_jurisdictions",
    "practices_source",
    "practices_outcome",
    "practices_publication",
    "practices_publication_topics",
    "practices_publication_practices",
    "awards_award",
    "awards_awardcategory",
    "awards_recognition",
]


class Migration(migrations.Migration):
    dependencies = [
        ("clearinghouse", "0001_practice_search_words"),
        ("practices", "0004_facet_indexes"),
        ("awards", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(CREATE_VERSION_SQL, DROP_VERSION_SQL),
        TrackCatalogueChanges(*PUBLIC_TABLES),
    ]

"""Indexes for the facet counts and filters of /practices/ (practices/filters.py).

The three practice indexes are declared in Practice.Meta.indexes. The two on the
many-to-many tables cannot be: Django creates those tables itself, so they are plain SQL
here. Each reads "the practices of these topics (departments)" from the index alone:
the ?topic= and ?department= filters, and the counts of a topic and its subtopics.
"""

from django.db import migrations, models

THROUGH_INDEXES = [
    ("practice_topics_topic_practice", "practices_practice_topics", "topic_id, practice_id"),
    (
        "practice_departments_department_practice",
        "practices_practice_departments",
        "department_id, practice_id",
    ),
]


class Migration(migrations.Migration):
    dependencies = [
        ("practices", "0003_bench_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="practice",
            index=models.Index(
                condition=models.Q(("state", "published")),
                fields=["id"],
                include=("lead_jurisdiction", "evidence_rating", "year_started"),
                name="practice_published_facets",
            ),
        ),
        migrations.AddIndex(
            model_name="practice",
            index=models.Index(
                condition=models.Q(("state", "published")),
                fields=["lead_jurisdiction"],
                include=("id", "evidence_rating", "year_started"),
                name="practice_published_by_lead",
            ),
        ),
        migrations.AddIndex(
            model_name="practice",
            index=models.Index(
                condition=models.Q(("state", "published"), _negated=True),
                fields=["id"],
                name="practice_unpublished_ids",
            ),
        ),
        *(
            migrations.RunSQL(
                sql=f"CREATE INDEX {name} ON {table} ({columns})",
                reverse_sql=f"DROP INDEX {name}",
            )
            for name, table, columns in THROUGH_INDEXES
        ),
    ]

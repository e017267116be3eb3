"""Whole-record search and the bilingual vocabulary.

``practices_practicesearch`` holds one search document per practice, kept current by the
triggers below (a generated column cannot read other tables): the practice's own stored
vector (title A, summary B, body C, partners D, in the entry's language), its summary in
the other language (B, stemmed in that language), and, at weight D (as the partners), the
names of its topics and departments (English names stemmed as English, Spanish names as Spanish), of
its lead and partner jurisdictions (with their regions) and of its initiative.

Every change that alters a document refreshes it: inserting practices (statement-level,
so a COPY of 100,000 rows is one set-based refresh), updating a practice's text, language,
translation, lead jurisdiction or initiative, adding or removing topics, departments or
partner jurisdictions, and renaming a topic, department, jurisdiction or initiative.

The vocabulary is seeded from ``practices/vocabulary.csv``.
"""

import csv
from pathlib import Path

import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.deletion
import django.db.models.functions.text
from django.db import migrations, models

from clearinghouse.cache import TrackCatalogueChanges


SEED_FILE = Path(__file__).resolve().parent.parent / "vocabulary.csv"

FUNCTIONS_SQL = r"""
ALTER TABLE practices_practicesearch
    ADD CONSTRAINT practices_practicesearch_practice_fk
    FOREIGN KEY (practice_id) REFERENCES practices_practice (id) ON DELETE CASCADE;

CREATE FUNCTION practice_search_refresh(ids bigint[]) RETURNS void
LANGUAGE sql AS $fn$
    INSERT INTO practices_practicesearch (practice_id, document)
    SELECT p.id,
           p.search_vector
           || setweight(
                  to_tsvector(
                      CASE WHEN p.language = 'es' THEN 'ch_english' ELSE 'ch_spanish' END::regconfig,
                      p.summary_translation),
                  'B')
           || setweight(
                  to_tsvector('ch_english', concat_ws(' ', topics.en, departments.en, places.names))
                  || to_tsvector('ch_spanish', concat_ws(' ', topics.es, departments.es, places.names)),
                  'D')
    FROM practices_practice p
    LEFT JOIN LATERAL (
        SELECT string_agg(t.name, ' ') AS en, string_agg(t.name_es, ' ') AS es
        FROM practices_practice_topics pt JOIN practices_topic t ON t.id = pt.topic_id
        WHERE pt.practice_id = p.id
    ) topics ON TRUE
    LEFT JOIN LATERAL (
        SELECT string_agg(d.name, ' ') AS en, string_agg(d.name_es, ' ') AS es
        FROM practices_practice_departments pd JOIN practices_department d ON d.id = pd.department_id
        WHERE pd.practice_id = p.id
    ) departments ON TRUE
    LEFT JOIN LATERAL (
        SELECT concat_ws(' ',
            (SELECT j.name || ' ' || j.region FROM practices_jurisdiction j
             WHERE j.id = p.lead_jurisdiction_id),
            (SELECT string_agg(j.name || ' ' || j.region, ' ')
             FROM practices_practice_partner_jurisdictions pj
             JOIN practices_jurisdiction j ON j.id = pj.jurisdiction_id
             WHERE pj.practice_id = p.id),
            (SELECT i.name FROM practices_initiative i WHERE i.id = p.initiative_id)
        ) AS names
    ) places ON TRUE
    WHERE p.id = ANY(ids)
    ON CONFLICT (practice_id) DO UPDATE SET document = EXCLUDED.document;
$fn$;

-- A visitor's words, stemmed the English way OR the Spanish way; nothing when they are
-- only stop words in either language ("for", "de", "para"), which would otherwise be
-- required as a literal word by the language that does not know them.
CREATE FUNCTION ch_either_query(words text, phrase boolean) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
    SELECT CASE WHEN numnode(q.en) = 0 OR numnode(q.es) = 0 THEN ''::tsquery
                ELSE q.en || q.es END
    FROM (SELECT CASE WHEN phrase THEN phraseto_tsquery('ch_english'::regconfig, words)
                      ELSE plainto_tsquery('ch_english'::regconfig, words) END AS en,
                 CASE WHEN phrase THEN phraseto_tsquery('ch_spanish'::regconfig, words)
                      ELSE plainto_tsquery('ch_spanish'::regconfig, words) END AS es) q
$fn$;

-- Bulk loaders that write practices and then their links (the generator's COPY) may set
-- "SET LOCAL clearinghouse.defer_search_documents = 'on'" and call
-- practice_search_refresh() once at the end, instead of a refresh per statement.
CREATE FUNCTION practice_search_deferred() RETURNS boolean
LANGUAGE sql STABLE AS $fn$
    SELECT coalesce(current_setting('clearinghouse.defer_search_documents', true), '') = 'on'
$fn$;

-- New practices (one refresh per statement: a bulk COPY is one set-based refresh).
CREATE FUNCTION practice_search_on_new_practices() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    IF practice_search_deferred() THEN
        RETURN NULL;
    END IF;
    PERFORM practice_search_refresh(ARRAY(SELECT id FROM new_rows));
    RETURN NULL;
END
$fn$;
CREATE TRIGGER practice_search_insert AFTER INSERT ON practices_practice
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION practice_search_on_new_practices();

-- A practice whose searchable text or links changed.
CREATE FUNCTION practice_search_on_practice_change() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM practice_search_refresh(ARRAY[NEW.id]);
    RETURN NULL;
END
$fn$;
CREATE TRIGGER practice_search_update AFTER UPDATE ON practices_practice
    FOR EACH ROW
    WHEN (OLD.search_vector IS DISTINCT FROM NEW.search_vector
          OR OLD.summary_translation IS DISTINCT FROM NEW.summary_translation
          OR OLD.lead_jurisdiction_id IS DISTINCT FROM NEW.lead_jurisdiction_id
          OR OLD.initiative_id IS DISTINCT FROM NEW.initiative_id)
    EXECUTE FUNCTION practice_search_on_practice_change();

-- Links added to or removed from practices (topics, departments, partner jurisdictions).
CREATE FUNCTION practice_search_on_new_links() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    IF practice_search_deferred() THEN
        RETURN NULL;
    END IF;
    PERFORM practice_search_refresh(ARRAY(SELECT DISTINCT practice_id FROM changed_rows));
    RETURN NULL;
END
$fn$;

-- Names that practices' documents carry.
CREATE FUNCTION practice_search_on_name_change() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    IF TG_TABLE_NAME = 'practices_topic' THEN
        PERFORM practice_search_refresh(ARRAY(
            SELECT practice_id FROM practices_practice_topics WHERE topic_id = NEW.id));
    ELSIF TG_TABLE_NAME = 'practices_department' THEN
        PERFORM practice_search_refresh(ARRAY(
            SELECT practice_id FROM practices_practice_departments WHERE department_id = NEW.id));
    ELSIF TG_TABLE_NAME = 'practices_jurisdiction' THEN
        PERFORM practice_search_refresh(ARRAY(
            SELECT id FROM practices_practice WHERE lead_jurisdiction_id = NEW.id
            UNION
            SELECT practice_id FROM practices_practice_partner_jurisdictions
            WHERE jurisdiction_id = NEW.id));
    ELSIF TG_TABLE_NAME = 'practices_initiative' THEN
        PERFORM practice_search_refresh(ARRAY(
            SELECT id FROM practices_practice WHERE initiative_id = NEW.id));
    END IF;
    RETURN NULL;
END
$fn$;
CREATE TRIGGER practice_search_topic_name AFTER UPDATE ON practices_topic
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.name_es IS DISTINCT FROM NEW.name_es)
    EXECUTE FUNCTION practice_search_on_name_change();
CREATE TRIGGER practice_search_department_name AFTER UPDATE ON practices_department
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.name_es IS DISTINCT FROM NEW.name_es)
    EXECUTE FUNCTION practice_search_on_name_change();
CREATE TRIGGER practice_search_jurisdiction_name AFTER UPDATE ON practices_jurisdiction
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.region IS DISTINCT FROM NEW.region)
    EXECUTE FUNCTION practice_search_on_name_change();
CREATE TRIGGER practice_search_initiative_name AFTER UPDATE ON practices_initiative
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION practice_search_on_name_change();
"""

LINK_TABLES = [
    "practices_practice_topics",
    "practices_practice_departments",
    "practices_practice_partner_jurisdictions",
]

LINK_TRIGGERS_SQL = "".join(
    f"""
CREATE TRIGGER practice_search_links_added AFTER INSERT ON {table}
    REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION practice_search_on_new_links();
CREATE TRIGGER practice_search_links_removed AFTER DELETE ON {table}
    REFERENCING OLD TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION practice_search_on_new_links();
"""
    for table in LINK_TABLES
)

BACKFILL_SQL = (
    "SELECT practice_search_refresh(ARRAY(SELECT id FROM practices_practice));"
    " ANALYZE practices_practicesearch;"
)

DROP_SQL = (
    "".join(
        f"DROP TRIGGER IF EXISTS practice_search_links_added ON {table}; "
        f"DROP TRIGGER IF EXISTS practice_search_links_removed ON {table}; "
        for table in LINK_TABLES
    )
    + """
DROP TRIGGER IF EXISTS practice_search_insert ON practices_practice;
DROP TRIGGER IF EXISTS practice_search_update ON practices_practice;
DROP TRIGGER IF EXISTS practice_search_topic_name ON practices_topic;
DROP TRIGGER IF EXISTS practice_search_department_name ON practices_department;
DROP TRIGGER IF EXISTS practice_search_jurisdiction_name ON practices_jurisdiction;
DROP TRIGGER IF EXISTS practice_search_initiative_name ON practices_initiative;
DROP FUNCTION IF EXISTS practice_search_on_name_change();
DROP FUNCTION IF EXISTS practice_search_on_new_links();
DROP FUNCTION IF EXISTS practice_search_on_practice_change();
DROP FUNCTION IF EXISTS practice_search_on_new_practices();
DROP FUNCTION IF EXISTS practice_search_refresh(bigint[]);
DROP FUNCTION IF EXISTS ch_either_query(text, boolean);
DROP FUNCTION IF EXISTS practice_search_deferred();
"""
)


def seed_vocabulary(apps, schema_editor):
    VocabularyTerm = apps.get_model("practices", "VocabularyTerm")
    with SEED_FILE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    seen = set()
    terms = []
    for row in rows:
        english, spanish = " ".join(row["english"].split()), " ".join(row["spanish"].split())
        key = (english.lower(), spanish.lower())
        if english and spanish and key not in seen:
            seen.add(key)
            terms.append(VocabularyTerm(english=english, spanish=spanish))
    VocabularyTerm.objects.bulk_create(terms, ignore_conflicts=True)


def curators_edit_vocabulary(apps, schema_editor):
    """Curators (migration 0002) add, change, delete and view vocabulary terms."""
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("practices")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    curators = Group.objects.filter(name="Curators").first()
    if curators is not None:
        curators.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="practices",
                codename__in=[
                    f"{action}_vocabularyterm" for action in ("add", "change", "delete", "view")
                ],
            )
        )


class Migration(migrations.Migration):

    dependencies = [
        ('practices', '0005_partner_pair_years'),
        ('clearinghouse', '0002_catalogue_version'),
        ('practices', '0002_roles'),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.AddField(
            model_name='practice',
            name='summary_translation',
            field=models.TextField(blank=True, db_default='', help_text='The summary in Spanish for an English entry, in English for a Spanish one. Shown under the summary and searched.', verbose_name='summary in the other language'),
        ),
        migrations.CreateModel(
            name='PracticeSearch',
            fields=[
                ('practice', models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='search_document', serialize=False, to='practices.practice', verbose_name='practice')),
                ('document', django.contrib.postgres.search.SearchVectorField(verbose_name='search document')),
            ],
            options={
                'verbose_name': 'practice search document',
                'verbose_name_plural': 'practice search documents',
                'indexes': [django.contrib.postgres.indexes.GinIndex(fields=['document'], name='practice_search_document_gin')],
            },
        ),
        migrations.CreateModel(
            name='VocabularyTerm',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('english', models.CharField(max_length=120, verbose_name='English')),
                ('spanish', models.CharField(max_length=120, verbose_name='Spanish')),
            ],
            options={
                'verbose_name': 'vocabulary term',
                'verbose_name_plural': 'bilingual vocabulary',
                'ordering': ['english', 'spanish'],
                'constraints': [models.UniqueConstraint(django.db.models.functions.text.Lower('english'), django.db.models.functions.text.Lower('spanish'), name='vocabulary_term_unique_pair'), models.CheckConstraint(condition=models.Q(models.Q(('english', ''), _negated=True), models.Q(('spanish', ''), _negated=True)), name='vocabulary_term_both_sides')],
            },
        ),
        migrations.RunSQL(FUNCTIONS_SQL + LINK_TRIGGERS_SQL + BACKFILL_SQL, DROP_SQL),
        migrations.RunPython(seed_vocabulary, migrations.RunPython.noop),
        migrations.RunPython(curators_edit_vocabulary, migrations.RunPython.noop),
        # Search reads the vocabulary and the documents: any change replaces the catalogue
        # version, so the next request uses it and no cached page survives it (documents
        # change with tracked tables anyway; tracking them too keeps raw SQL honest).
        TrackCatalogueChanges("practices_vocabularyterm", "practices_practicesearch"),
    ]

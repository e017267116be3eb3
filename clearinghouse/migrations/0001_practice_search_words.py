"""The vocabulary of published practices, for "did you mean" suggestions on search.

A materialized view, so a request never scans the practices: it looks words up through a
trigram index. ``manage.py refresh_search_words`` rebuilds it (run it after publishing,
for example from cron); it is refreshed concurrently, so searches keep working meanwhile.

Words come from the 'simple' configuration (lower-cased, not stemmed), so suggestions are
real words; ``plain`` is the word without accents, which is what similarity compares.
"""

from django.db import migrations

CREATE_SQL = """
CREATE MATERIALIZED VIEW practice_search_word AS
SELECT stat.word, unaccent(stat.word) AS plain, stat.ndoc
FROM ts_stat($$
    SELECT to_tsvector('simple', title || ' ' || summary || ' ' || problem || ' '
                       || approach || ' ' || results)
    FROM practices_practice
    WHERE state = 'published'
$$) AS stat
WHERE char_length(stat.word) BETWEEN 3 AND 40
  AND stat.word !~ '[0-9_]';
-- REFRESH ... CONCURRENTLY needs a unique index.
CREATE UNIQUE INDEX practice_search_word_word ON practice_search_word (word);
-- Serves the similarity lookup (plain % term) of practices.search.suggest().
CREATE INDEX practice_search_word_trgm ON practice_search_word USING gin (plain gin_trgm_ops);
"""

DROP_SQL = "DROP MATERIALIZED VIEW IF EXISTS practice_search_word;"


class Migration(migrations.Migration):
    dependencies = [
        ("practices", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(CREATE_SQL, DROP_SQL),
    ]

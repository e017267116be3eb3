"""The facet index: what the practice list's filters and counts read, kept by PostgreSQL.

``catalogue_facet_row`` holds one narrow row per *published* practice: its topics (with
their parent topics, so a parent matches its subtopics' practices), departments, the
awards that recognised it, the lead jurisdiction's country, region and population band,
the evidence rating and the start year. About 14 MB at 100,000 practices, against 156 MB
for the practice table, so a count over any selection stays in memory.

``catalogue_facet_change`` lists, in order, the practices whose rows changed, so a copy
of the index held in a worker's memory (practices/facet_bits.py) can catch up.

``catalogue_facet_count`` holds the counts of the whole published catalogue per facet
value (and the total), so the unfiltered list and the home page never count at all.

Both are kept current by the database itself, in the same transaction as the change,
whoever makes it (the admin, an import, the generator, raw SQL): statement-level triggers
on the tables they are built from refresh the rows of the practices a statement touched,
and a trigger on the rows adds or takes away their counts. A TRUNCATE of a source table
rebuilds them. ``practices/facets.py`` reads them.
"""

from django.db import migrations

# The population bands of practices.models.PopulationBand (lower bound inclusive).
BAND_SQL = """
CASE
    WHEN j.population IS NULL THEN NULL
    WHEN j.population < 10000 THEN 'under-10k'
    WHEN j.population < 50000 THEN '10k-50k'
    WHEN j.population < 250000 THEN '50k-250k'
    ELSE '250k-plus'
END
"""

CREATE_SQL = f"""
CREATE TABLE catalogue_facet_row (
    practice_id bigint PRIMARY KEY,
    topic_ids bigint[] NOT NULL,
    department_ids bigint[] NOT NULL,
    award_ids bigint[] NOT NULL,
    country varchar(2) NOT NULL,
    region varchar(120) NOT NULL,
    band varchar(16),
    rating varchar(32) NOT NULL,
    year_started integer
);
CREATE INDEX catalogue_facet_row_topics ON catalogue_facet_row USING gin (topic_ids);

-- Which practices' rows changed, in order: each worker's in-memory copy of the index
-- (practices/facet_bits.py) catches up from here. Kept for a day.
CREATE TABLE catalogue_facet_change (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    practice_id bigint NOT NULL,
    at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX catalogue_facet_change_at ON catalogue_facet_change (at);

CREATE TABLE catalogue_facet_count (
    grp varchar(16) NOT NULL,
    value varchar(120) NOT NULL,
    n bigint NOT NULL,
    PRIMARY KEY (grp, value)
);

-- Replace the rows of these practices by what the source tables say now (none for a
-- practice that is not published or no longer exists).
CREATE FUNCTION catalogue_facet_refresh(ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF ids IS NULL OR cardinality(ids) = 0 THEN
        RETURN;
    END IF;
    -- Changes are logged in the order they commit: the catalogue version's row is held
    -- from here to the commit, so a later writer logs after this one is visible.
    PERFORM catalogue_version_next();
    DELETE FROM catalogue_facet_row WHERE practice_id = ANY(ids);
    INSERT INTO catalogue_facet_change (practice_id) SELECT DISTINCT unnest(ids);
    DELETE FROM catalogue_facet_change WHERE at < now() - interval '1 day';
    INSERT INTO catalogue_facet_row
    SELECT p.id,
           COALESCE((SELECT array_agg(DISTINCT x.id ORDER BY x.id) FROM (
                SELECT pt.topic_id AS id FROM practices_practice_topics pt
                WHERE pt.practice_id = p.id
                UNION
                SELECT t.parent_id FROM practices_practice_topics pt
                JOIN practices_topic t ON t.id = pt.topic_id
                WHERE pt.practice_id = p.id AND t.parent_id IS NOT NULL) x), '{{}}'),
           COALESCE((SELECT array_agg(DISTINCT pd.department_id ORDER BY pd.department_id)
                FROM practices_practice_departments pd WHERE pd.practice_id = p.id), '{{}}'),
           COALESCE((SELECT array_agg(DISTINCT r.award_id ORDER BY r.award_id)
                FROM awards_recognition r WHERE r.practice_id = p.id), '{{}}'),
           j.country, j.region, {BAND_SQL}, p.evidence_rating, p.year_started
    FROM practices_practice p
    JOIN practices_jurisdiction j ON j.id = p.lead_jurisdiction_id
    WHERE p.id = ANY(ids) AND p.state = 'published';
END
$$;

CREATE FUNCTION catalogue_facet_rebuild() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM catalogue_facet_row;
    DELETE FROM catalogue_facet_count;
    -- Workers' copies cannot catch up across a rebuild: with the log emptied, they rebuild.
    DELETE FROM catalogue_facet_change;
    PERFORM catalogue_facet_refresh(array_agg(id)) FROM practices_practice
    WHERE state = 'published';
END
$$;

-- The statement's new rows add to the counts, its old rows take away from them.
CREATE FUNCTION catalogue_facet_rows_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    rows text := CASE WHEN TG_OP = 'INSERT' THEN 'new_rows' ELSE 'old_rows' END;
    sign integer := CASE WHEN TG_OP = 'INSERT' THEN 1 ELSE -1 END;
BEGIN
    EXECUTE format($sql$
        INSERT INTO catalogue_facet_count AS c (grp, value, n)
        SELECT grp, value, %2$s * count(*) FROM (
            SELECT 'total' AS grp, '' AS value FROM %1$I
            UNION ALL SELECT 'topic', t::text FROM %1$I, unnest(topic_ids) t
            UNION ALL SELECT 'department', d::text FROM %1$I, unnest(department_ids) d
            UNION ALL SELECT 'award', a::text FROM %1$I, unnest(award_ids) a
            UNION ALL SELECT 'awarded', CASE WHEN cardinality(award_ids) > 0
                                             THEN 'yes' ELSE 'no' END FROM %1$I
            UNION ALL SELECT 'country', country FROM %1$I
            UNION ALL SELECT 'region', region FROM %1$I WHERE region <> ''
            UNION ALL SELECT 'population', band FROM %1$I WHERE band IS NOT NULL
            UNION ALL SELECT 'evidence', rating FROM %1$I
        ) AS delta
        GROUP BY grp, value
        -- One order for every writer, so concurrent changes never lock rows crosswise.
        ORDER BY grp, value
        ON CONFLICT (grp, value) DO UPDATE SET n = c.n + EXCLUDED.n
    $sql$, rows, sign);
    DELETE FROM catalogue_facet_count WHERE n = 0;
    RETURN NULL;
END
$$;

CREATE TRIGGER catalogue_facet_rows_added AFTER INSERT ON catalogue_facet_row
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_facet_rows_changed();
CREATE TRIGGER catalogue_facet_rows_removed AFTER DELETE ON catalogue_facet_row
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_facet_rows_changed();

-- Practices: a change of anything the rows hold (an insert, a delete, or an update of the
-- state, jurisdiction, rating or start year) refreshes those practices.
CREATE FUNCTION catalogue_facet_practices_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM catalogue_facet_refresh(array_agg(id)) FROM new_rows WHERE state = 'published';
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM catalogue_facet_refresh(array_agg(id)) FROM old_rows WHERE state = 'published';
    ELSE
        PERFORM catalogue_facet_refresh(array_agg(n.id))
        FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE (n.state = 'published' OR o.state = 'published')
          AND (n.state, n.lead_jurisdiction_id, n.evidence_rating, n.year_started)
              IS DISTINCT FROM (o.state, o.lead_jurisdiction_id, o.evidence_rating,
                                o.year_started);
    END IF;
    RETURN NULL;
END
$$;

-- Tables that point at practices through practice_id: the link tables and recognitions.
CREATE FUNCTION catalogue_facet_links_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM catalogue_facet_refresh(array_agg(DISTINCT practice_id)) FROM new_rows;
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM catalogue_facet_refresh(array_agg(DISTINCT practice_id)) FROM old_rows;
    ELSE
        PERFORM catalogue_facet_refresh(array_agg(DISTINCT practice_id)) FROM (
            SELECT practice_id FROM new_rows UNION SELECT practice_id FROM old_rows) AS c;
    END IF;
    RETURN NULL;
END
$$;

-- A jurisdiction's country, region or population: the practices it leads. (Inserted
-- ones too: the practices' key to it is checked only at commit, so a practice can be
-- written before its jurisdiction.)
CREATE FUNCTION catalogue_facet_jurisdictions_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM catalogue_facet_refresh(array_agg(p.id))
        FROM practices_practice p
        WHERE p.state = 'published' AND p.lead_jurisdiction_id IN (SELECT id FROM new_rows);
    ELSE
        PERFORM catalogue_facet_refresh(array_agg(p.id))
        FROM practices_practice p
        WHERE p.state = 'published' AND p.lead_jurisdiction_id IN (
            SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE (n.country, n.region, n.population)
                  IS DISTINCT FROM (o.country, o.region, o.population));
    END IF;
    RETURN NULL;
END
$$;

-- A topic moved under another parent: the practices filed under it.
CREATE FUNCTION catalogue_facet_topics_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM catalogue_facet_refresh(array_agg(DISTINCT pt.practice_id))
    FROM practices_practice_topics pt
    WHERE pt.topic_id IN (
        SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE n.parent_id IS DISTINCT FROM o.parent_id);
    RETURN NULL;
END
$$;

CREATE FUNCTION catalogue_facet_truncated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM catalogue_facet_rebuild();
    RETURN NULL;
END
$$;
"""


def triggers(table: str, function: str, events=("INSERT", "UPDATE", "DELETE")) -> str:
    """Statement-level triggers with the statement's rows as transition tables (PostgreSQL
    allows one event per trigger when it has transition tables)."""
    referencing = {
        "INSERT": "REFERENCING NEW TABLE AS new_rows",
        "UPDATE": "REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows",
        "DELETE": "REFERENCING OLD TABLE AS old_rows",
    }
    return "\n".join(
        f"CREATE TRIGGER catalogue_facet_{event.lower()} AFTER {event} ON {table} "
        f"{referencing[event]} FOR EACH STATEMENT EXECUTE FUNCTION {function}();"
        for event in events
    ) + (
        f"\nCREATE TRIGGER catalogue_facet_truncate AFTER TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION catalogue_facet_truncated();"
    )


SOURCES = [
    ("practices_practice", "catalogue_facet_practices_changed", ("INSERT", "UPDATE", "DELETE")),
    ("practices_practice_topics", "catalogue_facet_links_changed", ("INSERT", "UPDATE", "DELETE")),
    (
        "practices_practice_departments",
        "catalogue_facet_links_changed",
        ("INSERT", "UPDATE", "DELETE"),
    ),
    ("awards_recognition", "catalogue_facet_links_changed", ("INSERT", "UPDATE", "DELETE")),
    ("practices_jurisdiction", "catalogue_facet_jurisdictions_changed", ("INSERT", "UPDATE")),
    ("practices_topic", "catalogue_facet_topics_changed", ("UPDATE",)),
]

TRIGGERS_SQL = "\n".join(triggers(*source) for source in SOURCES)

DROP_SQL = "\n".join(
    [
        *(
            f"DROP TRIGGER IF EXISTS catalogue_facet_{event} ON {table};"
            for table, _function, _events in SOURCES
            for event in ("insert", "update", "delete", "truncate")
        ),
        "DROP TABLE IF EXISTS catalogue_facet_row, catalogue_facet_count, catalogue_facet_change;",
        *(
            f"DROP FUNCTION IF EXISTS {name};"
            for name in (
                "catalogue_facet_refresh(bigint[])",
                "catalogue_facet_rebuild()",
                "catalogue_facet_rows_changed()",
                "catalogue_facet_practices_changed()",
                "catalogue_facet_links_changed()",
                "catalogue_facet_jurisdictions_changed()",
                "catalogue_facet_topics_changed()",
                "catalogue_facet_truncated()",
            )
        ),
    ]
)


class Migration(migrations.Migration):
    dependencies = [
        ("clearinghouse", "0002_catalogue_version"),
        ("practices", "0006_practice_search_vocabulary"),
        ("awards", "0004_cycle_roles"),
    ]

    operations = [
        migrations.RunSQL(
            [CREATE_SQL, TRIGGERS_SQL, "SELECT catalogue_facet_rebuild();"],
            DROP_SQL,
        ),
    ]

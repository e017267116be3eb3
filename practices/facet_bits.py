"""The facet index as bitsets in each worker's memory: counts of any selection in a few
milliseconds.

Each published practice has a position; each facet value (a topic, a country, a rating, a
start year...) has one bitset with a bit set at the position of every practice that has
it. A selection is the AND of its filters' bitsets (the OR of a filter's values), and the
count of an option is the number of bits its bitset shares with the selection. About 150
bitsets of 12.5 KB each at 100,000 practices.

PostgreSQL stays the source of truth: the bitsets are built from ``catalogue_facet_row``
and kept in step with ``catalogue_facet_change``, where the triggers of migration
``clearinghouse/0003_catalogue_facets`` log, in commit order, every practice whose row
changed. Every use first reads the newest change number (one indexed read); a worker that
is behind re-reads only the rows that changed since, so a curator's change is counted on
the next request like everything else. A worker builds the whole set once (when it
starts, or when it is far behind).
"""

import threading
from dataclasses import dataclass, field

from django.db import connections

from clearinghouse.routers import read_database
from practices.selectors import FACET_ROW_TABLE

CHANGE_TABLE = "catalogue_facet_change"
# Further behind than this many changed practices, a worker rebuilds instead of catching up.
CATCH_UP_LIMIT = 500

# A row of the index: the id, then its values (arrays as space-separated text, which
# parses several times faster than arrays).
ROW_VALUES = (
    "array_to_string(topic_ids, ' '), array_to_string(department_ids, ' '), "
    "array_to_string(award_ids, ' '), country, region, band, rating, year_started"
)
ROW_COLUMNS = f"practice_id, {ROW_VALUES}"


def row_values(row) -> list[tuple[str, str]]:
    """The (group, value) keys of one row of the facet index."""
    _id, topics, departments, awards, country, region, band, rating, year = row
    keys = [
        ("country", country),
        ("evidence", rating),
        ("awarded", "yes" if awards else "no"),
    ]
    if region:
        keys.append(("region", region))
    if band:
        keys.append(("population", band))
    if year is not None:
        keys.append(("year", str(year)))
    keys += [("topic", value) for value in topics.split()]
    keys += [("department", value) for value in departments.split()]
    keys += [("award", value) for value in awards.split()]
    return keys


@dataclass
class FacetBits:
    change: int  # the newest change this copy includes
    positions: dict[int, int] = field(default_factory=dict)  # practice id -> bit
    bits: dict[tuple[str, str], int] = field(default_factory=dict)
    everyone: int = 0  # a bit for every published practice

    def values(self, group: str) -> dict[str, int]:
        return {value: b for (g, value), b in self.bits.items() if g == group}

    def any_of(self, group: str, values) -> int:
        """Practices having any of ``values`` in ``group``."""
        mask = 0
        for value in values:
            mask |= self.bits.get((group, str(value)), 0)
        return mask

    def of_ids(self, ids) -> int:
        """Practices among ``ids`` (unpublished ids are not in the index)."""
        positions = self.positions
        chosen = bytearray(len(positions) // 8 + 1)
        for practice_id in ids:
            position = positions.get(practice_id)
            if position is not None:
                chosen[position >> 3] |= 1 << (position & 7)
        return int.from_bytes(chosen, "little")

    def years(self, low: int | None, high: int | None) -> int:
        mask = 0
        for (group, value), b in self.bits.items():
            if group == "year":
                year = int(value)
                if (low is None or year >= low) and (high is None or year <= high):
                    mask |= b
        return mask

    # --- keeping it current ----------------------------------------------------------

    def remove(self, practice_id: int) -> None:
        position = self.positions.get(practice_id)
        if position is None:
            return
        keep = ~(1 << position)
        self.bits = {key: b & keep for key, b in self.bits.items() if b & keep}
        self.everyone &= keep

    def add(self, row) -> None:
        practice_id = row[0]
        position = self.positions.get(practice_id)
        if position is None:
            position = self.positions[practice_id] = len(self.positions)
        bit = 1 << position
        for key in row_values(row):
            self.bits[key] = self.bits.get(key, 0) | bit
        self.everyone |= bit


# The whole index in one statement, aggregated by PostgreSQL: the practice ids in position
# order, then, for every value, the positions of the practices that have it (as text). The
# keys are those of ``row_values``. About 150 rows, so a worker never holds every row at
# once (which would leave it tens of megabytes larger).
BUILD_SQL = f"""
WITH r AS MATERIALIZED (
    SELECT row_number() OVER (ORDER BY practice_id) - 1 AS pos, *
    FROM {FACET_ROW_TABLE}
)
SELECT '', '', string_agg(practice_id::text, ' ' ORDER BY pos) FROM r
UNION ALL SELECT 'topic', v::text, string_agg(pos::text, ' ') FROM r, unnest(topic_ids) v
    GROUP BY v
UNION ALL SELECT 'department', v::text, string_agg(pos::text, ' ')
    FROM r, unnest(department_ids) v GROUP BY v
UNION ALL SELECT 'award', v::text, string_agg(pos::text, ' ') FROM r, unnest(award_ids) v
    GROUP BY v
UNION ALL SELECT 'awarded', CASE WHEN cardinality(award_ids) > 0 THEN 'yes' ELSE 'no' END,
    string_agg(pos::text, ' ') FROM r GROUP BY 2
UNION ALL SELECT 'country', country, string_agg(pos::text, ' ') FROM r GROUP BY country
UNION ALL SELECT 'region', region, string_agg(pos::text, ' ') FROM r WHERE region <> ''
    GROUP BY region
UNION ALL SELECT 'population', band, string_agg(pos::text, ' ') FROM r
    WHERE band IS NOT NULL GROUP BY band
UNION ALL SELECT 'evidence', rating, string_agg(pos::text, ' ') FROM r GROUP BY rating
UNION ALL SELECT 'year', year_started::text, string_agg(pos::text, ' ') FROM r
    WHERE year_started IS NOT NULL GROUP BY year_started
"""  # noqa: S608 - the table name is this module's constant


def build(cursor, change: int) -> FacetBits:
    """The whole index, read in one statement: positions in practice-id order, and each
    value's bitset set from the positions PostgreSQL listed for it."""
    cursor.execute(BUILD_SQL)
    rows = cursor.fetchall()
    ids = next((text or "" for group, _value, text in rows if group == ""), "").split()
    positions = {int(practice_id): position for position, practice_id in enumerate(ids)}
    width = (len(ids) + 7) // 8
    bits = {}
    for group, value, text in rows:
        if not group or not text:
            continue
        packed = bytearray(width)
        for position in map(int, text.split()):
            packed[position >> 3] |= 1 << (position & 7)
        bits[group, value] = int.from_bytes(packed, "little")
    return FacetBits(change, positions, bits, (1 << len(ids)) - 1)


def catch_up(state: FacetBits, cursor, change: int) -> FacetBits | None:
    """``state`` with the rows that changed after it applied, or None when it is too far
    behind (or the log no longer reaches back to it) and should be rebuilt."""
    cursor.execute(
        f"SELECT c.practice_id, r.practice_id IS NOT NULL, {ROW_VALUES} "  # noqa: S608
        f"FROM (SELECT DISTINCT practice_id FROM {CHANGE_TABLE} WHERE seq > %s AND seq <= %s "
        f"LIMIT %s) AS c LEFT JOIN {FACET_ROW_TABLE} AS r ON r.practice_id = c.practice_id "
        # The log still holds the change this copy stopped at: nothing after it was trimmed.
        f"WHERE (SELECT min(seq) FROM {CHANGE_TABLE}) <= %s",
        [state.change, change, CATCH_UP_LIMIT + 1, state.change],
    )
    rows = cursor.fetchall()
    if not rows or len(rows) > CATCH_UP_LIMIT:
        return None
    fresh = FacetBits(state.change, dict(state.positions), dict(state.bits), state.everyone)
    for practice_id, exists, *values in rows:
        fresh.remove(practice_id)
        if exists:
            fresh.add((practice_id, *values))
    fresh.change = change
    return fresh


_state: FacetBits | None = None
_lock = threading.Lock()


def current() -> FacetBits:
    """This worker's copy, brought up to the newest committed change first.

    Inside a transaction the copy is built for that use only and never kept: what the
    transaction reads may yet be rolled back, and the copy must only hold what others see.
    """
    global _state
    connection = connections[read_database()]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(max(seq), 0) FROM {CHANGE_TABLE}")  # noqa: S608
        (change,) = cursor.fetchone()
        if connection.in_atomic_block:
            return build(cursor, change)
        state = _state
        if state is not None and state.change == change:
            return state
        with _lock:
            state = _state
            if state is None or state.change > change:
                # A first use, or a database that was re-created underneath.
                state = build(cursor, change)
            elif state.change < change:
                state = catch_up(state, cursor, change) or build(cursor, change)
            _state = state
        return state


def forget() -> None:
    """Drop this worker's copy (tests that re-create the database use it)."""
    global _state
    with _lock:
        _state = None

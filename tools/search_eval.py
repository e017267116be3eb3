"""`make search-eval`: how well search finds the demo catalogue's practices.

Reads the judged queries in ``tools/search_eval_queries.json`` (what a city manager would
type, half in English and half in Spanish, each with the demo practices it must find),
runs each one the way the practice list ranks results (relevance order), and prints
recall@10 and nDCG@10, overall and by language, against the targets.

- recall@10: the share of a query's judged practices found in its first ten results,
  out of ten when more than ten are judged (ten results cannot hold more).
- nDCG@10: the first ten results' discounted gain (1 for a judged practice, 0 otherwise,
  divided by log2 of the position + 1) over the best possible for that query.

The database must hold the demo catalogue (``manage.py load_demo``; ``make search-eval``
loads it). ``tests/test_search_eval.py`` keeps the targets as a floor.
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUERIES_FILE = Path(__file__).resolve().parent / "search_eval_queries.json"
CUTOFF = 10
TARGETS = {"recall": 0.9, "ndcg": 0.8, "language_recall": 0.85}
LANGUAGES = {"en": "English", "es": "Spanish"}


@dataclass(frozen=True)
class Judged:
    language: str
    query: str
    relevant: tuple[str, ...]


@dataclass(frozen=True)
class Scored:
    judged: Judged
    ranked: tuple[str, ...]
    recall: float
    ndcg: float

    @property
    def missed(self) -> list[str]:
        top = set(self.ranked[:CUTOFF])
        return [slug for slug in self.judged.relevant if slug not in top]


def load_judged(path: Path = QUERIES_FILE) -> list[Judged]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [
        Judged(row["language"], row["query"], tuple(dict.fromkeys(row["relevant"])))
        for row in data["queries"]
    ]


def recall_at(ranked: list[str], relevant: set[str], k: int = CUTOFF) -> float:
    if not relevant:
        return 1.0
    hits = len(relevant & set(ranked[:k]))
    return hits / min(len(relevant), k)


def ndcg_at(ranked: list[str], relevant: set[str], k: int = CUTOFF) -> float:
    if not relevant:
        return 1.0
    gain = sum(1 / math.log2(i + 2) for i, slug in enumerate(ranked[:k]) if slug in relevant)
    best = sum(1 / math.log2(i + 2) for i in range(min(len(relevant), k)))
    return gain / best


def score(judged: list[Judged], run) -> list[Scored]:
    """``run(query)`` returns practice slugs, best first."""
    scored = []
    for item in judged:
        ranked = tuple(run(item.query))
        relevant = set(item.relevant)
        scored.append(
            Scored(item, ranked, recall_at(list(ranked), relevant), ndcg_at(list(ranked), relevant))
        )
    return scored


def summary(scored: list[Scored]) -> dict[str, dict[str, float]]:
    """Mean recall@10 and nDCG@10: overall and per language."""
    groups = {"overall": scored}
    for code in LANGUAGES:
        groups[code] = [s for s in scored if s.judged.language == code]
    return {
        name: {
            "queries": len(rows),
            "recall": sum(s.recall for s in rows) / len(rows) if rows else 0.0,
            "ndcg": sum(s.ndcg for s in rows) / len(rows) if rows else 0.0,
        }
        for name, rows in groups.items()
    }


def targets_met(figures: dict) -> list[str]:
    """The targets missed, in words (empty when all are met)."""
    missed = []
    if figures["overall"]["recall"] < TARGETS["recall"]:
        missed.append(f"overall recall@10 below {TARGETS['recall']}")
    if figures["overall"]["ndcg"] < TARGETS["ndcg"]:
        missed.append(f"overall nDCG@10 below {TARGETS['ndcg']}")
    for code, name in LANGUAGES.items():
        if figures[code]["recall"] < TARGETS["language_recall"]:
            missed.append(f"{name} recall@10 below {TARGETS['language_recall']}")
    return missed


def table(figures: dict) -> str:
    lines = ["| queries | n | recall@10 | nDCG@10 |", "|---|---|---|---|"]
    for name, label in [("overall", "all"), *LANGUAGES.items()]:
        row = figures[name]
        lines.append(f"| {label} | {row['queries']} | {row['recall']:.3f} | {row['ndcg']:.3f} |")
    return "\n".join(lines)


def practice_list_ranking(query: str) -> list[str]:
    """Published practices for ``query`` in the practice list's relevance order."""
    from practices import search
    from practices.filters import Sort
    from practices.models import Practice

    parsed = search.parse(query)
    found = search.search(Practice.objects.published(), parsed)
    ordered = found.order_by(*Sort.ORDERINGS[Sort.RELEVANCE])
    return list(ordered.values_list("slug", flat=True)[: CUTOFF * 3])


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    verbose = "--verbose" in args or "-v" in args
    sys.path.insert(0, str(ROOT))
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clearinghouse.settings")
    import django

    django.setup()
    from practices.models import Practice

    if not Practice.objects.published().filter(slug="cure-violence-ceasefire-chicago").exists():
        print("The database does not hold the demo catalogue: run manage.py load_demo first.")
        return 2
    scored = score(load_judged(), practice_list_ranking)
    for item in scored:
        # Queries with more than ten judged practices always leave some out of the first ten.
        if verbose or item.recall < 1:
            flag = "" if not item.missed else "  not in the first ten: " + ", ".join(item.missed)
            print(
                f"[{item.judged.language}] {item.judged.query!r}: "
                f"recall {item.recall:.2f}, nDCG {item.ndcg:.2f}{flag}"
            )
    figures = summary(scored)
    print(table(figures))
    missed = targets_met(figures)
    print("Targets: " + ("all met." if not missed else "MISSED: " + "; ".join(missed)))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())

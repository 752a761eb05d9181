"""The relevance benchmark's judged set: its queries, the judges' rules, the grades, the metrics.

Why a module of its own: the benchmark (``bench/relevance.py``), the judging commands and the test
of the judged set (``tests/bench``) all read the same file the same way, and the metrics are
tested on hand-made examples without starting an engine.

``bench/relevance/queries.txt`` holds the queries and, under each, the judges' rules: which
resources are exactly what was meant (3), relevant (2) or partly relevant (1), named by what the
demo generator made them from — the subject (the title without its place), the place, the
department, the classification, an English title.  ``bench/relevance/judgments.tsv`` holds those
grades for the demo catalog's public resources by resource code (written by
``bench/relevance.py judge``); a generated catalog is graded by the same rules (:func:`grade`),
since its resources are made from the same subjects.
"""
from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent / "relevance"
QUERIES_FILE = HERE / "queries.txt"
JUDGMENTS_FILE = HERE / "judgments.tsv"
GRADES = (1, 2, 3)
RELEVANT = 2                 # recall@20 and MRR count grades of 2 and 3; nDCG uses every grade
PLACES = ("浙江省", "杭州市", "西湖区", "余杭区")
KINDS = ("multiword", "synonym", "partial", "english", "width", "department", "classification", "code",
         "misspelling")
SELECTOR = re.compile(r"^(?P<kind>[sdcr]):(?P<value>[^@+]+)(?:@(?P<places>[^+]+))?(?P<en>\+en)?$")
COPY_SUFFIX = re.compile(r"（\d+）$")       # bench/load_and_list.py's generated copies: 标题（7）


@dataclass(frozen=True)
class Selector:
    kind: str                    # s subject, d department, c classification prefix, r resource code
    value: str
    places: frozenset[str] = frozenset()
    english: bool = False


@dataclass
class Query:
    id: str
    kind: str
    text: str
    rules: list[tuple[int, list[Selector]]] = field(default_factory=list)

    @property
    def judged(self) -> bool:
        return bool(self.rules)

    @property
    def uses_codes(self) -> bool:
        return any(s.kind == "r" for _, selectors in self.rules for s in selectors)


@dataclass(frozen=True)
class Facts:
    """What the rules read of one resource."""

    code: str
    title: str
    department: str
    classification: str
    english: bool

    @property
    def place(self) -> str:
        return next((p for p in PLACES if self.title.startswith(p)), "")

    @property
    def subject(self) -> str:
        return COPY_SUFFIX.sub("", self.title[len(self.place):])


def parse_selector(text: str) -> Selector:
    match = SELECTOR.match(text)
    if not match:
        raise ValueError(f"not a selector: {text!r}")
    places = frozenset(match["places"].split("/")) if match["places"] else frozenset()
    if places - set(PLACES):
        raise ValueError(f"unknown place in {text!r}")
    return Selector(match["kind"], match["value"], places, bool(match["en"]))


def read_queries(path: Path = QUERIES_FILE) -> list[Query]:
    """The queries of ``queries.txt`` with their rules, in file order."""
    queries: list[Query] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = line.split("\t")
        try:
            if cells[0]:                                   # a query line
                qid, kind, text = cells
                if kind not in KINDS:
                    raise ValueError(f"unknown kind {kind!r}")
                queries.append(Query(qid, kind, text))
            else:                                          # a grade line under the last query
                grade, selectors = int(cells[1]), cells[2].split()
                if grade not in GRADES or not selectors or not queries:
                    raise ValueError("a grade line needs a query above it, a grade 1-3 and selectors")
                queries[-1].rules.append((grade, [parse_selector(s) for s in selectors]))
        except ValueError as error:
            raise ValueError(f"{path.name}:{number}: {error}") from None
    ids = [q.id for q in queries]
    if len(ids) != len(set(ids)):
        raise ValueError(f"{path.name}: a query id is used twice")
    return queries


def matches(selector: Selector, facts: Facts) -> bool:
    if selector.english and not facts.english:
        return False
    if selector.kind == "s":
        return facts.subject == selector.value and (not selector.places or facts.place in selector.places)
    if selector.kind == "d":
        return facts.department == selector.value
    if selector.kind == "c":
        return facts.classification.startswith(selector.value)
    return facts.code == selector.value


def grade(query: Query, facts: Facts) -> int:
    """The highest grade whose rule names this resource; 0 when none does."""
    return max((g for g, selectors in query.rules if any(matches(s, facts) for s in selectors)), default=0)


def read_judgments(path: Path = JUDGMENTS_FILE) -> dict[str, dict[str, int]]:
    """``{query id: {resource code: grade}}`` from ``judgments.tsv``."""
    judged: dict[str, dict[str, int]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            judged.setdefault(row["query"], {})[row["code"]] = int(row["grade"])
    return judged


def write_judgments(rows: list[tuple[str, str, int, str]], path: Path = JUDGMENTS_FILE) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(["query", "code", "grade", "title"])
        writer.writerows(rows)


# ---------------------------------------------------------------- metrics

def dcg(gains: list[int], k: int) -> float:
    return sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(gains[:k]))


def ndcg_at(ranked: list[int], judged: list[int], k: int = 10) -> float:
    """nDCG@k of the grades of the ranked results against the best order of all judged grades."""
    ideal = dcg(sorted(judged, reverse=True), k)
    return dcg(ranked, k) / ideal if ideal else 0.0


def recall_at(ranked: list[int], relevant_total: int, k: int = 20) -> float:
    """Relevant results (grade ≥ 2) in the first ``k``, out of those that could be there.

    The denominator is ``min(relevant_total, k)``: with more relevant resources than ``k`` (a
    generated catalog holds hundreds of copies of a subject), a full first page is full recall.
    """
    if not relevant_total:
        return 0.0
    return sum(1 for g in ranked[:k] if g >= RELEVANT) / min(relevant_total, k)


def reciprocal_rank(ranked: list[int]) -> float:
    """1 / the rank of the first relevant result (grade ≥ 2); 0 when none is among ``ranked``."""
    return next((1 / (i + 1) for i, g in enumerate(ranked) if g >= RELEVANT), 0.0)


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank percentile (p in 0–100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(math.ceil(p / 100 * len(ordered)) - 1, 0)]

"""Scorecards: every indicator provider's measures per department and for the whole catalog, an
overall score and a ranking.

An indicator provider is a function ``name(session, now=None) -> {department id: {key: number or None}}``
(see ``registry/evaluation/indicators.py``).  :data:`PROVIDERS` lists those the scorecards combine;
adding a provider is adding its function to that list.  What a measure is called, how it is shown and
how the catalog's value is formed from the departments' is described once in :data:`MEASURES`, by
key — including the keys of providers that other packages add; a key no description knows is shown
under its own name and summed for the catalog when every value is a whole number.

The rules (docs/evaluation.md):

* A measure that is None is not measurable: shown as "—", left out of every mean, never counted as 0.
* The catalog's value of a share or a mean is the departments' values weighted by their denominator
  (``timely_share`` by ``resources_with_frequency`` …); a count is the sum.
* The **score** (0–100) is the mean of the *scored* measures that are not None — each first brought to
  0..1 (shares as they are, quality points out of 405) — times 100, rounded to one decimal.  No scored
  measure at all: no score.
* The **ranking** orders departments by score, highest first; equal (rounded) scores share a rank
  ("1, 2, 2, 4"), listed by credit code; departments without a score are not ranked and come last.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.db import utcnow
from registry.departments.models import Department
from registry.evaluation.indicators import openness, timeliness
from registry.links.indicators import link_health
from registry.quality.indicators import quality
from registry.sharing.indicators import responsiveness

Provider = Callable[..., dict]

# The providers the scorecards combine, in the order their measures are shown.
PROVIDERS: list[Provider] = [timeliness, openness, quality, responsiveness, link_health]

QUALITY_POINTS = 405


@dataclass(frozen=True)
class Measure:
    key: str
    zh: str
    en: str
    kind: str = "count"              # count, share (0..1), points (of 405), days
    weight: str | None = None        # a share or mean: the key that weighs it across departments
    scored: Callable[[float], float] | None = None   # its 0..1 contribution to the score, if it has one


def _share(value: float) -> float:
    return value


def _points(value: float) -> float:
    return value / QUALITY_POINTS


_KNOWN = (
    # Timeliness (G)
    Measure("resources_with_frequency", "有固定更新周期的资源", "Resources with a fixed update frequency"),
    Measure("overdue_resources", "逾期未更新的资源", "Resources overdue for update"),
    Measure("timely_share", "按期更新率", "Updated in time", "share", "resources_with_frequency", _share),
    # Openness (G)
    Measure("resources", "已发布资源", "Published resources"),
    Measure("unconditional_share", "无条件共享率", "Shared unconditionally", "share", "resources", _share),
    # Sharing responsiveness (D)
    Measure("requests_received", "收到的共享申请", "Sharing requests received"),
    Measure("requests_answered", "已答复的共享申请", "Sharing requests answered"),
    Measure("answered_in_time_share", "按期答复率", "Answered in time", "share", "requests_answered", _share),
    Measure("mean_answer_working_days", "平均答复用时（工作日）", "Mean answer time (working days)", "days",
            "requests_answered"),
    Measure("overdue_open", "逾期未答复的申请", "Requests open past their deadline"),
    # Metadata quality (E)
    Measure("resources_scored", "已评分的资源", "Resources scored"),
    Measure("quality_mean_points", "元数据质量平均分", "Mean metadata quality points", "points", "resources_scored",
            _points),
    Measure("quality_excellent", "质量优秀", "Quality excellent"),
    Measure("quality_good", "质量良好", "Quality good"),
    Measure("quality_sufficient", "质量合格", "Quality sufficient"),
    Measure("quality_bad", "质量较差", "Quality bad"),
    Measure("completeness_share", "核心元素完整率", "Core elements complete", "share", "resources_scored", _share),
    # Link health (F)
    Measure("links_checked", "已检查的链接", "Links checked"),
    Measure("links_ok", "可访问的链接", "Links answering"),
    Measure("links_ok_share", "链接可用率", "Links answering share", "share", "links_checked", _share),
)
MEASURES: dict[str, Measure] = {m.key: m for m in _KNOWN}
# The keys each provider of the contract answers, by the provider's name: shown even before any
# department has a value (a provider not named here shows the keys it answers).
KEYS_OF = {
    "timeliness": ("resources_with_frequency", "overdue_resources", "timely_share"),
    "openness": ("resources", "unconditional_share"),
    "responsiveness": ("requests_received", "requests_answered", "answered_in_time_share",
                       "mean_answer_working_days", "overdue_open"),
    "quality": ("resources_scored", "quality_mean_points", "quality_excellent", "quality_good",
                "quality_sufficient", "quality_bad", "completeness_share"),
    "link_health": ("links_checked", "links_ok", "links_ok_share"),
}


def measure(key: str) -> Measure:
    """The description of ``key``; a key nobody described is a count under its own name."""
    return MEASURES.get(key) or Measure(key, key, key)


@dataclass
class Scorecard:
    """One department's measures (or the whole catalog's, ``department`` None), score and rank."""

    department: Department | None
    measures: dict[str, float | int | None]
    score: float | None = None
    rank: int | None = None


@dataclass
class Evaluation:
    """The catalog's scorecard and every active department's, ranked, at ``taken_at``."""

    taken_at: datetime
    keys: list[str]
    catalog: Scorecard
    departments: list[Scorecard] = field(default_factory=list)

    def of(self, department_id: int) -> Scorecard | None:
        return next((c for c in self.departments if c.department.id == department_id), None)


def score(measures: dict) -> float | None:
    """The score of a set of measures (see the module's rules), or None when none is scored and measurable."""
    parts = [MEASURES[key].scored(value) for key, value in measures.items()
             if key in MEASURES and MEASURES[key].scored and value is not None]
    return round(100 * sum(parts) / len(parts), 1) if parts else None


def combine(cards: list[dict], key: str) -> float | int | None:
    """The catalog's value of ``key`` from the departments' measures (weighted mean or sum; None values left out)."""
    described = MEASURES.get(key)
    values = [c.get(key) for c in cards if c.get(key) is not None]
    if described is None or described.weight is None:
        if described is None and not all(isinstance(x, int) for x in values):
            return None
        return sum(values)
    pairs = [(c[key], c.get(described.weight) or 0) for c in cards if c.get(key) is not None]
    total = sum(w for _, w in pairs)
    return sum(value * w for value, w in pairs) / total if total else None


def rank(cards: list[Scorecard]) -> list[Scorecard]:
    """``cards`` ordered and ranked by score (the module's rule); the unscored last, by credit code."""
    scored = sorted((c for c in cards if c.score is not None), key=lambda c: (-c.score, c.department.credit_code))
    previous, position = None, 0
    for index, card in enumerate(scored, start=1):
        if card.score != previous:
            position, previous = index, card.score
        card.rank = position
    rest = sorted((c for c in cards if c.score is None), key=lambda c: c.department.credit_code)
    for card in rest:
        card.rank = None
    return scored + rest


def evaluate(session: Session, now: datetime | None = None, providers: list[Provider] | None = None) -> Evaluation:
    """Run every provider once and build the catalog's and each active department's scorecard."""
    now = now or utcnow()
    providers = PROVIDERS if providers is None else providers
    answers = [provider(session, now) for provider in providers]
    keys: list[str] = []
    for provider, answer in zip(providers, answers):
        keys += [k for k in KEYS_OF.get(getattr(provider, "__name__", ""), ()) if k not in keys]
        for values in answer.values():
            keys += [k for k in values if k not in keys]
    departments = list(session.scalars(select(Department).where(Department.active.is_(True))))
    cards = []
    for department in departments:
        values = {k: None for k in keys}
        for answer in answers:
            values.update(answer.get(department.id, {}))
        cards.append(Scorecard(department, values, score(values)))
    catalog_values = {k: combine([c.measures for c in cards], k) for k in keys}
    catalog = Scorecard(None, catalog_values, score(catalog_values))
    return Evaluation(now, keys, catalog, rank(cards))

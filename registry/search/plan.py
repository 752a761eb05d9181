"""What a query asks for, read once in Python and handed to every engine: the :class:`Plan`.

A query is read as words (:mod:`registry.search.analysis`), each word a :class:`Group` of
alternatives — the word itself, its synonyms (``vocab/synonyms.txt``) and, for a long Chinese word,
its dictionary sub-words all together (企业信用 → 企业 + 信用).  An alternative matches a document
when one of its word tokens is in a word field or its bigrams stand in a row in a gram field, so a
word the segmenter cut otherwise in the document is still found.

The strict plan needs every required word (with four or more, all but a quarter); words that only
say what people want done (查询, 数据, 信息 …) are optional and only rank.  :meth:`Plan.relaxed`
needs one word: what search falls back to when the strict plan finds nothing.  Engines translate a
plan into their own query language (``embedded.py``, ``server.py``) with the field weights below,
and highlight with :func:`highlight`, so the contract holds on each.
"""
from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass, replace
from functools import cache

from registry.search.analysis import (CJK_RUN, TOKEN, fold, has_word, is_cjk, segment, stem, synonym_groups)

# Field weights: title over keywords (and labels) over description over the department's name.
WORD_FIELDS = {"title_words": 5.0, "keyword_words": 3.0, "text_words": 0.8, "department_words": 0.5}
GRAM_FIELDS = {"title_grams": 2.5, "text_grams": 0.5}
TITLE_FIELDS = ({"title_words": 1.0}, {"title_grams": 1.0})
SYNONYM_BOOST = 0.4
TIE_BREAKER = 0.1                  # a word counts once: its best alternative, a little of the others
PROXIMITY_BOOST = 3.0              # the query's words close together in the title
PROXIMITY_SLOP = 3
MAX_GROUPS = 12
# Words that say what people want done, not what about: they rank but are never required.
OPTIONAL = frozenset({
    "查询", "查找", "搜索", "检索", "查看", "下载", "数据", "信息", "资料", "资源", "数据集", "情况", "相关", "有关",
    "关于", "哪些", "什么", "如何", "怎么", "的", "和", "与", "及", "或", "年", "月", "日", "全部", "所有",
    "the", "a", "an", "of", "and", "or", "in", "on", "for", "to", "by", "with", "data", "dataset", "datasets",
    "information", "info", "list",
})


@dataclass(frozen=True)
class Alternative:
    """One way a query word may appear: word tokens (several: a phrase), bigrams in a row, a single
    character (``prefix``: the start of a gram), or all of ``parts``."""

    words: tuple[str, ...] = ()
    grams: tuple[str, ...] = ()
    prefix: str = ""
    parts: tuple[Alternative, ...] = ()
    boost: float = 1.0
    recall: bool = True             # its bigrams are looked for beyond the title (synonyms: title only)


@dataclass(frozen=True)
class Group:
    text: str
    alternatives: tuple[Alternative, ...]
    required: bool = True


@dataclass(frozen=True)
class Plan:
    groups: tuple[Group, ...]
    minimum: int                    # required groups that must match
    proximity: tuple[str, ...]      # word tokens in order, for the title-proximity boost
    marks: frozenset[str]           # Chinese strings to mark in highlights
    stems: frozenset[str]           # English stems to mark
    relaxed: bool = False

    @property
    def required(self) -> tuple[Group, ...]:
        return tuple(g for g in self.groups if g.required)

    @property
    def optional(self) -> tuple[Group, ...]:
        return tuple(g for g in self.groups if not g.required)

    def relax(self) -> Plan | None:
        """The plan needing one required word only — a word, not a number alone (2023 of
        2023年财政预算 would find everything of that year) — or None when it needs one already."""
        if self.minimum <= 1:
            return None
        numbers = [g for g in self.required if g.text.isdigit()]
        if len(numbers) == len(self.required):
            numbers = []
        groups = tuple(replace(g, required=False) if g in numbers else g for g in self.groups)
        return replace(self, groups=groups, minimum=1, relaxed=True)


def _key(words: list[str]) -> tuple[str, ...]:
    return tuple(w if is_cjk(w) else stem(w) for w in words)


def _query_words(text: str) -> list[str]:
    out = []
    for run in TOKEN.findall(fold(text)):
        out.extend(segment(run) if CJK_RUN.fullmatch(run) else [run])
    return out


@cache
def _synonyms() -> dict[tuple[str, ...], tuple[str, ...]]:
    """Each synonym term's key (as a query reads it) → the terms of its groups."""
    found: dict[tuple[str, ...], list[str]] = {}
    for group in synonym_groups():
        for term in group:
            for key in {_key(_query_words(term)), _key([term]) if is_cjk(term) else None} - {None}:
                found.setdefault(key, [])
                found[key] += [t for t in group if t not in found[key]]
    return {key: tuple(terms) for key, terms in found.items()}


def _tiling(word: str) -> list[str] | None:
    """``word`` as shorter dictionary words, longest first (a character where none fits: 交通局 →
    交通, 局); None unless that gives two pieces or more, one of them a word."""
    out, i = [], 0
    while i < len(word):
        j = next((j for j in range(len(word) - (1 if i == 0 else 0), i + 1, -1) if has_word(word[i:j])), i + 1)
        out.append(word[i:j])
        i = j
    return out if len(out) > 1 and any(len(piece) > 1 for piece in out) else None


def _alternative(term: str, boost: float = 1.0, parts: bool = True) -> Alternative:
    """How ``term`` (folded; Chinese, or one or more other words) is looked for; a synonym
    (``boost`` < 1) by its words everywhere but by its bigrams in the title only."""
    if not is_cjk(term):
        return Alternative(words=_key(term.split()), boost=boost)
    if len(term) == 1:
        return Alternative(prefix=term, boost=boost)
    pieces = _tiling(term) if parts and len(term) >= 3 else None
    return Alternative(words=(term,), grams=tuple(term[i:i + 2] for i in range(len(term) - 1)), boost=boost,
                       parts=tuple(_alternative(p, parts=False) for p in pieces or ()), recall=boost >= 1)


def in_title(fields: dict[str, float]) -> dict[str, float]:
    """The title's fields of ``fields``: where optional words and synonyms' bigrams are looked for
    (a word like 信息 is in nearly every description: scoring it there costs much and ranks little)."""
    return {name: weight for name, weight in fields.items() if name.startswith("title")}


def read(text: str) -> Plan | None:
    """The plan of a query text, or None when it has no word to look for."""
    words = _query_words(text)
    synonyms = _synonyms()
    groups: list[Group] = []
    i = 0
    while i < len(words) and len(groups) < MAX_GROUPS:
        for n in range(min(4, len(words) - i), 0, -1):
            key = _key(words[i:i + n])
            if n == 1 or key in synonyms:
                break
        term = " ".join(words[i:i + n]) if not is_cjk(words[i]) else "".join(words[i:i + n])
        alternatives = [_alternative(term)]
        alternatives += [_alternative(other, SYNONYM_BOOST) for other in synonyms.get(key, ())
                         if _key(_query_words(other)) != key]
        groups.append(Group(term, tuple(alternatives), required=term not in OPTIONAL))
        i += n
    groups = list({g.text: g for g in groups}.values())
    if not groups:
        return None
    if not any(g.required for g in groups):
        groups = [replace(g, required=True) for g in groups]
    required = sum(g.required for g in groups)
    minimum = required if required <= 3 else math.ceil(required * 0.75)
    proximity = tuple(w for g in groups if g.required for w in
                      ([w for p in g.alternatives[0].parts for w in p.words] or g.alternatives[0].words))
    alternatives = [a for g in groups for a in g.alternatives]
    alternatives += [p for a in alternatives for p in a.parts]
    marks = frozenset(w for a in alternatives for w in (*a.words, a.prefix) if w and is_cjk(w))
    stems = frozenset(w for a in alternatives for w in a.words if not is_cjk(w))
    return Plan(tuple(groups), minimum, proximity if len(proximity) > 1 else (), marks, stems)


# -- highlights -------------------------------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def _mark(text: str, spans: list[tuple[int, int]]) -> str:
    """HTML of ``text``: escaped, with the character ``spans`` (overlapping ones merged) in <mark>."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, position = [], 0
    for start, end in merged:
        out.append(html.escape(text[position:start]))
        out.append("<mark>" + html.escape(text[start:end]) + "</mark>")
        position = end
    out.append(html.escape(text[position:]))
    return "".join(out)


def highlight(text: str, plan: Plan, limit: int) -> str | None:
    """``text`` as HTML with what the plan looks for marked (a text longer than ``limit``: the part of
    that length around the first mark), or None when nothing in it matched."""
    if not text:
        return None
    folded = fold(text)
    spans = []
    for mark in plan.marks:
        start = folded.find(mark)
        while start >= 0:
            spans.append((start, start + len(mark)))
            start = folded.find(mark, start + 1)
    if plan.stems:
        for m in _WORD.finditer(folded):
            if not is_cjk(m.group()) and stem(m.group()) in plan.stems:
                spans.append(m.span())
    if not spans:
        return None
    if len(text) > limit:
        first = min(start for start, _ in spans)
        begin = max(0, min(first - limit // 4, len(text) - limit))
        text = text[begin:begin + limit]
        spans = [(max(s - begin, 0), min(e - begin, limit)) for s, e in spans if s < begin + limit and e > begin]
    return _mark(text, spans)

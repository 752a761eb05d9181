"""Correcting a misspelt query against the catalog's own words, for the last way out of an empty page.

When neither the strict query nor the looser match finds anything, search asks once more with the
query corrected here and says so (``corrected_to``).  Corrections come only from what the catalog
itself calls things — never from a general dictionary — so a correction always names something
that can be found:

* **English** words (four letters or more) that the catalog does not know become the closest
  known word by edit distance (an insertion, deletion, substitution or swap of neighbours counts
  one; one edit for words of up to seven letters, two for longer ones): `kindergarden` →
  kindergarten, `pollusion` → pollution.  Known words: the English of the classification and
  department names, the vocabularies' labels, the most used keywords and the synonym terms.
* **Chinese**: a part of three characters or more that is not a word of the catalog but is one
  character away from one (the others the same, in place) becomes that word: 幼儿圆 → 幼儿园.
  Words: the search dictionary (labels, department names, synonym terms) and the catalog's terms.
  Two characters are too few to tell a slip from another word, so they are left as typed.
"""
from __future__ import annotations

import functools
import re

from vocab import enumerations as v
from registry.search.analysis import CJK_RUN, TOKEN, dictionary_words, fold, stem, synonym_groups

ENGLISH_MIN = 4                  # shorter English words are left as typed
CHINESE_MIN, CHINESE_MAX = 3, 8  # lengths of the Chinese parts that are corrected
_LATIN = re.compile(r"[a-z]+")


class Vocabulary:
    """The catalog's words, indexed for correction."""

    def __init__(self, terms: tuple[str, ...]):
        english: set[str] = set()
        chinese: set[str] = set(dictionary_words())
        texts = [*terms, *(t for group in synonym_groups() for t in group),
                 *(t.en for enumeration in v.ENUMERATIONS.values() for t in enumeration if t.en),
                 *(node.en for node in v.FIXED_CLASSIFICATION if node.en)]
        for text in texts:
            for token in TOKEN.findall(fold(text)):
                if CJK_RUN.fullmatch(token):
                    if len(token) > 1:
                        chinese.add(token)
                elif _LATIN.fullmatch(token) and len(token) >= 2:
                    english.add(token)
        self.english = english
        self.stems = {stem(w) for w in english}
        self.chinese = chinese
        self.near: dict[str, list[str]] = {}      # a word with one character hidden → the words
        for word in sorted(chinese):
            if CHINESE_MIN <= len(word) <= CHINESE_MAX:
                for i in range(len(word)):
                    self.near.setdefault(word[:i] + "?" + word[i + 1:], []).append(word)

    def english_word(self, word: str) -> str | None:
        """The known word closest to an unknown ``word``, or None (known, too short, nothing close)."""
        if len(word) < ENGLISH_MIN or word in self.english or stem(word) in self.stems:
            return None
        limit = 1 if len(word) <= 7 else 2
        best = None
        for known in self.english:
            if abs(len(known) - len(word)) > limit:
                continue
            distance = edit_distance(word, known, limit)
            if distance <= limit:
                key = (distance, abs(len(known) - len(word)), known)
                best = min(best, key) if best else key
        return best[2] if best else None

    def chinese_run(self, run: str) -> str:
        """``run`` with each part that is one character away from a catalog word replaced by it,
        longest parts first."""
        out, i = [], 0
        while i < len(run):
            replacement = None
            for n in range(min(CHINESE_MAX, len(run) - i), CHINESE_MIN - 1, -1):
                part = run[i:i + n]
                if part in self.chinese:
                    replacement = part, n
                    break
                found = next((words for k in range(n) if (words := self.near.get(part[:k] + "?" + part[k + 1:]))),
                             None)
                if found:
                    replacement = found[0], n
                    break
            word, n = replacement or (run[i], 1)
            out.append(word)
            i += n
        return "".join(out)


def edit_distance(a: str, b: str, limit: int) -> int:
    """The edits (insert, delete, substitute, swap two neighbours) from ``a`` to ``b``; any
    number above ``limit`` once it is sure to exceed it."""
    previous2, previous = None, list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if previous2 and i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


@functools.lru_cache(maxsize=4)
def vocabulary(terms: tuple[str, ...]) -> Vocabulary:
    return Vocabulary(terms)


def correct(text: str, terms: tuple[str, ...]) -> str | None:
    """``text`` (folded) with its misspelt words corrected against the catalog's words, or None
    when nothing in it needed correcting."""
    words = vocabulary(terms)
    folded = fold(" ".join(text.split()))
    corrected = TOKEN.sub(lambda m: words.chinese_run(m.group()) if CJK_RUN.fullmatch(m.group())
                          else (words.english_word(m.group()) or m.group()), folded)
    return corrected if corrected != folded else None

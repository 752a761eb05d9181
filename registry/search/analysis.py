"""Text analysis for search, done in Python for every engine: one function for the index and the query.

Why in Python: an Elasticsearch node with only core analysis (no ``analysis-common`` module) has no
CJK bigrams, stemmers, width folding or n-grams.  Doing the analysis here lets every engine index
pre-analysed tokens with nothing but a whitespace tokenizer, so tantivy, OpenSearch and Elasticsearch
match exactly the same tokens and the search contract holds on all of them.

What a text becomes (:func:`fold` first: half-width, simplified characters, lower case — the folded
text has the length of the original, so highlights can be placed on the original):

* **words** — Chinese runs segmented into words by a dictionary segmenter (jieba's algorithm, in
  Rust: ``rjieba``) with a government user dictionary (vocabulary and classification labels,
  department names, the synonym terms); in search mode, so a long word also gives its sub-words
  (企业信用 → 企业, 信用, 企业信用).  Other words are English-stemmed (Snowball), numbers kept.
* **grams** — Chinese runs as overlapping character bigrams, each run closed by ``<last char>$``
  (so one character can be found as a prefix, and phrases never run across two runs).  Grams give
  recall when the segmenter cut a query word differently from the document.

:data:`ANALYSIS_VERSION` names the analysis (code, dictionary and synonyms): an index built with
another version is reported stale and must be rebuilt (``govcat reindex``).
"""
from __future__ import annotations

import functools
import hashlib
import json
import re
from importlib import resources

from vocab import enumerations as v

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af"
TOKEN = re.compile(rf"[{_CJK}]+|[^\W{_CJK}_]+", re.UNICODE)
CJK_RUN = re.compile(rf"[{_CJK}]+")
RUN_END = "$"                      # closes a run in the grams: 交通 → 交通 通$
ANALYSIS_CODE = "words-2"          # raise when the code below changes what the index holds
PREFIX_MAX = 16                    # longest prefix that suggestions complete
SPACE = "_"                        # a space inside a title prefix (tokens never hold white space)


# -- folding ----------------------------------------------------------------------------------

@functools.cache
def _fold_table() -> dict[int, str]:
    """Full-width ASCII → half-width, the ideographic space → space, traditional → simplified (one
    character for one: the folded text keeps its length)."""
    from zhconv import zhconv

    table = {cp: chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F)}
    table[0x3000] = " "
    for traditional, simplified in zhconv.getdict("zh-cn").items():
        if len(traditional) == 1 and len(simplified) == 1 and traditional != simplified:
            table[ord(traditional)] = simplified
    return table


def fold(text: str) -> str:
    """``text`` half-width, simplified and lower-cased, one character for each of the original's."""
    folded = text.translate(_fold_table())
    lower = folded.lower()
    if len(lower) == len(folded):
        return lower
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in folded)


# -- the dictionary and synonyms ------------------------------------------------------------------

def _split_terms(line: str) -> list[str]:
    return [" ".join(term.split()) for term in re.split(r"[,，]", line) if term.strip()]


@functools.cache
def synonym_groups() -> tuple[tuple[str, ...], ...]:
    """The groups of ``vocab/synonyms.txt``, each term folded (see the file for its format)."""
    text = resources.files("vocab").joinpath("synonyms.txt").read_text(encoding="utf-8")
    groups = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            terms = tuple(dict.fromkeys(fold(term) for term in _split_terms(line)))
            if len(terms) > 1:
                groups.append(terms)
    return tuple(groups)


def _department_names() -> list[str]:
    """The demo departments' names, whole and without their place (浙江省公安厅 → 公安厅)."""
    from registry.demo.catalog import load_departments, load_tables

    zh = [p["zh"] for p in load_tables()["places"].values()]
    places = sorted(set(zh) | {name[:-1] for name in zh}, key=lambda p: (-len(p), p))   # longest first, always
    names = []
    for department in load_departments():
        name = department["name"]
        names.append(name)
        while place := next((p for p in places if name.startswith(p) and len(name) > len(p) + 1), None):
            name = name[len(place):]
        names.append(name)
    return names


@functools.cache
def dictionary_words() -> tuple[str, ...]:
    """The government user dictionary: vocabulary and classification labels, department names and
    the Chinese synonym terms, folded, sorted."""
    words = [term.zh for enumeration in v.ENUMERATIONS.values() for term in enumeration]
    words += [node.zh for node in v.FIXED_CLASSIFICATION]
    words += _department_names()
    words += [term for group in synonym_groups() for term in group]
    return tuple(sorted({fold(w) for w in words if CJK_RUN.fullmatch(fold(w)) and len(w) > 1}))


@functools.cache
def analysis_version() -> str:
    """The analysis code and a digest of its dictionary and synonyms: what an index was built with."""
    digest = hashlib.sha256(json.dumps([dictionary_words(), synonym_groups()], ensure_ascii=False).encode())
    return f"{ANALYSIS_CODE}-{digest.hexdigest()[:12]}"


@functools.cache
def _segmenter():
    import rjieba

    segmenter = rjieba.Jieba()
    for word in dictionary_words():
        segmenter.add_word(word, None, None)
    return segmenter


@functools.cache
def _stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("english")


def is_cjk(text: str) -> bool:
    return bool(CJK_RUN.search(text))


@functools.lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The English stem of a folded word (remembered: a catalog repeats its words endlessly)."""
    return word if word.isdigit() else _stemmer().stemWord(word)


# -- index side -------------------------------------------------------------------------------------

def words(text: str) -> list[str]:
    """The word tokens of ``text`` in order: Chinese words and their sub-words, English stems, numbers."""
    out: list[str] = []
    for run in TOKEN.findall(fold(text)):
        if CJK_RUN.fullmatch(run):
            out.extend(w for w in _segmenter().cut_for_search(run) if len(w) > 1 or len(run) == 1)
        else:
            out.append(stem(run))
    return out


def run_grams(run: str) -> list[str]:
    """A Chinese run's bigrams, then its last character closed with :data:`RUN_END`."""
    return [run[i:i + 2] for i in range(len(run) - 1)] + [run[-1] + RUN_END]


def grams(text: str) -> list[str]:
    """The bigram tokens of the Chinese in ``text``, in order (see :func:`run_grams`)."""
    return [gram for run in CJK_RUN.findall(fold(text)) for gram in run_grams(run)]


def prefixes(title: str) -> list[str]:
    """The title's prefixes of 1 to :data:`PREFIX_MAX` characters (folded), for suggestions."""
    folded = SPACE.join(fold(title).split())
    return list(dict.fromkeys(folded[:n] for n in range(1, min(len(folded), PREFIX_MAX) + 1)))


def prefix_token(text: str) -> str:
    """What a typed prefix is looked up as in the prefixes of :func:`prefixes`."""
    return SPACE.join(fold(text).split())[:PREFIX_MAX]


def joined(tokens) -> str:
    """Tokens as the text an engine's whitespace tokenizer splits back into them."""
    return " ".join(tokens)


def segment(run: str) -> list[str]:
    """A folded Chinese run cut into words (no sub-words): how a query is read."""
    return _segmenter().cut(run)


def has_word(word: str) -> bool:
    return _segmenter().has_word(word)


def warm() -> None:
    """Load the folding table, the dictionary and the synonyms now (about a second), so that a
    serving process's first query does not wait for them."""
    from registry.search.plan import read

    read("预热 warm")

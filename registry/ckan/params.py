"""What a CKAN client may ask of the catalog, read into the terms of govcat's search.

CKAN clients speak CKAN's search syntax: ``fq`` filter queries, ``sort`` strings, and loosely typed
values (query strings carry text, JSON bodies carry numbers and lists).  This module reads all of that into
:class:`~registry.search.query.SearchQuery` filters and sorts, so the CKAN API searches with the
same engine, and the same filters, as the JSON API.  It knows nothing of HTTP or the database.

Only a small, safe part of that query language is understood: ``field:value``, ``field:"a value"``,
``field:(a OR b)``, ``a OR b`` over one field, ``+``, ``AND``, parentheses, and the range
``metadata_modified:[<date> TO *]`` that harvesters use.  Anything else is refused with the error
CKAN would give (a Search Query Error for bad syntax, a Validation Error naming unknown fields),
never silently approximated.  The one stand-in is ``sort=id asc``: CKAN ids are opaque, clients send
it for an order that stays put while they page, and they get the engine's newest-first order.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone

from vocab import enumerations as v
from registry.api.common import INT_MAX
from vocab.codes import is_valid_classification_code, is_valid_credit_code
from registry.errors import Invalid, ServiceError

MAX_ROWS = 1000            # CKAN's ckan.search.rows_max
DEFAULT_ROWS = 10
DEFAULT_FACET_LIMIT = 50   # CKAN's search.facets.limit
MAX_FQ_CHARS = 4000


class QuerySyntaxError(ServiceError):
    """A filter query that cannot be read: CKAN's "Search Query Error" (400)."""

    status, code = 400, "search_query_error"


def invalid(field_name: str, en: str, zh: str):
    return Invalid(zh, en, field_name)


# -- loosely typed values -------------------------------------------------------------------

def natural(data: dict, name: str, default: int | None) -> int | None:
    """A natural number (0, 1, …) from a JSON number or a query-string digit string."""
    raw = data.get(name)
    if raw is None or raw == "":
        return default
    text = str(raw).strip()
    if isinstance(raw, bool) or not isinstance(raw, (int, str)) or not (text.isascii() and text.isdigit()):
        raise invalid(name, "Must be a natural number", "应为自然数")
    if len(text) > 18 and int(text) > INT_MAX:          # what no database column or engine offset can hold
        raise invalid(name, f"Must be at most {INT_MAX}", f"不能大于 {INT_MAX}")
    return int(text)


def integer(data: dict, name: str, default: int) -> int:
    raw = data.get(name)
    if raw is None or raw == "":
        return default
    try:
        if isinstance(raw, bool) or not isinstance(raw, (int, str)) or not str(raw).isascii():
            raise ValueError
        value = int(str(raw).strip())
    except ValueError:
        raise invalid(name, "Invalid integer", "应为整数") from None
    if abs(value) > INT_MAX:
        raise invalid(name, "Invalid integer", "应为整数")
    return value


def boolean(data: dict, name: str, default: bool) -> bool:
    raw = data.get(name)
    if raw is None or raw == "":
        return default
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("true", "1", "yes", "on"):
        return True
    if text in ("false", "0", "no", "off"):
        return False
    raise invalid(name, "Parameter is not a bool", "参数应为布尔值")


def string_list(data: dict, name: str, *, json_text: bool = False, split: bool = False) -> list[str]:
    """A list of strings: a JSON list, a JSON text of one (``json_text``), or words (``split``)."""
    raw = data.get(name)
    if raw is None or raw == "":
        return []
    if isinstance(raw, str):
        text = raw.strip()
        if json_text and text.startswith("["):
            try:
                raw = json.loads(text)
            except ValueError:
                raise invalid(name, "Could not parse as valid JSON", "不是有效的 JSON") from None
        elif split:
            raw = text.replace(",", " ").split()
        else:
            raw = [text]
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        raise invalid(name, "Not a list of strings", "应为字符串列表")
    return [x.strip() for x in raw if x.strip()]


def plain_text(data: dict, name: str) -> str:
    raw = data.get(name)
    if raw is None:
        return ""
    if isinstance(raw, list):           # a repeated query-string parameter
        raw = " ".join(str(x) for x in raw)
    if not isinstance(raw, (str, int, float)) or isinstance(raw, bool):
        raise invalid(name, "Not a string", "应为字符串")
    return str(raw)


# -- the searchable fields ------------------------------------------------------------------

@dataclass(frozen=True)
class Field:
    """A CKAN field that ``fq`` and ``facet.field`` may name, and the govcat facets behind it."""

    name: str
    facets: tuple[str, ...]
    title: str
    multi: bool = False        # a package may hold several values (tags, groups)


def _department(value: str):
    code = value.strip().upper()
    return ("department", code) if is_valid_credit_code(code) else None


def _vocabulary(facet: str, enumeration):
    def translate(value: str):
        return (facet, value) if value in enumeration else None
    return translate


def _group(value: str):
    if value.upper() in v.EU_THEMES:
        return "theme", value.upper()
    if is_valid_classification_code(value) and len(value) >= 3:
        return "classification", value
    return None


def _text(facet: str):
    def translate(value: str):
        return (facet, value) if 0 < len(value) <= 200 else None
    return translate


_FORMATS = {key.lower(): key for key in v.FORMAT_CLASSES.keys}

FIELDS: dict[str, Field] = {}
_TRANSLATE = {}


def _field(name, facets, title, translate, multi=False, aliases=()):
    for alias in (name, *aliases):
        FIELDS[alias] = Field(alias, facets, title, multi)
        _TRANSLATE[alias] = translate


_field("organization", ("department",), "部门", _department, aliases=("owner_org",))
_field("tags", ("keyword",), "标签", _text("keyword"), multi=True)
# The index holds each resource's format class (信息资源格式), not its distributions' file formats:
# res_format filters and counts by class (electronic_file, spreadsheet …).
_field("res_format", ("format_class",), "信息资源格式",
       lambda value: ("format_class", _FORMATS[value.lower()]) if value.lower() in _FORMATS else None)
_field("groups", ("theme", "classification"), "数据主题与分类", _group, multi=True)
_field("license_id", ("license",), "许可协议", _text("license"))
for _name, _enumeration in (("share_type", v.SHARE_TYPES), ("open_type", v.OPEN_TYPES),
                            ("update_frequency", v.UPDATE_FREQUENCIES), ("format_class", v.FORMAT_CLASSES),
                            ("level", v.ADMINISTRATIVE_LEVELS)):
    _field(_name, (_name,), _enumeration.zh, _vocabulary(_name, _enumeration), aliases=(f"extras_{_name}",))
_field("classification", ("classification",), "信息资源分类",
       lambda value: ("classification", value) if is_valid_classification_code(value) else None,
       multi=True, aliases=("extras_classification",))

# Fields every public package has with one value: they match all or nothing.
CONSTANT_FIELDS = {"dataset_type": {"dataset"}, "type": {"dataset"}, "state": {"active"}, "private": {"false"},
                   "capacity": {"public"}, "entity_type": {"package"}, "site_id": None}
RANGE_FIELDS = {"metadata_modified"}
KNOWN_FIELDS = sorted(set(FIELDS) | set(CONSTANT_FIELDS) | RANGE_FIELDS)


def facet_value_name(field_name: str, facet: str, key: str) -> str:
    """A govcat facet key as CKAN shows it: an organization by name (by id under owner_org), a theme in lower case."""
    if facet == "department" and field_name == "owner_org":
        return key
    return key.lower() if facet in ("department", "theme") else key


# -- fq: CKAN's filter queries --------------------------------------------------------------

class _Parser:
    """Recursive descent over the small part of CKAN's query language described above."""

    def __init__(self, text: str):
        self.text, self.i = text, 0

    def fail(self, what: str):
        raise QuerySyntaxError(f"fq 无法解析：{what}（位置 {self.i}）。",
                               f"Search Query is invalid: {what} at character {self.i} of fq.", "fq")

    def space(self):
        while self.i < len(self.text) and self.text[self.i].isspace():
            self.i += 1

    def peek(self) -> str:
        self.space()
        return self.text[self.i] if self.i < len(self.text) else ""

    def word(self, *words: str) -> str | None:
        self.space()
        for w in words:
            end = self.i + len(w)
            if self.text.startswith(w, self.i) and (end == len(self.text) or self.text[end] in " \t\r\n()"):
                self.i = end
                return w
        return None

    def parse(self):
        node = self.sequence()
        if self.peek():
            self.fail("unexpected " + repr(self.peek()))
        return node

    def sequence(self, closing: bool = False):
        items = []
        while True:
            c = self.peek()
            if not c or (closing and c == ")"):
                return items[0] if len(items) == 1 else ("and", items)
            if self.word("AND", "&&"):
                continue
            items.append(self.either())

    def either(self):
        parts = [self.unary()]
        while self.word("OR", "||"):
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else ("or", parts)

    def unary(self):
        c = self.peek()
        if c == "+":
            self.i += 1
            return self.primary()
        if c in ("-", "!") or self.word("NOT"):
            if c in ("-", "!"):
                self.i += 1
            return ("not", self.primary())
        return self.primary()

    def primary(self):
        if self.peek() == "(":
            self.i += 1
            node = self.sequence(closing=True)
            if self.peek() != ")":
                self.fail("missing )")
            self.i += 1
            return node
        start = self.i
        while self.i < len(self.text) and (self.text[self.i].isalnum() or self.text[self.i] in "_.*"):
            self.i += 1
        name = self.text[start:self.i]
        if not name or self.i >= len(self.text) or self.text[self.i] != ":":
            self.fail("expected field:value")
        self.i += 1
        if name == "*" and self.text.startswith("*", self.i):
            self.i += 1
            return ("all",)
        c = self.text[self.i] if self.i < len(self.text) else ""
        if c == "(":
            self.i += 1
            return self.values(name)
        if c and c in "[{":
            return self.range(name)
        return ("term", name, self.value())

    def values(self, name: str):
        """``field:(a OR b)``: the values of one field, with OR or AND (CKAN's default) between them."""
        terms, operators, pending = [], set(), None
        while True:
            c = self.peek()
            if not c:
                self.fail("missing )")
            if c == ")":
                self.i += 1
                break
            if self.word("OR", "||"):
                pending = "or"
                continue
            if self.word("AND", "&&"):
                pending = "and"
                continue
            if terms:
                operators.add(pending or "and")
            pending = None
            terms.append(("term", name, self.value()))
        if not terms:
            self.fail("empty ()")
        if len(operators) > 1:
            self.fail("AND and OR mixed inside ()")
        if len(terms) == 1:
            return terms[0]
        return ("or" if operators == {"or"} else "and", terms)

    def value(self) -> str:
        out = []
        if self.i < len(self.text) and self.text[self.i] == '"':
            self.i += 1
            while self.i < len(self.text) and self.text[self.i] != '"':
                if self.text[self.i] == "\\" and self.i + 1 < len(self.text):
                    self.i += 1
                out.append(self.text[self.i])
                self.i += 1
            if self.i >= len(self.text):
                self.fail("missing closing quote")
            self.i += 1
            return "".join(out)
        while self.i < len(self.text) and not self.text[self.i].isspace() and self.text[self.i] not in "()":
            if self.text[self.i] == "\\" and self.i + 1 < len(self.text):
                self.i += 1
            out.append(self.text[self.i])
            self.i += 1
        if not out:
            self.fail("missing value")
        return "".join(out)

    def range(self, name: str):
        inclusive = self.text[self.i] == "["
        end = min((p for p in (self.text.find("]", self.i), self.text.find("}", self.i)) if p >= 0), default=-1)
        if end < 0:
            self.fail("unclosed range")
        low, sep, high = self.text[self.i + 1:end].strip().partition(" TO ")
        if not sep:
            self.fail("a range is [from TO to]")
        self.i = end + 1
        return ("range", name, low.strip(), high.strip(), inclusive)


@dataclass
class Filters:
    """What ``fq`` asks for, in govcat's terms."""

    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    modified_after: datetime | None = None      # metadata_modified lower bound
    inclusive: bool = True
    nothing: bool = False                       # a clause no package can satisfy


def _flatten(node, kind: str) -> list:
    if node[0] == kind:
        return [leaf for child in node[1] for leaf in _flatten(child, kind)]
    return [node]


def _when(text: str) -> datetime | None:
    if text in ("*", "NOW"):
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        raise invalid("fq", f"metadata_modified: not a date {text[:40]!r}", f"metadata_modified 不是有效的日期：{text[:40]}")
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def parse_filters(texts: list[str]) -> Filters:
    """The filters of ``fq`` (and ``fq_list``): raise naming any field this catalog cannot filter."""
    clauses = []
    for text in texts:
        if len(text) > MAX_FQ_CHARS:
            raise invalid("fq", f"fq is longer than {MAX_FQ_CHARS} characters", f"fq 长度不能超过 {MAX_FQ_CHARS}")
        if text.strip():
            clauses += _flatten(_Parser(text).parse(), "and")
    names = {leaf[1] for clause in clauses for leaf in _flatten(clause, "or") if leaf[0] in ("term", "range")}
    unknown = sorted(names - set(KNOWN_FIELDS))
    if unknown:
        raise invalid("fq", f"Unknown field(s) in fq: {', '.join(unknown)}; known: {', '.join(KNOWN_FIELDS)}",
                      f"fq 中有无法筛选的字段：{', '.join(unknown)}")
    result = Filters()
    wanted: dict[str, list[set[str]]] = {}
    asked_as: dict[str, str] = {}
    for clause in clauses:
        kind = clause[0]
        if kind == "all":
            continue
        if kind == "not":
            raise invalid("fq", "Negative filters (-field:value, NOT) are not supported",
                          "不支持排除条件（-field:value、NOT）")
        if kind == "range":
            _range(result, clause)
            continue
        leaves = _flatten(clause, "or")
        if any(leaf[0] == "all" for leaf in leaves):
            continue
        if any(leaf[0] != "term" for leaf in leaves) or len({leaf[1] for leaf in leaves}) > 1:
            raise invalid("fq", "OR may only join values of one field: field:(a OR b)",
                          "OR 只能连接同一字段的取值，如 field:(a OR b)")
        name, values = leaves[0][1], {leaf[2] for leaf in leaves}
        if name in RANGE_FIELDS:
            raise invalid("fq", f"{name} takes a range: {name}:[<date> TO *]", f"{name} 应为范围：[<日期> TO *]")
        if name in CONSTANT_FIELDS:
            allowed = CONSTANT_FIELDS[name]
            if allowed is not None and not {x.lower() for x in values} & allowed:
                result.nothing = True
            continue
        translated = {_TRANSLATE[name](x) for x in values} - {None}
        if not translated:
            result.nothing = True
            continue
        facets = {facet for facet, _ in translated}
        if len(facets) > 1:
            raise invalid("fq", f"{name}: themes and classifications cannot be alternatives in one clause",
                          f"{name}：数据主题与分类不能在同一条件中以 OR 连接")
        facet = facets.pop()
        asked_as.setdefault(facet, name)
        wanted.setdefault(facet, []).append({x for _, x in translated})
    for facet, sets in wanted.items():
        multi = any(f.multi for f in FIELDS.values() if facet in f.facets)
        if multi and any(s != sets[0] for s in sets):
            raise invalid("fq", f"{asked_as[facet]}: several values can be alternatives (a OR b) but cannot all "
                                f"be required at once", f"{asked_as[facet]}：多个取值只能以 OR 连接，不能同时要求")
        common = set.intersection(*sets)
        if not common:
            result.nothing = True
        else:
            result.filters[facet] = tuple(sorted(common))
    return result


def _range(result: Filters, clause) -> None:
    _, name, low, high, inclusive = clause
    if name not in RANGE_FIELDS:
        raise invalid("fq", f"{name}: ranges are supported on metadata_modified only",
                      f"{name}：只有 metadata_modified 支持范围查询")
    if _when(high) is not None:
        raise invalid("fq", "metadata_modified: only open ranges [<date> TO *] are supported",
                      "metadata_modified：只支持 [<日期> TO *] 形式的范围")
    after = _when(low)
    if after is not None and (result.modified_after is None or after > result.modified_after):
        result.modified_after, result.inclusive = after, inclusive


# -- sort -----------------------------------------------------------------------------------

SORTS = {
    "score desc": "relevance",
    "rank": "relevance",
    "metadata_modified desc": "modified",
    "title_string asc": "title",
    # CKAN ids are opaque: "id asc" asks for a stable order to page through (harvesters send it).
    "id asc": "modified",
}


def parse_sort(raw: str, has_text: bool) -> str:
    """The engine's sort for a CKAN sort string; its first key decides, the rest break ties."""
    first = " ".join((raw or "").split(",")[0].lower().split())
    if not first:
        sort = "relevance"
    elif first in SORTS:
        sort = SORTS[first]
    else:
        raise invalid("sort", f"Unsupported sort {raw[:60]!r}; one of: score desc, metadata_modified desc, "
                              "title_string asc, id asc (a stable order)",
                      "不支持的排序方式")
    return "modified" if sort == "relevance" and not has_text else sort

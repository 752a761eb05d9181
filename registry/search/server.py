"""The server search engine: an OpenSearch or Elasticsearch cluster, through its own Python client.

Why it exists: the embedded engine serves one machine; a cluster serves many machines from one
index, with replicas.  It answers the same contract (:mod:`registry.search.query`) as the embedded
engine, and the contract suite runs on both.

One implementation serves both products: request bodies (settings and mappings, queries,
aggregations) are built once here, and a small adapter per client sends them —
``opensearchpy.OpenSearch`` takes bodies in ``body=``, ``elasticsearch.Elasticsearch`` (8/9)
takes their fields as keyword arguments.  Nothing else differs.

Index layout: the configured name (``GOVCAT_SEARCH_INDEX``) is an alias.  A rebuild creates a new
index ``<alias>-<timestamp>``, loads and refreshes it, then moves the alias in one ``_aliases``
request and deletes the old indices; searches never see a half-built index.  The first write to a
server without the alias creates the first index.

Text: analysed in Python (:mod:`registry.search.analysis`), so the index needs only core analysis
— the prebuilt ``whitespace`` analyzer on the documents' token fields, ``keyword``, ``long`` and
``date`` fields — and works on a cluster without the ``analysis-common`` module.  Queries come from
the same :class:`~registry.search.plan.Plan` as the embedded engine's (terms, phrases, prefixes,
``minimum_should_match``); query text is never parsed as query syntax.  Highlights are made in
Python from the stored texts, as in the embedded engine.  Each index records its analysis in its
mapping's ``_meta``; an index of another analysis is reported stale, never searched or written,
until ``govcat reindex`` builds a new one.

Failures: every transport error, timeout and refusal is :class:`SearchUnavailable`; after a server
gave no answer at all, calls fail at once for a few seconds.  Credentials in ``GOVCAT_SEARCH_URL``
are sent as HTTP basic authentication and never shown.
"""
from __future__ import annotations

import logging
import re
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Iterable

from vocab.codes import RESOURCE_CODE_RE, is_valid_credit_code
from registry.search.clients import ADAPTERS, Missing, error_summary, parse_urls
from registry.search.analysis import analysis_version, prefix_token
from registry.search.engine import KEYWORD_FIELDS, Progress, SearchUnavailable
from registry.search.plan import (GRAM_FIELDS, PROXIMITY_BOOST, PROXIMITY_SLOP, TIE_BREAKER, TITLE_FIELDS, WORD_FIELDS,
                                  Alternative, Plan, highlight, in_title, read)
from registry.search.query import (CLASSIFICATION_COUNT_FIELD, FACETS_BY_NAME, Hit, SearchQuery, SearchResult,
                                   Visibility, decode_cursor, encode_cursor)

log = logging.getLogger(__name__)

KINDS = ("opensearch", "elasticsearch")
PAUSE_SECONDS = 5.0              # after a transport failure, calls fail at once for this long (no pile-up)
WINDOW = 10_000                  # the servers' index.max_result_window: deeper pages walk with search_after
SNIPPET_CHARS = {"title": 200, "description": 240}
SORTS = {"relevance": [{"_score": "desc"}], "modified": [{"modified": "desc"}], "title": [{"title_sort": "asc"}],
         "quality": [{"quality_points": {"order": "desc", "missing": "_last", "unmapped_type": "integer"}}]}
TIE_BREAK = [{"resource_id": "asc"}, {"id": "asc"}]
ALIAS_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,200}$")

_TOKENS = {"type": "text", "analyzer": "whitespace"}       # the prebuilt analyzer: core everywhere
INDEX_BODY = {
    "settings": {"number_of_shards": 1},
    "mappings": {
        "dynamic": False,                 # the texts kept for display are in _source, not indexed
        "_meta": {"govcat_analysis": None},      # set when an index is created: analysis_version()
        "properties": {
            **{name: {"type": "keyword"} for name in KEYWORD_FIELDS},
            "resource_id": {"type": "long"}, "department_id": {"type": "long"}, "modified": {"type": "date"},
            "quality_points": {"type": "integer"},
            **{name: dict(_TOKENS) for name in [*WORD_FIELDS, *GRAM_FIELDS, "suggest"]},
        },
    },
}


def _words(field: str, tokens: tuple[str, ...], boost: float, slop: int = 0) -> dict:
    if len(tokens) == 1:
        return {"term": {field: {"value": tokens[0], "boost": boost}}}
    return {"match_phrase": {field: {"query": " ".join(tokens), "slop": slop, "boost": boost}}}


def _alternative(alt: Alternative, word_fields: dict, gram_fields: dict) -> dict:
    """An alternative found in any field: its words, its bigrams in a row, its character, or all its parts."""
    clauses = [_words(f, alt.words, w) for f, w in word_fields.items() if alt.words]
    grams = gram_fields if alt.recall else in_title(gram_fields)
    clauses += [_words(f, alt.grams, w) for f, w in grams.items() if alt.grams]
    clauses += [{"prefix": {f: {"value": alt.prefix, "boost": w}}} for f, w in gram_fields.items() if alt.prefix]
    if alt.parts:
        clauses.append({"bool": {"must": [_alternative(p, word_fields, gram_fields) for p in alt.parts]}})
    return {"bool": {"should": clauses, "minimum_should_match": 1, "boost": alt.boost}}


def plan_query(plan: Plan, word_fields: dict = WORD_FIELDS, gram_fields: dict = GRAM_FIELDS) -> dict:
    """The server query of a plan, clause for clause the embedded engine's (``embedded.plan_query``)."""
    def group(g, words=word_fields, grams=gram_fields):
        return {"dis_max": {"queries": [_alternative(a, words, grams) for a in g.alternatives],
                            "tie_breaker": TIE_BREAKER}}

    ranking = [group(g, in_title(word_fields), in_title(gram_fields)) for g in plan.optional]
    if plan.proximity and "title_words" in word_fields:
        ranking.append(_words("title_words", plan.proximity, PROXIMITY_BOOST, PROXIMITY_SLOP))
    core = {"bool": {"should": [group(g) for g in plan.required], "minimum_should_match": plan.minimum}}
    return {"bool": {"must": [core], "should": ranking}}


class ServerEngine:
    """The OpenSearch / Elasticsearch engine behind the alias ``alias``."""

    def __init__(self, hosts: list[str], *, auth: tuple[str, str] | None = None, kind: str = "auto",
                 alias: str = "govcat", ca_certs: str | None = None, verify_certs: bool = True):
        if kind not in (*KINDS, "auto"):
            raise ValueError(f"GOVCAT_SEARCH_ENGINE is opensearch, elasticsearch or auto, not {kind!r}")
        if not ALIAS_NAME.match(alias):
            raise ValueError(f"GOVCAT_SEARCH_INDEX {alias!r}: lower-case letters, digits, '.', '_' and '-'")
        self.hosts, self.alias, self._auth = hosts, alias, auth
        secure = hosts[0].startswith("https:")   # parse_urls: one scheme for all nodes
        self._tls = {"verify_certs": verify_certs, **({"ca_certs": ca_certs} if ca_certs else {})} if secure else {}
        self._family_re = re.compile(rf"^{re.escape(alias)}-\d{{20}}$")
        self._lock = threading.Lock()
        self._server: dict = {}
        self._paused_until, self._last_failure = 0.0, ""
        self._analysis_checked = False
        self.name = kind
        self._adapter = ADAPTERS[kind](hosts, auth, self._tls) if kind in KINDS else None

    @classmethod
    def from_config(cls, config: dict) -> ServerEngine:
        hosts, auth = parse_urls(config.get("GOVCAT_SEARCH_URL") or "")
        return cls(hosts, auth=auth, kind=(config.get("GOVCAT_SEARCH_ENGINE") or "auto").strip().lower(),
                   alias=config.get("GOVCAT_SEARCH_INDEX") or "govcat",
                   ca_certs=config.get("GOVCAT_SEARCH_CA_CERTS") or None,
                   verify_certs=config.get("GOVCAT_SEARCH_VERIFY_CERTS", True) not in (False, "false", "0"))

    def __repr__(self) -> str:
        return f"ServerEngine({self.name}, {', '.join(self.hosts)}, alias={self.alias})"

    # -- talking to the server ---------------------------------------------------------------

    def _client(self):
        """The adapter; with ``auto``, the first call asks the server what it is."""
        if self._adapter is None:
            with self._lock:
                if self._adapter is None:
                    probe = ADAPTERS["opensearch"](self.hosts, self._auth, self._tls)
                    with self._calling("GET /", probe):
                        self._server = probe.info().get("version", {})
                    self.name = "opensearch" if self._server.get("distribution") == "opensearch" else "elasticsearch"
                    self._adapter = probe if self.name == "opensearch" else \
                        ADAPTERS["elasticsearch"](self.hosts, self._auth, self._tls)
        return self._adapter

    @contextmanager
    def _calling(self, what: str, adapter=None):
        """Client errors as :class:`SearchUnavailable`; a missing index as :class:`Missing`."""
        adapter = adapter or self._adapter
        try:
            yield
        except adapter.errors as error:
            status, reason = error_summary(error)
            if status == 404 and "index_not_found" in reason:
                raise Missing(reason) from error
            message = f"{self.name} {what} failed: {status or type(error).__name__} {reason}"
            if status is None:       # no answer at all: the server is down or unreachable
                self._paused_until, self._last_failure = time.monotonic() + PAUSE_SECONDS, message
            raise SearchUnavailable(message) from error

    def _call(self, what: str, method: str, *args):
        if time.monotonic() < self._paused_until:
            raise SearchUnavailable(f"{self._last_failure} (not retried for {PAUSE_SECONDS:.0f} s)")
        client = self._client()
        with self._calling(what):
            return getattr(client, method)(*args)

    def _search(self, body: dict) -> dict:
        return self._call("search", "search", self.alias, body)

    # -- indices and the alias ---------------------------------------------------------------

    def _alias_state(self) -> tuple[list[str], bool]:
        """The indices the alias points at, and whether a plain index has the alias's name."""
        answer = self._call("alias lookup", "aliases", self.alias)      # {} when there is none
        return sorted(name for name in answer if name != self.alias), self.alias in answer

    def _new_index(self, loading: bool = False, with_alias: bool = False) -> str:
        name = f"{self.alias}-{datetime.now(timezone.utc).strftime('%Y%m%d%H%M%S%f')}"
        body = {"settings": {**INDEX_BODY["settings"], **({"refresh_interval": "-1"} if loading else {})},
                "mappings": {**INDEX_BODY["mappings"], "_meta": {"govcat_analysis": analysis_version()}}}
        if with_alias:
            body["aliases"] = {self.alias: {}}
        self._call("index creation", "create_index", name, body)
        return name

    def analysis(self) -> list[str | None]:
        """The analysis of each index behind the alias (None: one built before analysis was recorded)."""
        try:
            answer = self._call("mapping", "mapping", self.alias)
        except Missing:
            return []
        return [((m.get("mappings") or {}).get("_meta") or {}).get("govcat_analysis") for m in answer.values()]

    def _check_analysis(self) -> None:
        """Refuse an index built with another analysis: its tokens would silently not match the queries."""
        if self._analysis_checked:
            return
        stale = [built for built in self.analysis() if built != analysis_version()]
        if stale:
            raise SearchUnavailable(f"{self.name}: the index {self.alias} was built with analysis "
                                    f"{stale[0] or 'before words'}, this govcat reads {analysis_version()}: "
                                    "run 'govcat reindex'")
        self._analysis_checked = True

    def _ensure_alias(self) -> None:
        """Create the first index behind the alias; if several processes raced, the oldest stays."""
        if self._alias_state()[0]:
            return
        mine = self._new_index(with_alias=True)
        live = self._alias_state()[0]
        if live and live[0] != mine:
            self._call("alias repair", "update_aliases", [{"remove_index": {"index": mine}}])

    def _family(self) -> list[str]:
        answer = self._call("index listing", "aliases", f"{self.alias}-*")
        return sorted(name for name in answer if self._family_re.match(name))

    # -- writing -----------------------------------------------------------------------------

    @staticmethod
    def _operations(documents: list[dict], delete_ids: list[str]) -> list[dict]:
        operations: list[dict] = [{"delete": {"_id": doc_id}} for doc_id in delete_ids]
        for document in documents:
            # An empty keyword (no licence, say) is no facet value, as in the embedded engine.
            operations += [{"index": {"_id": document["id"]}},
                           {k: v for k, v in document.items() if not (k in KEYWORD_FIELDS and v in ("", []))}]
        return operations

    def _bulk(self, index: str, operations: list[dict], refresh: bool, require_alias: bool) -> None:
        answer = self._call("bulk write", "bulk", index, operations, refresh, require_alias)
        if not answer.get("errors"):
            return
        errors = [item for entry in answer["items"] for item in entry.values() if item.get("error")]
        error = errors[0]["error"] if errors else {}
        if isinstance(error, dict) and error.get("type") == "index_not_found_exception":
            raise Missing(error.get("reason", ""))
        raise SearchUnavailable(f"{self.name} refused {len(errors)} document(s): {str(error)[:300]}")

    def write(self, documents: list[dict], delete_ids: list[str]) -> None:
        if not documents and not delete_ids:
            return
        operations = self._operations(documents, delete_ids)
        self._check_analysis()
        try:   # require_alias: never let the server auto-create a plain index with guessed mappings
            self._bulk(self.alias, operations, refresh=True, require_alias=True)
        except Missing:
            self._ensure_alias()
            try:
                self._bulk(self.alias, operations, refresh=True, require_alias=True)
            except Missing as error:
                raise SearchUnavailable(f"{self.name}: alias {self.alias} missing after creation") from error

    def rebuild(self, batches: Iterable[list[dict]], progress: Progress | None = None) -> int:
        name = self._new_index(loading=True)
        count = 0
        try:
            for batch in batches:
                if batch:
                    self._bulk(name, self._operations(batch, []), refresh=False, require_alias=False)
                count += len(batch)
                if progress:
                    progress(len(batch))
            self._call("settings", "put_settings", name, {"index": {"refresh_interval": None}})
            self._call("refresh", "refresh", name)
            live, plain = self._alias_state()
            actions = [{"remove": {"index": old, "alias": self.alias}} for old in live]
            actions += [{"remove_index": {"index": self.alias}}] if plain else []
            self._call("alias swap", "update_aliases", actions + [{"add": {"index": name, "alias": self.alias}}])
            self._analysis_checked = True
        except BaseException:
            self._delete_quietly([name])
            raise
        # The old indices, and leftovers of failed builds; a build started after this one is left alone.
        self._delete_quietly([old for old in self._family() if old < name or old in live])
        return count

    def _delete_quietly(self, names: list[str]) -> None:
        if names:
            try:
                self._call("index deletion", "delete_indices", names)
            except (SearchUnavailable, Missing) as error:
                log.warning("search indices %s not deleted: %s", ", ".join(names), error)

    def drop(self) -> None:
        """Delete the alias and every index of it (tests, and retiring an installation)."""
        live, plain = self._alias_state()
        names = sorted(set(self._family()) | set(live) | ({self.alias} if plain else set()))
        if names:
            try:
                self._call("index deletion", "delete_indices", names)
            except Missing:
                pass                  # deleted meanwhile

    # -- reading -----------------------------------------------------------------------------

    @staticmethod
    def _visibility(visibility: Visibility) -> list[dict]:
        if visibility.public:
            return [{"term": {"kind": "public"}}]
        clauses = [{"term": {"kind": "working"}}]
        if visibility.departments is not None:
            clauses.append({"terms": {"department_id": sorted(visibility.departments) or [-1]}})
        if visibility.states:
            clauses.append({"terms": {"state": sorted(visibility.states)}})
        return clauses

    @staticmethod
    def _text_query(plan: Plan | None, text: str, word_fields: dict = WORD_FIELDS,
                    gram_fields: dict = GRAM_FIELDS) -> dict | None:
        """The plan's query, or the exact resource or credit code."""
        clauses: list[dict] = [plan_query(plan, word_fields, gram_fields)] if plan else []
        code = text.strip().upper()
        if RESOURCE_CODE_RE.match(code) or is_valid_credit_code(code):
            clauses.append({"term": {"codes": {"value": code, "boost": 20.0}}})
        return {"bool": {"should": clauses, "minimum_should_match": 1}} if clauses else None

    @staticmethod
    def _recency(query: dict) -> dict:
        """At most ×1.17 for what changed today, fading over about a year — as the embedded engine."""
        decay = {"exp": {"modified": {"origin": "now/d+1d", "scale": "365d", "decay": 0.3679}}, "weight": 0.17}
        return {"function_score": {"query": query, "functions": [decay, {"weight": 1}], "score_mode": "sum",
                                   "boost_mode": "multiply"}}

    def search(self, query: SearchQuery) -> SearchResult:
        empty = SearchResult([], 0, {name: [] for name in query.facets}, relaxed=query.relaxed)
        self._check_analysis()
        must: list[dict] = []
        plan = read(query.text) if query.text else None
        if plan is not None and query.relaxed:
            plan = plan.relax() or plan
        if query.text:
            text_query = self._text_query(plan, query.text)
            if text_query is None:
                return empty
            must.append(text_query)
        visible = self._visibility(query.visibility)
        if query.modified_since is not None:
            visible.append({"range": {"modified": {"gte": int(query.modified_since.timestamp() * 1000),
                                                   "format": "epoch_millis"}}})
        base = {"bool": {"filter": visible, "must": must or [{"match_all": {}}]}}
        filters = {name: {"terms": {FACETS_BY_NAME[name].field: list(values)}}
                   for name, values in query.filters.items()}
        body = {"query": self._recency(base) if query.sort == "relevance" else base,
                "sort": SORTS.get(query.sort, SORTS["relevance"]) + TIE_BREAK}
        if filters:
            body["post_filter"] = {"bool": {"filter": list(filters.values())}}
        position = decode_cursor(query.cursor) if query.cursor else {"o": query.offset}
        offset = position.get("o", 0) if isinstance(position.get("o"), int) and position["o"] >= 0 else 0
        after = position.get("a")     # the last hit's sort values: valid only for the same sort
        if not (position.get("s") == query.sort and isinstance(after, list) and len(after) == len(body["sort"])
                and all(isinstance(x, (int, float, str)) for x in after)):
            after = None
        try:
            if after is None and offset + query.per_page > WINDOW:
                after = self._skip(body, offset)
                if after is None:         # fewer than `offset` hits: an empty page, with totals and facets
                    return self._answer(query, {**body, "size": 0}, offset, filters, plan)
            page = {**body, "size": query.per_page, **({"search_after": after} if after else {"from": offset})}
            return self._answer(query, page, offset, filters, plan)
        except Missing:
            return empty

    def _skip(self, body: dict, offset: int) -> list | None:
        """The sort values of hit number ``offset`` (past the window ``from`` can reach), or None."""
        after, left = None, offset
        while left:
            size = min(left, WINDOW)
            answer = self._search({**body, "size": size, "_source": False, "track_total_hits": False,
                                   **({"search_after": after} if after else {})})
            hits = answer["hits"]["hits"]
            if len(hits) < size:
                return None
            after, left = hits[-1]["sort"], left - size
        return after

    def _answer(self, query: SearchQuery, body: dict, offset: int, filters: dict, plan: Plan | None) -> SearchResult:
        aggs = {}
        for name in query.facets:
            others = [clause for other, clause in filters.items() if other != name]
            field = CLASSIFICATION_COUNT_FIELD if name == "classification" else FACETS_BY_NAME[name].field
            aggs[name] = {"filter": {"bool": {"filter": others}},
                          "aggs": {"values": {"terms": {"field": field, "size": FACETS_BY_NAME[name].size}}}}
        source = ["resource_id", *SNIPPET_CHARS] if plan else ["resource_id"]
        body = {**body, "track_total_hits": True, "_source": source, **({"aggs": aggs} if aggs else {})}
        answer = self._search(body)
        hits = [Hit(int(h["_source"]["resource_id"]), h["_score"] if query.sort == "relevance" else None,
                    self._highlights(h["_source"], plan))
                for h in answer["hits"]["hits"]]
        total = answer["hits"]["total"]["value"]
        facets = {name: [(b["key"], b["doc_count"]) for b in answer.get("aggregations", {})[name]["values"]["buckets"]]
                  for name in aggs}
        end = offset + len(hits)
        cursor = encode_cursor({"o": end, "s": query.sort, "a": answer["hits"]["hits"][-1]["sort"]}) \
            if hits and end < total else None
        return SearchResult(hits, total, facets, cursor, query.relaxed)

    @staticmethod
    def _highlights(source: dict, plan: Plan | None) -> dict[str, str]:
        if plan is None:
            return {}
        marks = {field: highlight(source.get(field) or "", plan, chars) for field, chars in SNIPPET_CHARS.items()}
        return {field: html for field, html in marks.items() if html}

    def suggest(self, prefix: str, visibility: Visibility, limit: int) -> list[tuple[int, str]]:
        token = prefix_token(prefix)
        if not token or limit <= 0:
            return []
        self._check_analysis()
        visible = self._visibility(visibility)
        body = {"size": limit, "sort": [{"modified": "desc"}, *TIE_BREAK], "_source": ["resource_id", "title"]}
        try:
            found = self._search({**body, "query": {"bool": {"filter": visible, "must": [
                {"term": {"suggest": token}}]}}})["hits"]["hits"]
            contains = self._text_query(read(prefix), prefix, *TITLE_FIELDS)
            if len(found) < limit and contains is not None:
                seen = [h["_id"] for h in found]
                found += self._search({**body, "size": limit - len(found), "query": {"bool": {
                    "filter": visible, "must": [contains], "must_not": [{"ids": {"values": seen}}]}}})["hits"]["hits"]
        except Missing:
            return []
        return [(int(h["_source"]["resource_id"]), h["_source"]["title"]) for h in found[:limit]]

    def counts(self) -> dict[str, int]:
        try:
            answer = self._search({"size": 0, "aggs": {"kind": {"terms": {"field": "kind", "size": 5}}}})
            buckets = answer["aggregations"]["kind"]["buckets"]
        except Missing:
            buckets = []
        return {"public": 0, "working": 0, **{b["key"]: b["doc_count"] for b in buckets}}

    def document_ids(self) -> set[str]:
        ids: set[str] = set()
        body: dict = {"size": WINDOW, "sort": [{"id": "asc"}], "_source": False, "track_total_hits": False,
                      "query": {"match_all": {}}}
        try:
            while True:
                hits = self._search(body)["hits"]["hits"]
                ids.update(h["_id"] for h in hits)
                if len(hits) < WINDOW:
                    return ids
                body["search_after"] = hits[-1]["sort"]
        except Missing:
            return set()

    def keyword_terms(self, limit: int) -> list[str]:
        """The catalog's most used keywords (of public resources), for did-you-mean."""
        self._check_analysis()
        try:
            answer = self._search({"size": 0, "query": {"term": {"kind": "public"}},
                                   "aggs": {"k": {"terms": {"field": "keywords", "size": limit}}}})
        except Missing:
            return []
        return [b["key"] for b in answer["aggregations"]["k"]["buckets"]]

    def describe(self) -> dict:
        """Engine, server version, nodes (without credentials), alias and the live index; never raises."""
        report = {"engine": self.name, "hosts": list(self.hosts), "alias": self.alias}
        try:
            if not self._server:
                self._server = self._call("GET /", "info").get("version", {})
            live, _ = self._alias_state()
            built = self.analysis()
            report.update(analysis=built[0] if len(built) == 1 else built or None,
                          analysis_current=all(b == analysis_version() for b in built))
            report.update(engine=self.name, available=True, index=live[0] if len(live) == 1 else live or None,
                          version=self._server.get("number"),
                          distribution=self._server.get("distribution") or self.name)
        except SearchUnavailable as error:
            report.update(available=False, error=str(error))
        return report


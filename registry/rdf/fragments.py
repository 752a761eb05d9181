"""Each resource's triples kept ready for pyoxigraph, so a catalog page is not mapped anew every time.

A catalog page of 100 resources is some 11,000 triples: mapping them (``vocab.mapping``) and
converting rdflib terms to pyoxigraph's cost some 50 ms of CPU a page, against a few ms for the rest
(search, database, serialising).  The same resources are asked for again and again (the newest
pages, the pages harvesters walk each night), so each serving process keeps the converted triples
of the resources it has mapped, with the concepts they point to, in a bounded least-recently-used
cache.

The key is the content itself: a digest of the representation (document, code, version, dates),
the catalog's base IRI and the publisher's names.  Whatever changes a resource's triples changes
its key, so an entry is never stale; entries that are no longer asked for fall out.
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

import orjson
from rdflib import URIRef

from registry.rdf.writing import to_ox
from vocab.mapping import resource_triples

CAPACITY = 4000        # resources a process keeps: ~25 MB (about 110 triples each)


class FragmentCache:
    def __init__(self, capacity: int = CAPACITY):
        self.capacity = capacity
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key, entry) -> None:
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


cache = FragmentCache()


def _key(item: dict, base: str, department) -> bytes | None:
    names = (getattr(department, "name", None), getattr(department, "name_en", None)) if department else None
    try:
        text = orjson.dumps([base, names, item], option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
    except TypeError:          # something not JSON: map it, but do not keep it
        return None
    return hashlib.blake2b(text, digest_size=20).digest()


def resource_fragment(item: dict, base: str, department, described: dict) -> tuple[URIRef, list, list]:
    """``(subject, ox triples, concepts used)`` of one resource's representation.

    ``described`` maps the concept IRIs a page describes to their triples; the concepts a resource
    points to are those of its objects found there.
    """
    key = _key(item, base, department)
    found = cache.get(key) if key is not None else None
    if found is not None and found[3] is described:
        return found[0], found[1], found[2]
    subject, triples = resource_triples(item, base=base, department=department)
    used = sorted({o for _, _, o in triples if isinstance(o, URIRef) and o in described})
    converted = to_ox(triples)
    if key is not None:
        cache.put(key, (subject, converted, used, described))
    return subject, converted, used

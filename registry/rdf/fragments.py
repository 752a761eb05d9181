"""Each public resource's triples kept ready for pyoxigraph, so a catalog page is not mapped anew every time.

A catalog page of 100 resources is some 11,000 triples: reading the documents, mapping them
(``vocab.mapping``) and converting rdflib terms to pyoxigraph's cost some 70 ms of CPU a page,
against a few ms for the rest (search, the rows, serialising).  The same resources are asked for
again and again (the newest pages, the pages harvesters walk each night), so each serving process
keeps the converted triples of the published resources it has mapped, with the concepts they point
to, in a least-recently-used cache of ``GOVCAT_RDF_KEPT_RESOURCES`` entries, and reads a document only for a resource it does not
hold.

The key is what the published triples are made of: the database, the resource's id, code, version
and dates (every change of a resource raises its version), its department's version and names,
and the catalog's base IRI.  Whatever changes a resource's triples changes its key, so an entry is
never stale; entries that are no longer asked for fall out.  The concepts a resource points to
depend on the classification tree: entries made against another tree are mapped again.
"""
from __future__ import annotations

import threading
from collections import OrderedDict

from rdflib import URIRef
from sqlalchemy import select
from sqlalchemy.orm import Session, undefer

from registry.rdf.writing import to_ox
from registry.resources.models import Resource
from registry.resources.services import resource_representation
from vocab.mapping import resource_triples

class FragmentCache:
    """At most ``capacity`` entries (``GOVCAT_RDF_KEPT_RESOURCES``: some 55 KB each, ~110 triples)."""

    def __init__(self, capacity: int = 1000):
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
            if self.capacity <= 0:
                return
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


def _key(database: str, base: str, row: Resource) -> tuple:
    department = row.department
    return (database, base, row.id, row.code, row.version, row.state, row.created_at, row.published_at,
            department.id, department.version, department.name, department.name_en)


def published_fragments(session: Session, rows: list[Resource], base: str, described: dict) -> list:
    """For each public row: ``(subject, ox triples, concepts used)``, or the error that mapping it raised.

    The rows may come without their documents (deferred); those of the resources not kept are
    read in one query.  ``described`` maps the concept IRIs a page describes to their triples.
    """
    database = session.get_bind().url.render_as_string(hide_password=True)
    keys = [_key(database, base, row) for row in rows]
    found = [cache.get(key) for key in keys]
    found = [entry if entry is not None and entry[3] is described else None for entry in found]
    missing = [row.id for row, entry in zip(rows, found) if entry is None]
    if missing:          # their documents, in one query (the rows in the session get them)
        session.scalars(select(Resource).where(Resource.id.in_(missing))
                        .options(undefer(Resource.doc), undefer(Resource.published_doc),
                                 undefer(Resource.missing_fields))
                        .execution_options(populate_existing=True)).all()
    out = []
    for row, key, entry in zip(rows, keys, found):
        if entry is None:
            try:
                subject, triples = resource_triples(resource_representation(row, "published"), base=base,
                                                    department=row.department)
            except Exception as error:   # one bad record never costs the page: the caller skips it
                out.append(error)
                continue
            used = sorted({o for _, _, o in triples if isinstance(o, URIRef) and o in described})
            entry = (subject, to_ox(triples), used, described)
            cache.put(key, entry)
        out.append(entry[:3])
    return out

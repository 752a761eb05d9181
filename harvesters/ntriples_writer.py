"""Rewriting an RDF file as N-Triples lines, in a process of its own beside the job.

The first pass over a big DCAT file (:mod:`harvesters.dcat_stream`) is two jobs that can run at
once: parsing the file into N-Triples lines, and marking each node as the lines go by.  This module
is the first, kept apart (it imports nothing but pyoxigraph) so the process that runs it starts at
once; the job's process reads the lines as they are written.
"""
from __future__ import annotations

import io

import pyoxigraph as ox

FORMATS = {"turtle": ox.RdfFormat.TURTLE, "xml": ox.RdfFormat.RDF_XML, "json-ld": ox.RdfFormat.JSON_LD,
           "nt": ox.RdfFormat.N_TRIPLES}


class Chained(io.RawIOBase):
    """A replaced start of a file, then the rest of the file: read as one stream."""

    def __init__(self, head: bytes, rest):
        self._head, self._rest = memoryview(head), rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._head:
            size = min(len(buffer), len(self._head))
            buffer[:size] = self._head[:size]
            self._head = self._head[size:]
            return size
        return self._rest.readinto(buffer)

    def close(self) -> None:
        self._rest.close()
        super().close()


def write_ntriples(source: str, fmt: str, base_iri: str, target: str, head: bytes | None, skip: int,
                   answer=None) -> str | None:
    """Parse ``source`` (its first ``skip`` bytes replaced by ``head`` when given) and write its
    statements to ``target`` as N-Triples; the parser's complaint, or ``None``.  In a child process
    the answer goes through the connection ``answer`` as well."""
    error = None
    try:
        if head is None:
            triples = ox.parse(path=source, format=FORMATS[fmt], base_iri=base_iri)
        else:
            rest = open(source, "rb")
            rest.seek(skip)
            triples = ox.parse(input=io.BufferedReader(Chained(head, rest), 1 << 20), format=FORMATS[fmt],
                               base_iri=base_iri)
        ox.serialize(triples, output=target, format=ox.RdfFormat.N_TRIPLES)
    except (SyntaxError, ValueError, OSError) as problem:
        error = f"{type(problem).__name__}: {problem}"
    if answer is not None:
        answer.send(error)
        answer.close()
    return error

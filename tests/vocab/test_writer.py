"""Streamed Turtle and N-Triples say exactly what the graph says."""
from __future__ import annotations

import io

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from tests.vocab.conftest import BASE
from tests.vocab.test_robustness import NASTY
from vocab.mapping import add_resource, resource_triples
from vocab.namespaces import new_graph
from vocab.writer import NTriplesWriter, TurtleWriter


@pytest.mark.parametrize("writer,fmt", [(TurtleWriter, "turtle"), (NTriplesWriter, "nt")])
def test_streamed_output_parses_to_the_same_graph(writer, fmt, demo_sample):
    records = [*demo_sample, {"code": "201/000001", **NASTY}]
    expected, out = new_graph(), io.StringIO()
    stream = writer(out)
    for record in records:
        _subject, triples = resource_triples(record, base=BASE)
        stream.write(triples)
        add_resource(expected, record, base=BASE)
    assert isomorphic(Graph().parse(data=out.getvalue(), format=fmt), expected)


def test_turtle_uses_the_prefixes_and_groups_by_subject(demo_sample):
    out = io.StringIO()
    TurtleWriter(out).write(resource_triples(demo_sample[0], base=BASE)[1])
    text = out.getvalue()
    assert "@prefix dcat: <http://www.w3.org/ns/dcat#> ." in text
    assert f"<{BASE}/resources/{demo_sample[0]['code']}> a dcat:Dataset ;" in text
    assert "dct:accrualPeriodicity eufreq:" in text

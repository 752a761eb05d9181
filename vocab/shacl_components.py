"""The SHACL constraint components the compiled profile implements (:mod:`vocab.profile`).

Each component reads its parameters from the shapes graph as pySHACL does and gives a
:class:`Constraint`: ``check`` lists the results for a focus node (run only for a node that does
not conform, to say why), ``test`` the lines of generated source that make the fast conformance
test.  :data:`COMPONENTS` names every parameter implemented; any other SHACL term refuses
compilation, so a constraint is never skipped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING, Callable

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD

if TYPE_CHECKING:
    from vocab.profile import Shape


class ProfileCompileError(ValueError):
    """The shapes use SHACL the compiled checker does not implement, or use it malformed."""


# Which node kinds each sh:nodeKind admits: (blank node, literal, IRI).
_NODE_KINDS = {SH.BlankNode: (True, False, False), SH.Literal: (False, True, False), SH.IRI: (False, False, True),
               SH.BlankNodeOrIRI: (True, False, True), SH.BlankNodeOrLiteral: (True, True, False),
               SH.IRIOrLiteral: (False, True, True)}
# sh:datatype as pySHACL reads it: the datatype IRI, a well-typed lexical form, and a Python value
# of the expected kind for these datatypes (any other datatype is checked by its IRI alone).
_DATATYPE_VALUES = {XSD.string: (str, bytes), RDF.langString: (str, bytes), XSD.integer: int, XSD.float: float,
                    XSD.decimal: Decimal, XSD.boolean: bool, XSD.date: date, XSD.time: time,
                    XSD.dateTime: datetime}


@dataclass(frozen=True)
class Constraint:
    """One compiled constraint: ``check(index, focus, values)`` lists its results (``None`` when
    none); ``test(source, values, focus)`` gives source lines that ``return False`` on failure
    (without one, the generated test calls ``check``)."""

    check: Callable
    test: Callable | None = None


# -- the constraint components: (compiler, shape) → Constraint ---------------------------------

def _per_value(shape: "Shape", component: str, admits, expression: str | None = None) -> Constraint:
    """One result for each value node ``admits`` refuses, the value as sh:value.  ``expression``
    (of ``v``, with ``{}`` for ``admits``'s constants) inlines the test in the generated source."""
    def check(index, focus, values):
        for v in values:
            if not admits(v):
                return [shape.result(component, focus, v) for v in values if not admits(v)]
        return None

    def test(source, values, focus):
        condition = f"{source.constant(admits)}(v)" if expression is None else expression(source)
        return [f"for v in {values}:", f"    if not ({condition}): return False"]
    return Constraint(check, test)


def _min_count(compiler, shape):
    least = compiler.count(shape.node, SH.minCount)
    return Constraint(lambda index, focus, values: None if len(values) >= least else [
        shape.result("MinCountConstraintComponent", focus)],
        lambda source, values, focus: [f"if len({values}) < {least}: return False"])


def _max_count(compiler, shape):
    most = compiler.count(shape.node, SH.maxCount)
    return Constraint(lambda index, focus, values: None if len(values) <= most else [
        shape.result("MaxCountConstraintComponent", focus)],
        lambda source, values, focus: [f"if len({values}) > {most}: return False"])


def _node_kind(compiler, shape):
    kind = compiler.one(shape.node, SH.nodeKind)
    if kind not in _NODE_KINDS:
        raise ProfileCompileError(f"shape {shape.node}: {kind} is not a node kind")
    blank, literal, iri = _NODE_KINDS[kind]
    inline = {SH.Literal: "isinstance(v, Literal)", SH.IRI: "not isinstance(v, (BNode, Literal))"}.get(kind)
    return _per_value(shape, "NodeKindConstraintComponent",
                      lambda v: blank if isinstance(v, BNode) else literal if isinstance(v, Literal) else iri,
                      inline and (lambda source: inline))


def _datatype(compiler, shape):
    datatype = compiler.one(shape.node, SH.datatype, URIRef)
    kind = _DATATYPE_VALUES.get(datatype, object)
    # Which other literals pySHACL admits: any (rdfs:Literal), typed ones (rdfs:Datatype), plain
    # ones (xsd:string) or language-tagged ones (rdf:langString).
    any_literal, any_typed = datatype == RDFS.Literal, datatype == RDFS.Datatype
    plain, tagged = datatype == XSD.string, datatype == RDF.langString

    def admits(v) -> bool:
        if not isinstance(v, Literal):
            return False
        if v.datatype == datatype:
            return not v.ill_typed and isinstance(v.value, kind)
        if any_literal or (any_typed and v.datatype is not None):
            return True
        if plain and v.datatype is None and v.language is None:
            return isinstance(v.value, kind)
        return tagged and bool(v.language) and isinstance(v.value, kind)
    return _per_value(shape, "DatatypeConstraintComponent", admits)


def _in(compiler, shape):
    allowed = frozenset(compiler.members(shape.node, SH["in"]))
    return _per_value(shape, "InConstraintComponent", allowed.__contains__,
                      lambda source: f"v in {source.constant(allowed)}")


def _pattern(compiler, shape):
    # An IRI or a literal is a str of its text or lexical form (for string literals, the string).
    matcher = re.compile(str(compiler.one(shape.node, SH.pattern, Literal)))
    return _per_value(shape, "PatternConstraintComponent",
                      lambda v: not isinstance(v, BNode) and matcher.search(v) is not None,
                      lambda source: f"not isinstance(v, BNode) and {source.constant(matcher)}.search(v) is not None")


def _min_length(compiler, shape):
    least = compiler.count(shape.node, SH.minLength)
    return _per_value(shape, "MinLengthConstraintComponent",
                      lambda v: least == 0 or (not isinstance(v, BNode) and len(v) >= least),
                      lambda source: "True" if least == 0 else f"not isinstance(v, BNode) and len(v) >= {least}")


def _language_in(compiler, shape):
    tags = compiler.members(shape.node, SH.languageIn)
    if not all(isinstance(tag, Literal) and isinstance(tag.value, str) for tag in tags):
        raise ProfileCompileError(f"shape {shape.node}: sh:languageIn lists strings")
    ranges = {str(tag).lower() for tag in tags}

    def admits(v) -> bool:
        if not isinstance(v, Literal) or not v.language:
            return False
        lang = v.language.lower()
        return "*" in ranges or lang in ranges or lang.split("-")[0] in ranges
    return _per_value(shape, "LanguageInConstraintComponent", admits)


def _on_property_shapes_only(shape: "Shape", parameter) -> None:
    if shape.path is None:
        raise ProfileCompileError(f"shape {shape.node}: {parameter.n3()} belongs on a property shape")


def _unique_lang(compiler, shape):
    _on_property_shapes_only(shape, SH.uniqueLang)
    unique = compiler.one(shape.node, SH.uniqueLang, Literal).value
    if not isinstance(unique, bool):
        raise ProfileCompileError(f"shape {shape.node}: sh:uniqueLang is a boolean")
    if not unique:
        return None

    def check(index, focus, values):
        seen, twice = set(), set()
        for v in values:
            if isinstance(v, Literal) and v.language:
                lang = v.language.lower()
                (twice if lang in seen else seen).add(lang)
        return [shape.result("UniqueLangConstraintComponent", focus) for _lang in twice] or None
    return Constraint(check)


def _has_value(compiler, shape):
    wanted = compiler.one(shape.node, SH.hasValue)
    return Constraint(lambda index, focus, values: None if wanted in values else [
        shape.result("HasValueConstraintComponent", focus)],
        lambda source, values, focus: [f"if {source.constant(wanted)} not in {values}: return False"])


def _property(compiler, shape):
    properties = [compiler.shape(node) for node in compiler.objects(shape.node, SH.property)]
    if any(p.path is None for p in properties):
        raise ProfileCompileError(f"shape {shape.node}: sh:property points to a shape without sh:path")

    def check(index, focus, values):   # the property shapes' own results, passed up as they are
        return [result for v in values for p in properties for result in p.evaluate(index, v)] or None

    def test(source, values, focus):
        if shape.path is None:   # the value is the focus node: the property shapes' tests inline
            predicates = source.fresh("predicates")
            return [f"{predicates} = index.get({focus}, _EMPTY)"] + [
                line for p in properties for line in source.body(p, focus, predicates)]
        return [f"for v in {values}:"] + [f"    if not {source.function(p)}(index, v): return False"
                                          for p in properties]
    return Constraint(check, test)


def _node(compiler, shape):
    targets = [compiler.shape(node) for node in compiler.objects(shape.node, SH.node)]
    if any(t.path is not None for t in targets):
        raise ProfileCompileError(f"shape {shape.node}: sh:node points to a property shape")

    def check(index, focus, values):
        found = []
        for target in targets:
            for v in values:
                details = target.evaluate(index, v)
                if details:
                    found.append(shape.result("NodeConstraintComponent", focus, v, tuple(details)))
        return found or None

    def test(source, values, focus):
        calls = " and ".join(f"{source.function(t)}(index, v)" for t in targets)
        return [f"for v in {values}:", f"    if not ({calls}): return False"]
    return Constraint(check, test)


def _qualified(compiler, shape):
    _on_property_shapes_only(shape, SH.qualifiedValueShape)
    qualified = compiler.shape(compiler.one(shape.node, SH.qualifiedValueShape))
    least = compiler.count(shape.node, SH.qualifiedMinCount, optional=True)
    most = compiler.count(shape.node, SH.qualifiedMaxCount, optional=True)
    if least is None and most is None:
        raise ProfileCompileError(f"shape {shape.node}: sh:qualifiedValueShape without a qualified count")

    def check(index, focus, values):
        count = sum(1 for v in values if qualified.conforms(index, v))
        found = []
        if most is not None and count > most:
            found.append(shape.result("QualifiedMaxCountConstraintComponent", focus))
        if least is not None and count < least:
            found.append(shape.result("QualifiedMinCountConstraintComponent", focus))
        return found or None

    def test(source, values, focus):
        count = source.fresh("count")
        lines = [f"{count} = sum(1 for v in {values} if {source.function(qualified)}(index, v))"]
        if most is not None:
            lines.append(f"if {count} > {most}: return False")
        if least is not None:
            lines.append(f"if {count} < {least}: return False")
        return lines
    return Constraint(check, test)


def _or(compiler, shape):
    members = [compiler.shape(node) for node in compiler.members(shape.node, SH["or"])]
    if not members:
        raise ProfileCompileError(f"shape {shape.node}: sh:or of an empty list")

    def check(index, focus, values):
        return [shape.result("OrConstraintComponent", focus, v) for v in values
                if not any(member.conforms(index, v) for member in members)] or None

    def test(source, values, focus):
        calls = " or ".join(f"{source.function(m)}(index, v)" for m in members)
        return [f"for v in {values}:", f"    if not ({calls}): return False"]
    return Constraint(check, test)


def _not(compiler, shape):
    negated = [compiler.shape(node) for node in compiler.objects(shape.node, SH["not"])]

    def check(index, focus, values):
        return [shape.result("NotConstraintComponent", focus, v) for n in negated for v in values
                if n.conforms(index, v)] or None

    def test(source, values, focus):
        calls = " or ".join(f"{source.function(n)}(index, v)" for n in negated)
        return [f"for v in {values}:", f"    if {calls}: return False"]
    return Constraint(check, test)


# Every constraint parameter the compiler implements.  sh:qualifiedMinCount/MaxCount are read
# with sh:qualifiedValueShape; sh:targetClass, sh:path, sh:message, sh:severity and sh:name with
# the shape.  Any other SHACL term refuses compilation (_refuse_what_was_not_read).
COMPONENTS = {
    SH.minCount: _min_count, SH.maxCount: _max_count, SH.nodeKind: _node_kind, SH.datatype: _datatype,
    SH["in"]: _in, SH.pattern: _pattern, SH.minLength: _min_length, SH.languageIn: _language_in,
    SH.uniqueLang: _unique_lang, SH.hasValue: _has_value, SH.property: _property, SH.node: _node,
    SH.qualifiedValueShape: _qualified, SH["or"]: _or, SH["not"]: _not,
}



"""govcat's SHACL profile compiled into Python: pySHACL's findings at thousands of records a second.

``check_document(doc, base)`` checks the RDF govcat would publish for a metadata document;
``check_graph(graph)`` checks any graph.  Both answer :class:`vocab.validation.Finding`s, the same
as ``validate(graph, "govcat")`` (``tests/vocab/test_profile.py`` compares them); a profile using
SHACL the compiler does not implement refuses to compile (:class:`ProfileCompileError`).
"""
from __future__ import annotations

import logging
from datetime import date, datetime, timezone
from functools import lru_cache

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH

from vocab.codes import format_resource_code
from vocab.mapping import resource_triples
from vocab.shacl_components import COMPONENTS, Constraint, ProfileCompileError
from vocab.validation import GOVCAT_PROFILE, Finding, shapes_graph

log = logging.getLogger(__name__)

# -- the compiled checker of govcat's profile --------------------------------------------------
#
# pySHACL costs milliseconds a record; a harvest checks thousands of records a second.  The
# profile is small and fixed, so it is compiled once, over a plain index (subject → predicate →
# values) built straight from the triples the mapping emits, in two forms:
#
# * for each shape, a conformance test generated as Python source (straight-line code, property
#   shapes inlined): the fast path every focus node takes;
# * for each constraint, a closure that lists the results — run only for a focus node that does
#   not conform, to say why.
#
# Each reads its component as pySHACL does — the findings must be ``validate``'s, and
# tests/vocab/test_profile.py compares them — and the compiler refuses any SHACL term it
# does not implement: a constraint is never skipped.

_EMPTY: dict = {}
_SHACL = str(SH)
_TYPE, _SUBCLASS_OF = RDF.type, RDFS.subClassOf
_SHAPE_TYPES = frozenset({SH.NodeShape, SH.PropertyShape})
# A resource not yet registered has no code: it is checked under a provisional one, sequence 0.
PROVISIONAL_SEQUENCE = 0


class Shape:
    """One compiled shape: how to reach its value nodes from a focus node, and its constraints."""

    def __init__(self, node, path, severity: str, message_zh: str | None, message_en: str | None):
        self.node, self.id, self.path = node, str(node), path
        self.path_text = None if path is None else str(path)
        self.values = _focus_itself      # replaced by the path's function for property shapes
        self.severity, self.message_zh, self.message_en = severity, message_zh, message_en
        self.constraints: list[Constraint] = []
        self.reports = False             # whether a constraint of its own (not sh:property) can fail
        self.conforms = None             # (index, focus) -> bool: the generated test

    def evaluate(self, index: dict, focus) -> list:
        """Every result of ``focus`` against this shape: none when it conforms."""
        values = self.values(index, focus)
        results = []
        for constraint in self.constraints:
            found = constraint.check(index, focus, values)
            if found:
                results += found
        return results

    def result(self, component: str, focus, value=None, details: tuple = ()) -> tuple:
        return (self, component, focus, value, details)


def _focus_itself(index, focus):
    return (focus,)


def _path_values(graph: Graph, path):
    """``(index, focus) → value nodes`` for a predicate path or a sequence of predicates."""
    if isinstance(path, URIRef):
        return lambda index, focus: index.get(focus, _EMPTY).get(path, _EMPTY)
    steps = list(graph.items(path)) if (path, RDF.first, None) in graph else []
    if len(steps) < 2 or not all(isinstance(step, URIRef) for step in steps):
        described = ", ".join(sorted(p.n3() for p in graph.predicates(path, None)))
        raise ProfileCompileError(f"path {path} ({described}): only predicates and sequences of them are compiled")

    def sequence(index, focus):
        nodes = (focus,)
        for step in steps:
            nodes = dict.fromkeys(o for node in nodes for o in index.get(node, _EMPTY).get(step, _EMPTY))
        return nodes
    return sequence


def triple_index(triples) -> dict:
    """subject → predicate → its distinct objects (dict keys): what the checks read, without a graph."""
    index: dict = {}
    for s, p, o in triples:
        predicates = index.get(s)
        if predicates is None:
            index[s] = {p: {o: None}}
            continue
        objects = predicates.get(p)
        if objects is None:
            predicates[p] = {o: None}
        else:
            objects[o] = None
    return index


class _Source:
    """The generated conformance tests: one function ``(index, focus) -> bool`` per shape."""

    def __init__(self):
        self.namespace: dict = {"_EMPTY": _EMPTY, "BNode": BNode, "Literal": Literal}
        self.names: dict = {}
        self.lines: list[str] = []
        self.counter = 0

    def constant(self, value) -> str:
        name = f"k{len(self.namespace)}"
        self.namespace[name] = value
        return name

    def fresh(self, stem: str) -> str:
        self.counter += 1
        return f"{stem}{self.counter}"

    def function(self, shape: Shape) -> str:
        """The name of ``shape``'s test, generating it (and those it calls) on first use."""
        if shape.node not in self.names:
            name = self.names[shape.node] = f"conforms{len(self.names)}"
            body = self.body(shape, "focus")
            self.lines += [f"def {name}(index, focus):", *("    " + line for line in body), "    return True", ""]
        return self.names[shape.node]

    def body(self, shape: Shape, focus: str, predicates: str | None = None) -> list[str]:
        """Lines testing ``focus`` against ``shape``, returning False on the first failure;
        ``predicates`` names the variable holding ``focus``'s predicates, when there is one."""
        values, lines = self.fresh("values"), []
        if shape.path is None:
            lines.append(f"{values} = ({focus},)")
        elif isinstance(shape.path, URIRef):
            if predicates is None:
                predicates = self.fresh("predicates")
                lines.append(f"{predicates} = index.get({focus}, _EMPTY)")
            lines.append(f"{values} = {predicates}.get({self.constant(shape.path)}, _EMPTY)")
        else:
            lines.append(f"{values} = {self.constant(shape.values)}(index, {focus})")
        for constraint in shape.constraints:
            if constraint.test is None:
                lines.append(f"if {self.constant(constraint.check)}(index, {focus}, {values}): return False")
            else:
                lines += constraint.test(self, values, focus)
        return lines

    def build(self, shapes) -> None:
        """Generate, compile and attach every shape's test."""
        for shape in shapes:
            self.function(shape)
        # The source is generated here from the compiled shapes, never from outside text.
        exec(compile("\n".join(self.lines), "<govcat profile>", "exec"), self.namespace)  # noqa: S102
        for shape in shapes:
            shape.conforms = self.namespace[self.names[shape.node]]


class CompiledProfile:
    """A shapes graph compiled once into checks; ``check(triples)`` gives ``validate``'s findings."""

    def __init__(self, graph: Graph):
        self.graph = graph
        self.shapes: dict = {}
        self.read: set = set()          # (shape, parameter): what the compiler has read
        self.targets: dict = {}         # class → the shapes that target it
        declared = set(graph.subjects(SH.targetClass, None))
        declared |= {s for kind in _SHAPE_TYPES for s in graph.subjects(RDF.type, kind)}
        for node in sorted(declared, key=str):
            shape = self.shape(node)
            for cls in self.objects(node, SH.targetClass):
                self.targets.setdefault(cls, []).append(shape)
        self._refuse_what_was_not_read()
        self._require_messages()
        _Source().build(list(self.shapes.values()))

    # -- compiling ------------------------------------------------------------------------------
    def objects(self, node, parameter) -> list:
        self.read.add((node, parameter))
        return list(self.graph.objects(node, parameter))

    def one(self, node, parameter, kind=None, *, optional: bool = False):
        values = self.objects(node, parameter)
        if optional and not values:
            return None
        if len(values) != 1 or (kind is not None and not isinstance(values[0], kind)):
            raise ProfileCompileError(f"shape {node}: {parameter.n3()} takes one "
                                      f"{'value' if kind is None else kind.__name__}, not {values}")
        return values[0]

    def count(self, node, parameter, *, optional: bool = False) -> int | None:
        value = self.one(node, parameter, Literal, optional=optional)
        if value is None:
            return None
        if not isinstance(value.value, int) or isinstance(value.value, bool) or value.value < 0:
            raise ProfileCompileError(f"shape {node}: {parameter.n3()} is a non-negative integer")
        return value.value

    def members(self, node, parameter) -> list:
        head = self.one(node, parameter)
        if head != RDF.nil and (head, RDF.first, None) not in self.graph:
            raise ProfileCompileError(f"shape {node}: {parameter.n3()} takes an RDF list")
        return list(self.graph.items(head))

    def shape(self, node) -> Shape:
        if node in self.shapes:
            return self.shapes[node]
        if isinstance(node, Literal):
            raise ProfileCompileError(f"a literal ({node.n3()}) is not a shape")
        if {RDFS.Class, OWL.Class} & set(self.graph.objects(node, RDF.type)):
            raise ProfileCompileError(f"shape {node} is also a class (an implicit class target): not compiled")
        path = self.one(node, SH.path, optional=True)
        messages = [m for m in self.objects(node, SH.message) if isinstance(m, Literal)]
        severity = self.one(node, SH.severity, URIRef, optional=True) or SH.Violation
        self.objects(node, SH.name)   # a label for people: nothing to check
        shape = self.shapes[node] = Shape(   # registered before its constraints: shapes may recur
            node, path, str(severity).rsplit("#", 1)[-1],
            next((str(m) for m in messages if m.language == "zh"), None),
            next((str(m) for m in messages if m.language == "en"), None)
            or next((str(m) for m in messages if not m.language), None))
        if path is not None:
            shape.values = _path_values(self.graph, path)
        parameters = set(self.graph.predicates(node, None))
        for parameter, compile_component in COMPONENTS.items():
            if parameter in parameters:
                constraint = compile_component(self, shape)
                if constraint is not None:
                    shape.constraints.append(constraint)
                    shape.reports = shape.reports or parameter != SH.property
        return shape

    def _refuse_what_was_not_read(self) -> None:
        """Refuse every sh: term of the graph that the compiler has not read: nothing is skipped."""
        unread = sorted(f"{s} {p.n3()} {o.n3()}" for s, p, o in self.graph
                        if (p.startswith(_SHACL) and (s, p) not in self.read)
                        or (p == RDF.type and o.startswith(_SHACL) and not (o in _SHAPE_TYPES and s in self.shapes)))
        if unread:
            raise ProfileCompileError("SHACL the compiled checker does not implement: " + "; ".join(unread))

    def _require_messages(self) -> None:
        """A shape whose results are reported must carry sh:message: findings quote the profile."""
        seen, todo = set(), [shape for shapes in self.targets.values() for shape in shapes]
        while todo:
            shape = todo.pop()
            if shape.node in seen:
                continue
            seen.add(shape.node)
            if shape.reports and shape.message_zh is None and shape.message_en is None:
                raise ProfileCompileError(f"shape {shape.node} can report results but has no sh:message")
            # What sh:property and sh:node shapes find is reported; inside sh:or, sh:not and
            # sh:qualifiedValueShape only conformance counts.
            todo += [self.shapes[o] for p in (SH.property, SH.node) for o in self.graph.objects(shape.node, p)]

    # -- checking -------------------------------------------------------------------------------
    def focus_shapes(self, index: dict) -> list[tuple]:
        """(focus node, shape) for every node of a target class (or of its rdfs:subClassOf in the data)."""
        targets = self.targets
        if any(_SUBCLASS_OF in predicates for predicates in index.values()):
            targets = _with_subclasses(targets, index)
        pairs = []
        for subject, predicates in index.items():
            types = predicates.get(_TYPE)
            if types:
                shapes = [shape for cls in types for shape in targets.get(cls, ())]
                if len(shapes) > 1:
                    shapes = dict.fromkeys(shapes)   # a node of two target classes of one shape
                pairs += [(subject, shape) for shape in shapes]
        return pairs

    def check(self, triples) -> list[Finding]:
        """The findings of the profile for ``triples`` (a graph, or any iterable of (s, p, o))."""
        return self.check_index(triple_index(triples))

    def check_index(self, index: dict) -> list[Finding]:
        """The findings of the profile for the triples of ``index`` (see :func:`triple_index`)."""
        results = []
        for focus, shape in self.focus_shapes(index):
            if not shape.conforms(index, focus):
                results += shape.evaluate(index, focus)
        return _as_findings(results) if results else []


def _with_subclasses(targets: dict, index: dict) -> dict:
    """``targets`` with every subclass (transitively, by the data's rdfs:subClassOf) of each class."""
    subclasses: dict = {}
    for subject, predicates in index.items():
        for cls in predicates.get(_SUBCLASS_OF, ()):
            subclasses.setdefault(cls, []).append(subject)
    expanded: dict = {}
    for cls, shapes in targets.items():
        seen, todo = {cls}, [cls]
        while todo:
            for sub in subclasses.get(todo.pop(), ()):
                if sub not in seen:
                    seen.add(sub)
                    todo.append(sub)
        for sub in seen:
            expanded.setdefault(sub, []).extend(shapes)
    return expanded


def _as_findings(results: list) -> list[Finding]:
    findings = []

    def add(result) -> None:
        shape, component, focus, value, details = result
        findings.append(Finding(
            severity=shape.severity, focus=str(focus), path=shape.path_text,
            value=None if value is None else str(value), message_zh=shape.message_zh, message_en=shape.message_en,
            shape=shape.id, component=component))
        for detail in details:   # a failed sh:node reports what failed inside it too (sh:detail)
            add(detail)
    for result in results:
        add(result)
    return sorted(findings, key=lambda f: (f.severity != "Violation", f.focus, f.path or "", f.component,
                                           f.value or "", f.shape))


@lru_cache(maxsize=1)
def govcat_checker() -> CompiledProfile:
    """govcat's profile, compiled once — from the very shapes graph ``validate`` reads, so the
    shapes' identifiers (blank nodes included) in findings are the same."""
    return CompiledProfile(shapes_graph(GOVCAT_PROFILE))


def check_graph(graph) -> list[Finding]:
    """govcat's profile on ``graph`` (or any iterable of triples): ``validate(graph).findings``, fast."""
    return govcat_checker().check(graph)


def check_document(doc: dict, base: str, *, code: str | None = None, modified=None) -> list[Finding]:
    """govcat's profile on the RDF govcat would publish for the metadata document ``doc``.

    The document is mapped by the mapping's own triples (``resource_triples``, what
    ``resource_to_rdf`` puts in a graph) with what publication adds: the resource code (``code``,
    or a provisional one — the document's classification, sequence 0 — before the registry
    assigns one), the modification time (``modified``, or now) and the release date (the
    document's ``issued``, or today, as publishing sets it).  The profile needs nothing beyond the
    resource's own triples: concepts are checked by their IRIs, so no concept scheme is read.
    """
    if not doc.get("issued"):
        doc = {**doc, "issued": date.today().isoformat()}
    code = code or format_resource_code(str(doc.get("classification")), PROVISIONAL_SEQUENCE)
    _subject, triples = resource_triples(doc, base=base, code=code,
                                         modified=modified if modified is not None else datetime.now(timezone.utc))
    return govcat_checker().check(triples)

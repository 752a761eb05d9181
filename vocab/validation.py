"""Checking govcat's RDF against SHACL shapes: govcat's own profile and the official DCAT-AP 3.

``validate(graph, profile="govcat")`` checks the compilation guide's obligations
(``shapes/govcat-profile.ttl``, shipped with the package).  The DCAT-AP profiles read the
official SHACL files of DCAT-AP 3.0.1 from a directory the caller names (``standards_dir``):
they are the standard's files, used as published, never copied into the project.

A resource graph names concepts by IRI only; the DCAT-AP range shapes need to know what those
concepts are (a ``dct:Frequency``, a ``skos:Concept`` with a label …).  Pass the catalog's
concept schemes (``vocab.schemes.concept_schemes_graph``) as ``background``: it is read with the
data, as the EU authority tables are read by the EU's own validator.

pySHACL costs milliseconds a record; for harvests, :mod:`vocab.profile` compiles govcat's own
profile into Python checks that give the same findings at thousands of records a second.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources as importlib_resources
from pathlib import Path

from rdflib import Graph, Literal
from rdflib.namespace import RDF, SH

log = logging.getLogger(__name__)
GOVCAT_PROFILE = "govcat"
# Profiles built from the official DCAT-AP 3.0.1 files, relative to the standard's directory.
DCAT_AP_PROFILES = {
    "dcat-ap": ("html/shacl/shapes.ttl", "html/shacl/range.ttl"),
    "dcat-ap-shapes": ("html/shacl/shapes.ttl",),
    "dcat-ap-range": ("html/shacl/range.ttl",),
    "dcat-ap-recommended": ("html/shacl/shapes_recommended.ttl",),
    "dcat-ap-vocabularies": ("html/shacl/mdr-vocabularies.shape.ttl",),
    "dcat-ap-deprecated": ("html/shacl/deprecateduris.ttl",),
    "dcat-ap-full": ("shacl/dcat-ap-SHACL.ttl",),
}
PROFILES = (GOVCAT_PROFILE, *DCAT_AP_PROFILES)


@dataclass(frozen=True)
class Finding:
    """One SHACL validation result, reduced to what a person needs to act on it."""

    severity: str           # "Violation", "Warning" or "Info"
    focus: str              # the node that fails
    path: str | None        # the property, when the shape is about one
    value: str | None       # the offending value, when there is one
    message_zh: str | None
    message_en: str | None
    shape: str              # the shape that failed (a blank node's id for anonymous shapes)
    component: str          # the SHACL constraint component, e.g. MinCountConstraintComponent

    @property
    def message(self) -> str:
        return self.message_en or self.message_zh or self.component

    def __str__(self) -> str:
        where = f" {self.path}" if self.path else ""
        value = f" (value {self.value})" if self.value else ""
        return f"{self.severity}: {self.focus}{where}{value}: {self.message}"


@dataclass
class Report:
    """The outcome of one validation: whether the data conforms, and every finding."""

    profile: str
    conforms: bool
    findings: list[Finding] = field(default_factory=list)

    def count(self, severity: str = "Violation") -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def violations(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "Violation"]

    def counts(self) -> dict[str, int]:
        return {severity: self.count(severity) for severity in ("Violation", "Warning", "Info")}

    def text(self, limit: int = 50) -> str:
        lines = [f"{self.profile}: {'conforms' if self.conforms else 'does not conform'} {self.counts()}"]
        lines += [str(f) for f in self.findings[:limit]]
        if len(self.findings) > limit:
            lines.append(f"… and {len(self.findings) - limit} more")
        return "\n".join(lines)


def govcat_profile_text() -> str:
    """The text of govcat's SHACL profile (``shapes/govcat-profile.ttl``)."""
    return importlib_resources.files("vocab").joinpath("shapes/govcat-profile.ttl").read_text(encoding="utf-8")


# Property shapes a shapes file refers to without defining them, by file (see _parsed).
DANGLING_SHAPES: dict[str, list[str]] = {}


@lru_cache(maxsize=16)
def _parsed(path: str | None) -> Graph:
    graph = Graph()
    if path is None:
        graph.parse(data=govcat_profile_text(), format="turtle")
        return graph
    graph.parse(path, format="turtle")
    # The generated dcat-ap-SHACL.ttl of DCAT-AP 3.0.1 lists two property shapes of its DataService
    # shape that it never defines; SHACL engines refuse such a file.  They constrain nothing, so
    # the references are dropped (and logged) and the rest of the file is used as published.
    dangling = [(shape, ref) for shape, ref in graph.subject_objects(SH.property) if (ref, SH.path, None) not in graph]
    for shape, ref in dangling:
        graph.remove((shape, SH.property, ref))
        log.warning("%s: property shape %s is referred to but not defined; ignored", path, ref)
    DANGLING_SHAPES[path] = [str(ref) for _shape, ref in dangling]
    return graph


def shapes_graph(profile: str, standards_dir: str | Path | None = None) -> Graph:
    """The shapes of ``profile``; DCAT-AP profiles need the DCAT-AP 3.0.1 directory."""
    if profile == GOVCAT_PROFILE:
        return _parsed(None)
    if profile not in DCAT_AP_PROFILES:
        raise ValueError(f"unknown profile {profile!r}; one of {', '.join(PROFILES)}")
    if standards_dir is None:
        raise ValueError(f"profile {profile!r} needs standards_dir, the directory of the DCAT-AP 3.0.1 shapes")
    paths = [Path(standards_dir) / name for name in DCAT_AP_PROFILES[profile]]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise FileNotFoundError(f"DCAT-AP shapes not found: {', '.join(missing)}")
    if len(paths) == 1:
        return _parsed(str(paths[0]))
    combined = Graph()
    for path in paths:
        for triple in _parsed(str(path)):
            combined.add(triple)
    return combined


def validate(graph: Graph, profile: str = GOVCAT_PROFILE, *, standards_dir: str | Path | None = None,
             background: Graph | None = None) -> Report:
    """Validate ``graph`` (with ``background`` read alongside) against ``profile``'s shapes."""
    from pyshacl import validate as shacl_validate  # imported when used: it loads slowly

    data = graph
    if background is not None:
        data = Graph()
        for source in (graph, background):
            for triple in source:
                data.add(triple)
    conforms, results, _text = shacl_validate(
        data, shacl_graph=shapes_graph(profile, standards_dir), inference="none", abort_on_first=False,
        allow_warnings=True, advanced=True)
    return Report(profile, bool(conforms), _findings(results))


def _message(results: Graph, node, lang: str) -> str | None:
    messages = [m for m in results.objects(node, SH.resultMessage) if isinstance(m, Literal)]
    tagged = [m for m in messages if m.language == lang]
    untagged = [m for m in messages if not m.language]
    chosen = tagged or (untagged if lang == "en" else [])
    return str(chosen[0]) if chosen else None


def _findings(results: Graph) -> list[Finding]:
    findings = []
    for node in results.subjects(RDF.type, SH.ValidationResult):
        def one(predicate):
            value = results.value(node, predicate)
            return None if value is None else str(value)
        severity = one(SH.resultSeverity) or str(SH.Violation)
        findings.append(Finding(
            severity=severity.rsplit("#", 1)[-1], focus=one(SH.focusNode) or "", path=one(SH.resultPath),
            value=one(SH.value), message_zh=_message(results, node, "zh"), message_en=_message(results, node, "en"),
            shape=one(SH.sourceShape) or "", component=(one(SH.sourceConstraintComponent) or "").rsplit("#", 1)[-1],
        ))
    return sorted(findings, key=lambda f: (f.severity != "Violation", f.focus, f.path or "", f.component))

"""Where a resource came from, as the parts that bring resources in from other systems tell it.

The registry knows resources registered here; a resource harvested from a department system
also has a source, an original identifier and a harvest time, which the harvesting package
keeps.  The registry does not reach into that package (harvesting builds on the registry, not
the other way round): the package that knows tells its finder here when the app is composed
(:func:`tell_origins`), and the history API and the RDF pages ask :func:`resource_origins`.
"""
from __future__ import annotations

from typing import Callable

from sqlalchemy.orm import Session

# A finder: (session, resource ids) → {resource id: {"original", "source_name", "source_url", "harvested_at"}}.
OriginFinder = Callable[[Session, list[int]], dict[int, dict]]
_finders: list[OriginFinder] = []


def tell_origins(finder: OriginFinder) -> None:
    """Have ``finder`` answer where resources came from (once, however often the app is composed)."""
    if finder not in _finders:
        _finders.append(finder)


def resource_origins(session: Session, resource_ids: list[int]) -> dict[int, dict]:
    """Where the given resources came from; resources registered here are absent."""
    found: dict[int, dict] = {}
    if resource_ids:
        for finder in _finders:
            found.update(finder(session, resource_ids))
    return found

"""Metadata quality of every resource: the 405-point model of domain.md and the guide's completeness.

``criteria`` scores one metadata document (pure, no database); ``models`` keeps each resource's
current score and its history; ``services`` recomputes scores when resources change or their links
are checked; ``indicators`` sums them up per department for the scorecards; ``pages`` shows a score
on the resource page and in the editor's view.
"""
from __future__ import annotations


def init_app(app) -> None:
    """Let templates show a resource's quality block (``quality_of(resource, revision)``)."""
    from registry.quality.pages import quality_of

    app.jinja_env.globals["quality_of"] = quality_of

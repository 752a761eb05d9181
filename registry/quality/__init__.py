"""Metadata quality of every resource: the 405-point model of domain.md and the guide's completeness.

``criteria`` scores one metadata document (pure, no database); ``models`` keeps each resource's
current score and its history; ``services`` recomputes scores when resources change or their links
are checked; ``indicators`` sums them up per department for the scorecards; ``pages`` shows a score
on the resource page and in the editor's view.
"""
from __future__ import annotations


def init_app(app) -> None:
    """Let templates show a resource's quality block (``quality_of(resource, revision)``), and let link
    checks rescore what they checked."""
    from registry.links.services import AFTER_CHECK
    from registry.quality.pages import quality_of
    from registry.quality.services import recompute

    app.jinja_env.globals["quality_of"] = quality_of
    if recompute not in AFTER_CHECK:            # a link check rescores the resources naming its links
        AFTER_CHECK.append(recompute)

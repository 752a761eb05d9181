"""Harvesting: collect department systems' metadata into the catalog.  It builds on the registry and is
mounted by the app factory (:func:`registry.create_app`), which calls :func:`init_app`."""
from __future__ import annotations


def init_app(app) -> None:
    """Mount the harvest API (under the JSON API's prefix, with its part of the OpenAPI document) and the
    administration pages of harvest sources."""
    from harvesters import pages, views
    from registry.api import API_PREFIX

    app.register_blueprint(views.bp, url_prefix=API_PREFIX)
    pages.init_app(app)

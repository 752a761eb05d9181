"""A CKAN-compatible read API, so that CKAN clients and harvesters can pull from the catalog.

Departments keep harvesting each other with CKAN tools; this package lets them read govcat as if it
were a CKAN site: ``status_show``, ``package_list``, ``package_show``, ``package_search``,
``organization_list`` and ``organization_show`` under ``/api/3/action/``, with CKAN's names, shapes
and errors, over the public (published) catalog and through the catalog's one search.

``init_app`` mounts the actions at ``/api/3/action`` and, as CKAN itself does, at the unversioned
``/api/action`` that clients such as ckanapi call by default.
"""
from __future__ import annotations

from flask import Flask

PREFIX = "/api/3/action"
UNVERSIONED_PREFIX = "/api/action"


def init_app(app: Flask) -> None:
    from registry.api.openapi import add_api_part
    from registry.ckan.api_part import API_PART
    from registry.ckan.views import bp

    add_api_part(app, API_PART)
    if bp.name not in app.blueprints:
        app.register_blueprint(bp, url_prefix=PREFIX)
    if f"{bp.name}_unversioned" not in app.blueprints:
        app.register_blueprint(bp, url_prefix=UNVERSIONED_PREFIX, name=f"{bp.name}_unversioned")

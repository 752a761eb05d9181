"""The JSON API, mounted at ``/api/v1``: one blueprint per domain package."""
from __future__ import annotations

from flask import Flask

API_PREFIX = "/api/v1"


def init_app(app: Flask) -> None:
    from registry.accounts.views import bp as accounts
    from registry.api.common import BoundedIntConverter
    from registry.api.vocabularies import bp as vocabularies
    from registry.departments.views import bp as departments
    from registry.resources.sheet_views import bp as sheets
    from registry.resources.views import bp as resources
    from registry.search.views import bp as search

    app.url_map.converters["int"] = BoundedIntConverter
    for blueprint in (resources, sheets, search, departments, accounts, vocabularies):
        app.register_blueprint(blueprint, url_prefix=API_PREFIX)

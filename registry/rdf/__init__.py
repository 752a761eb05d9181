"""DCAT-AP RDF publication of the catalog (the mapping itself lives in ``vocab/``)."""
from flask import Flask


def init_app(app: Flask) -> None:
    from registry.api.openapi import add_api_part
    from registry.rdf import fragments
    from registry.rdf.api_part import API_PART
    from registry.rdf.views import bp

    fragments.cache.capacity = app.config["GOVCAT_RDF_KEPT_RESOURCES"]
    app.register_blueprint(bp)
    add_api_part(app, API_PART)

"""DCAT-AP RDF publication of the catalog (the mapping itself lives in ``vocab/``)."""
from flask import Flask


def init_app(app: Flask) -> None:
    from registry.rdf import fragments
    from registry.rdf.views import bp

    fragments.cache.capacity = app.config["GOVCAT_RDF_KEPT_RESOURCES"]
    app.register_blueprint(bp)

"""DCAT-AP RDF publication of the catalog (the mapping itself lives in ``vocab/``)."""
from flask import Flask


def init_app(app: Flask) -> None:
    from registry.rdf.views import bp

    app.register_blueprint(bp)

"""The pages people read: the home page with its search box, and search results with facets."""
from flask import Flask


def init_app(app: Flask) -> None:
    from registry.ui.views import bp

    app.register_blueprint(bp)

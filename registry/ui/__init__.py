"""The pages people use: search results with facets, and the workspace where staff register resources."""
from flask import Flask


def init_app(app: Flask) -> None:
    from registry.ui import views, workspace

    app.register_blueprint(views.bp)
    app.register_blueprint(workspace.bp)

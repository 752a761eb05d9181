"""The pages people use: search results with facets, the workspace where staff register
resources, and the review queues."""
from flask import Flask


def init_app(app: Flask) -> None:
    from registry.ui import admin, catalog, review, tokens, upload, views, workspace

    app.register_blueprint(views.bp)
    app.register_blueprint(catalog.bp)
    app.register_blueprint(workspace.bp)
    app.register_blueprint(review.bp)
    app.register_blueprint(tokens.bp)
    app.register_blueprint(upload.bp)
    app.register_blueprint(admin.bp)

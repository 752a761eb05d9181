"""The evaluation of departments (绩效评价): indicators, scorecards with a ranking, daily snapshots for
trends, and their pages, API and exports."""
from flask import Flask


def init_app(app: Flask) -> None:
    from registry.api import API_PREFIX
    from registry.evaluation import pages, views

    app.register_blueprint(views.bp, url_prefix=API_PREFIX)
    app.register_blueprint(pages.bp)

"""Sharing between departments (共享): requests, answers, grants, notifications, and responsiveness.

``init_app`` mounts the JSON API (``/api/v1/share-requests``) and the pages, and gives every page the
signed-in user's count of unread notifications for the header and the resource page its request button.
"""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from registry.api import API_PREFIX
    from registry.auth import current_actor
    from registry.sharing import pages, services, views

    app.register_blueprint(views.bp, url_prefix=API_PREFIX)
    app.register_blueprint(pages.bp)
    app.context_processor(pages.header_counts)
    # The resource page asks whether to offer its viewer the request button.
    app.jinja_env.globals["may_request_share"] = lambda resource: services.may_request(current_actor(), resource)

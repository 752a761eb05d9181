"""govcat: the government information-resource catalog (政务信息资源目录).

``create_app`` is the one app factory: defaults, then the environment (``registry.config``),
then a test override; each part registers itself with its own ``init_app``.
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask, render_template
from werkzeug.middleware.proxy_fix import ProxyFix

from registry.config import load_settings, resolve_instance

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def all_tables():
    """The metadata of every table of every part — the registry's and harvesting's — for the migrations,
    the secrets' rotation and the tests.  Composed here, where the parts meet, so the registry's own
    modules never import the harvesters that build on them."""
    import harvesters.models  # noqa: F401 - registers its tables
    import registry.models  # noqa: F401 - registers the registry's tables
    from registry.db import Base

    return Base.metadata


def create_app(test_config: dict | None = None) -> Flask:
    config = load_settings()
    config.update(test_config or {})
    instance = resolve_instance(config)
    app = Flask(__name__, instance_path=str(instance), template_folder=str(TEMPLATES))
    app.config.update(config)
    secure = bool(config.get("GOVCAT_SECURE_COOKIES"))
    app.config.update(SECRET_KEY=config["GOVCAT_SECRET_KEY"], MAX_CONTENT_LENGTH=config["GOVCAT_MAX_CONTENT_LENGTH"],
                      JSON_SORT_KEYS=False, SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      SESSION_COOKIE_SECURE=secure, REMEMBER_COOKIE_SECURE=secure, REMEMBER_COOKIE_HTTPONLY=True)
    proxies = int(config.get("GOVCAT_PROXIES") or 0)
    if proxies:     # behind reverse proxies: trust exactly as many forwarding hops as there are proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_prefix=proxies)
    app.json.ensure_ascii = False
    app.json.sort_keys = False

    from registry import api, auth, ckan, csrf, db, errors, evaluation, headers, i18n, quality, rdf, search, sharing, ui
    from registry.api import docs

    db.init_app(app)
    search.init_app(app)
    errors.init_app(app)
    headers.init_app(app)
    i18n.init_app(app)
    auth.init_app(app)
    csrf.init_app(app)
    api.init_app(app)
    docs.init_app(app)
    rdf.init_app(app)
    ckan.init_app(app)
    ui.init_app(app)
    evaluation.init_app(app)
    sharing.init_app(app)
    quality.init_app(app)
    import harvesters           # the composition point: harvesting sits above the registry
    harvesters.init_app(app)

    @app.get("/")
    def home():
        return render_template("home.html")

    return app

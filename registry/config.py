"""Every setting govcat reads, in one table, read in one place.

Each setting comes from an environment variable named ``GOVCAT_<NAME>``; the app factory
calls :func:`load_settings` once and puts the values in ``app.config``.  The README's
configuration table is this table.
"""
from __future__ import annotations

import ipaddress
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Callable


@dataclass(frozen=True)
class Setting:
    name: str
    default: object
    help: str
    parse: Callable[[str], object] = str


class SettingError(ValueError):
    """A setting of the environment cannot be read; the message names it."""


def _networks(value: str) -> str:
    """A comma-separated list of IP networks, checked now so that a typo stops the start, not a harvest."""
    for item in value.split(","):
        if item.strip():
            try:
                ipaddress.ip_network(item.strip(), strict=False)
            except ValueError:
                raise ValueError(f"{item.strip()!r} is not an IP network") from None
    return value


def _holidays_file(value: str) -> str:
    """A holidays file, read now: a mistake in it stops the start with its line, not a deadline later."""
    from registry.sharing.workdays import checked_file
    return checked_file(value)


def _smtp_security(value: str) -> str:
    if value not in ("none", "starttls", "ssl"):
        raise ValueError(f"{value!r} is not one of none, starttls, ssl")
    return value
def _interval(value: str) -> str:
    """An interval such as 30m, 6h or 7d (minutes, hours, days); ``off`` gives an empty value."""
    if value.strip().lower() == "off":
        return ""
    if not re.fullmatch(r"\s*\d+\s*[mhd]\s*", value):
        raise ValueError(f"{value!r} is not an interval such as 30m, 6h or 7d")
    return value.strip()


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


SETTINGS = [
    Setting("INSTANCE", None, "Instance folder: the SQLite database, the embedded search index and the session secret key live here "
            "(default: ./instance)."),
    Setting("DATABASE_URL", None, "SQLAlchemy URL of the database; PostgreSQL in production "
            "(postgresql+psycopg://user:pass@host/db). Default: SQLite file govcat.db in the instance folder."),
    Setting("SECRET_KEY", None, "Key that signs browser sessions. Default: a random key kept in the instance folder."),
    Setting("SECRET_KEY_PREVIOUS", "", "Former secret keys (comma-separated) under which stored secrets are still "
            "read while a key rotation runs: set it, run 'govcat secrets rotate', then empty it."),
    Setting("MAX_CONTENT_LENGTH", 2 * 1024 * 1024, "Largest request body accepted, in bytes (larger gets 413).", int),
    Setting("PAGE_SIZE_MAX", 100, "Largest page size of list endpoints.", int),
    Setting("RDF_KEPT_RESOURCES", 1000, "Published resources whose RDF each serving process keeps ready for catalog "
            "pages (about 55 KB each; 0: none).", int),
    Setting("TOKEN_DEFAULT_DAYS", 0, "Expiry of new API tokens in days when none is given (0: no expiry).", int),
    Setting("LOGIN_FAILURES_PER_ACCOUNT", 10, "Wrong passwords for one account within 15 minutes before its "
            "sign-in is refused (429) until the oldest of them is 15 minutes old.", int),
    Setting("LOGIN_FAILURES_PER_ADDRESS", 50, "Wrong passwords from one client address within 15 minutes before "
            "its sign-ins are refused (429).", int),
    Setting("SECURE_COOKIES", False, "Send the session and remember-me cookies over HTTPS only (set it when the "
            "catalog is served over HTTPS).", _bool),
    Setting("PROXIES", 0, "How many reverse proxies stand in front of the catalog: their X-Forwarded-For, -Proto, "
            "-Host and -Prefix headers are then trusted (the client's address for sign-in throttling, https for "
            "links and cookies). 0: none trusted.", int),
    Setting("SQL_ECHO", False, "Log every SQL statement.", _bool),
    Setting("BASE_URL", "", "The catalog's public address, the base of every IRI it publishes "
            "(https://data.example.gov.cn). Default: the address a request came to; for exports, http://localhost:5000."),
    Setting("CATALOG_TITLE", "政务信息资源目录", "The catalog's title in its RDF (dct:title)."),
    Setting("CATALOG_PUBLISHER", "政务信息资源目录管理中心", "Who publishes the catalog (the catalog centre), in its RDF."),
    Setting("SEARCH_URL", "", "Elasticsearch or OpenSearch to use, e.g. https://user:pass@node1:9200,https://node2:9200. "
            "Empty: the embedded engine, its index in the instance folder."),
    Setting("SEARCH_ENGINE", "auto", "opensearch, elasticsearch, or auto (ask the server what it is)."),
    Setting("SEARCH_INDEX", "govcat", "Name of the index alias on the server (each build is a new index behind it)."),
    Setting("SEARCH_CA_CERTS", "", "File of CA certificates to verify the search server's TLS certificate."),
    Setting("SEARCH_VERIFY_CERTS", True, "Verify the search server's TLS certificate.", _bool),
    Setting("SEARCH_DRAIN_SECONDS", 5, "How often each web process drains the search outbox (0: only after writes).",
            int),
    Setting("QUEUE_URL", "", "Job queue shared by harvest workers on several machines: redis://host:6379/0, or "
            "sqlite:///path (workers on one machine). Empty: each worker runs due harvests itself, no extra service."),
    Setting("HARVEST_ALLOW", "", "Networks harvest sources and the link checker may reach although the address "
            "policy refuses them (comma-separated, e.g. 169.254.10.0/24).", _networks),
    Setting("HARVEST_DENY", "", "Networks harvest sources may never reach, beyond link-local and cloud-metadata "
            "addresses (comma-separated, e.g. 10.8.0.0/16).", _networks),
    Setting("HOLIDAYS_FILE", "", "Public holidays and make-up working days (调休) that sharing deadlines count with: a "
            "text file, one 'YYYY-MM-DD holiday|workday [note]' a line. Default: the file govcat ships "
            "(registry/sharing/holidays.txt). A file with a mistake stops the start, naming the line.", _holidays_file),
    Setting("SMTP_HOST", "", "Mail server for notifications of sharing requests. Empty: notifications stay inside the "
            "catalog (no e-mail)."),
    Setting("SMTP_PORT", 25, "Port of the mail server.", int),
    Setting("SMTP_SECURITY", "none", "none, starttls or ssl.", _smtp_security),
    Setting("SMTP_USER", "", "User name at the mail server (empty: no login)."),
    Setting("SMTP_PASSWORD", "", "Password at the mail server."),
    Setting("SMTP_FROM", "govcat@localhost", "Sender address of the notification e-mails."),
    Setting("LINK_CHECK_EVERY", "7d", "How old a link's last check may grow before `govcat worker` checks it again: "
            "30m, 6h, 7d … (off: no scheduled link checks; `govcat check-links` still works).", _interval),
    Setting("LINK_CHECK_BATCH", 2000, "Links one scheduled link check takes at most, the oldest first.", int),
    Setting("LINK_CHECK_CONCURRENCY", 32, "Links checked at the same time.", int),
    Setting("LINK_CHECK_PER_HOST", 4, "Links checked at the same time on one host.", int),
]


def load_settings(environ: dict | None = None) -> dict:
    """Read the settings from the environment; return them as Flask config keys (``GOVCAT_…``)."""
    environ = os.environ if environ is None else environ
    config = {}
    for setting in SETTINGS:
        key = f"GOVCAT_{setting.name}"
        raw = environ.get(key)
        try:
            config[key] = setting.default if raw in (None, "") else setting.parse(raw)
        except ValueError as error:
            raise SettingError(f"{key}: {error}") from None
    return config


def resolve_instance(config: dict) -> Path:
    """Create the instance folder and fill in the settings whose defaults live there."""
    instance = Path(config.get("GOVCAT_INSTANCE") or Path.cwd() / "instance").resolve()
    instance.mkdir(parents=True, exist_ok=True)
    config["GOVCAT_INSTANCE"] = str(instance)
    if not config.get("GOVCAT_DATABASE_URL"):
        config["GOVCAT_DATABASE_URL"] = f"sqlite:///{instance / 'govcat.db'}"
    if not config.get("GOVCAT_SECRET_KEY"):
        key_file = instance / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_hex(32))
            key_file.chmod(0o600)
        config["GOVCAT_SECRET_KEY"] = key_file.read_text().strip()
    return instance

"""The database: engines, sessions and the declarative base.

SQLite (a file in the instance folder, WAL mode) is the zero-setup default; PostgreSQL is
chosen by ``GOVCAT_DATABASE_URL``.  Two session factories exist: ``writer`` for requests
that change data and ``reader`` for those that only read.  On SQLite the writer starts its
transactions with ``BEGIN IMMEDIATE`` so that concurrent writers queue on the busy timeout
instead of failing halfway with "database is locked"; readers never wait for writers (WAL).
On PostgreSQL both factories share one engine.
"""
from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import datetime, timezone

import orjson
from flask import Flask, current_app, g, request
from sqlalchemy import JSON, DateTime, MetaData, create_engine, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JSONDocument = JSON().with_variant(JSONB(), "postgresql")


def dump_json(value) -> str:
    """JSON columns are written by orjson: several times faster than the standard library's
    encoder, which bulk loads and harvests felt.  What orjson refuses (integers past 64 bits) is
    written by the standard library instead."""
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    except TypeError:
        return json.dumps(value, ensure_ascii=False)


ENGINE_JSON = {"json_serializer": dump_json, "json_deserializer": orjson.loads}


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC timestamp on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _sqlite_engine(url: str, echo: bool, immediate: bool, cache_kib: int) -> Engine:
    engine = create_engine(url, echo=echo, connect_args={"timeout": 30, "check_same_thread": False}, **ENGINE_JSON)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Take transaction control away from the driver so that BEGIN is ours to emit.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute(f"PRAGMA cache_size=-{int(cache_kib)}")     # KiB of page cache per connection
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


class Database:
    """The engines and session factories of one database URL."""

    def __init__(self, url: str, echo: bool = False, *, sqlite_cache_kib: int = 65536):
        """``sqlite_cache_kib``: SQLite's page cache per connection (64 MiB: bulk loads are faster with it;
        a helper process that reads little, such as a background drain, asks for less)."""
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            self.write_engine = _sqlite_engine(url, echo, immediate=True, cache_kib=sqlite_cache_kib)
            self.read_engine = _sqlite_engine(url, echo, immediate=False, cache_kib=sqlite_cache_kib)
        else:
            self.write_engine = self.read_engine = create_engine(
                url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=20, **ENGINE_JSON)
        self.writer = sessionmaker(self.write_engine, expire_on_commit=False)
        self.reader = sessionmaker(self.read_engine, expire_on_commit=False)

    @contextmanager
    def transaction(self):
        """A write session that commits on success and rolls back on any error."""
        session = self.writer()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            self.read_engine.dispose()


def init_app(app: Flask) -> None:
    database = Database(app.config["GOVCAT_DATABASE_URL"], echo=app.config.get("GOVCAT_SQL_ECHO", False))
    app.extensions["govcat.db"] = database

    @app.teardown_appcontext
    def _close_session(exc):
        session = g.pop("db_session", None)
        if session is not None:
            if exc is not None:
                session.rollback()
            session.close()


def get_db(app: Flask | None = None) -> Database:
    return (app or current_app).extensions["govcat.db"]


def get_session() -> Session:
    """The session of the current request: a reader for safe methods, a writer otherwise."""
    if "db_session" not in g:
        database = get_db()
        safe = request and request.method in ("GET", "HEAD", "OPTIONS")
        g.db_session = database.reader() if safe else database.writer()
    return g.db_session

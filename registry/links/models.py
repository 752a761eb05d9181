"""One row per checked URL: its last answer and a few counters, not a history.

Which resources use a URL is read from their published documents when needed, so a URL shared by
many resources is checked once and a resource whose links change needs no bookkeeping here.  A
URL can be longer than a database index takes, so rows are found by ``url_key``, the SHA-256 of
the URL (unique): one row per URL.
"""
from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from registry.db import Base, UTCDateTime


def url_key(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()


class LinkCheck(Base):
    __tablename__ = "link_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    url_key: Mapped[str] = mapped_column(String(64), unique=True)
    url: Mapped[str] = mapped_column(Text)
    # True: answered 2xx; False: dead (the reason in ``error``); None: could not be checked (not http).
    ok: Mapped[bool | None] = mapped_column(Boolean)
    status: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    final_url: Mapped[str | None] = mapped_column(Text)
    redirects: Mapped[int] = mapped_column(Integer, default=0)
    elapsed_ms: Mapped[int | None] = mapped_column(Integer)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    checks: Mapped[int] = mapped_column(Integer, default=1)          # how often it was checked
    failures: Mapped[int] = mapped_column(Integer, default=0)        # dead answers in a row, up to the last
    last_ok_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_link_checks_checked_at", "checked_at"),)

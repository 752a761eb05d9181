"""The search outbox: resources whose index documents must be rewritten.

A change to a resource adds a row here in the same transaction, so the database and the outbox
never disagree.  After the commit the rows are drained into the engine; if the engine is down
the rows wait, and the next drain — after the next write, from the background drainer, or from
``govcat search drain`` — catches up.  No update is ever lost to an engine outage.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer
from sqlalchemy.orm import Mapped, mapped_column

from registry.db import Base, UTCDateTime, utcnow


class SearchOutbox(Base):
    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(Integer, index=True)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

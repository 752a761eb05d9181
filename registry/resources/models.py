"""Information resources (信息资源) and the sequences their codes are drawn from.

A resource keeps its metadata in ``doc``, the working copy that editors change and reviewers
approve; once published, ``doc`` is also what the public sees.  When a published resource is
edited, the published version is kept in ``published_doc`` and stays public until the revision
is published in turn; then ``published_doc`` is emptied again, so a published resource stores
its document once.  The documents hold the metadata exactly as the resource schema loads it;
the columns beside them are what lists, filters and their indexes need.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.db import Base, JSONDocument, UTCDateTime, utcnow
from registry.departments.models import Department


class Resource(Base):
    __tablename__ = "resources"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    classification_code: Mapped[str] = mapped_column(ForeignKey("classification_nodes.code"))
    state: Mapped[str] = mapped_column(String(24))
    # True while a published version exists and the resource is not withdrawn.
    is_public: Mapped[bool] = mapped_column(Boolean, default=False)
    title: Mapped[str] = mapped_column(String(500))
    doc: Mapped[dict] = mapped_column(JSONDocument)
    # The published version while a revision is pending; otherwise empty (see public_doc).
    published_doc: Mapped[dict | None] = mapped_column(JSONDocument)
    # A record to be completed (state "incomplete", 待补录): the guide's fields it lacks, as found when it
    # was stored (its release date too, when it was to be published as harvested); empty otherwise.
    missing_fields: Mapped[list | None] = mapped_column(JSONDocument)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    modified_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    department: Mapped[Department] = relationship(lazy="joined")

    __table_args__ = (
        # The public listing walks this index in order; it also covers the department and
        # classification filters, so a page is found without reading any document.
        Index("ix_resources_public_listing", "is_public", "published_at", "id", "department_id",
              "classification_code"),
        Index("ix_resources_public_classification", "is_public", "classification_code"),
        Index("ix_resources_department_state", "department_id", "state", "is_public"),
        Index("ix_resources_modified", "modified_at", "id"),
    )

    @property
    def public_doc(self) -> dict | None:
        """The version the public sees, or ``None`` when nothing is published."""
        if self.published_doc is not None:
            return self.published_doc
        return self.doc if self.state == "published" else None


class CodeSequence(Base):
    """The last sequence number used under one classification code."""

    __tablename__ = "code_sequences"

    classification_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)

"""Sharing requests between departments (共享申请), their grants, and the notifications they send.

A request is kept whatever becomes of it (granted, refused, revoked, expired), because requests and
answers count in every department's evaluation.  The answer lives on the request (who, when, why);
a grant is a row of its own since it has a life after the answer: it expires, and it can be revoked
with a reason.  One department may have one open request for a resource at a time: a partial unique
index says so in the database itself, so two requests sent at once cannot both be kept.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.accounts.models import User
from registry.db import Base, JSONDocument, UTCDateTime, utcnow
from registry.departments.models import Department
from registry.resources.models import Resource

REQUEST_STATES = ("pending", "granted", "refused", "revoked")


class ShareRequest(Base):
    __tablename__ = "share_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id"), index=True)
    provider_department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requester_department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    # The resource's sharing type when the request was made: it decided the route the request took.
    share_type: Mapped[str] = mapped_column(String(16))
    purpose: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str] = mapped_column(Text)
    items: Mapped[list] = mapped_column(JSONDocument)          # names of the resource's data items asked for
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    due_on: Mapped[date] = mapped_column(Date)                 # the last working day to answer on
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))   # None: answered by the rules
    answer_reason: Mapped[str | None] = mapped_column(Text)    # a refusal's reason, or a grant's note
    overdue_flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    resource: Mapped[Resource] = relationship(lazy="joined")
    requester: Mapped[User] = relationship(foreign_keys=[requester_id], lazy="joined")
    requester_department: Mapped[Department] = relationship(foreign_keys=[requester_department_id], lazy="joined")
    provider_department: Mapped[Department] = relationship(foreign_keys=[provider_department_id], lazy="joined")
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id], lazy="joined")
    grant: Mapped["ShareGrant | None"] = relationship(back_populates="request", lazy="joined", uselist=False)

    __table_args__ = (
        Index("uq_share_requests_open", "requester_department_id", "resource_id", unique=True,
              sqlite_where=text("state = 'pending'"), postgresql_where=text("state = 'pending'")),
        Index("ix_share_requests_provider", "provider_department_id", "state", "created_at"),
        Index("ix_share_requests_requester", "requester_department_id", "state", "created_at"),
        Index("ix_share_requests_due", "state", "due_on"),
    )


class ShareGrant(Base):
    __tablename__ = "share_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("share_requests.id"), unique=True)
    items: Mapped[list] = mapped_column(JSONDocument)
    starts_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date)             # the last day of use
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoke_reason: Mapped[str | None] = mapped_column(Text)

    request: Mapped[ShareRequest] = relationship(back_populates="grant")


class Notification(Base):
    """A message to one user inside the catalog (and by e-mail when a mail server is configured)."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(24))
    request_id: Mapped[int | None] = mapped_column(ForeignKey("share_requests.id"))
    message_zh: Mapped[str] = mapped_column(Text)
    message_en: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_notifications_user", "user_id", "read_at", "id"),)

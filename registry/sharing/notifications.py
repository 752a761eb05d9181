"""Notifications: a message to each person concerned, inside the catalog and, with a mail server, by e-mail.

The message rows are written in the same transaction as the change they tell of, so a refused change
tells nobody.  E-mails wait in the session until that transaction commits (SQLAlchemy's
``after_commit``) and are sent then; a mail server that is down or refuses costs a line in the log,
never the change itself, and the message is still in the catalog (``/notifications``).
"""
from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from typing import Iterable

from flask import current_app, has_app_context
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session

from registry.accounts.models import User
from registry.db import utcnow
from registry.sharing.models import Notification

log = logging.getLogger(__name__)
MAIL_KEY = "govcat.mail"
SMTP_TIMEOUT = 10


def people(session: Session, *, department_id: int | None = None, roles: tuple[str, ...] = ("reviewer",)) -> list[User]:
    """The active users of ``roles`` (in ``department_id``, or without a department for the centre)."""
    query = select(User).where(User.active.is_(True), User.role.in_(roles))
    if department_id is not None:
        query = query.where(User.department_id == department_id)
    return list(session.scalars(query.order_by(User.id)))


def notify(session: Session, users: Iterable[User], kind: str, request_id: int | None, zh: str, en: str,
           link: str = "") -> int:
    """Tell each of ``users`` (once each) ``zh``/``en``; queue the e-mails for after the commit."""
    seen, count = set(), 0
    for user in users:
        if user is None or user.id in seen:
            continue
        seen.add(user.id)
        session.add(Notification(user_id=user.id, kind=kind, request_id=request_id, message_zh=zh, message_en=en,
                                 created_at=utcnow()))
        count += 1
        if user.email:
            session.info.setdefault(MAIL_KEY, []).append((user.email, zh, en, link))
    return count


def unread_count(session: Session, user_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None))) or 0


def notifications_of(session: Session, user_id: int, limit: int = 200) -> list[Notification]:
    return list(session.scalars(select(Notification).where(Notification.user_id == user_id)
                                .order_by(Notification.id.desc()).limit(limit)))


def mark_read(session: Session, user_id: int) -> int:
    return session.execute(update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
                           .values(read_at=utcnow())).rowcount


def _smtp_settings() -> dict | None:
    if not has_app_context() or not current_app.config.get("GOVCAT_SMTP_HOST"):
        return None
    config = current_app.config
    return {key: config.get(f"GOVCAT_SMTP_{key.upper()}") for key in
            ("host", "port", "security", "user", "password", "from")} | {"base": config.get("GOVCAT_BASE_URL") or ""}


def send_mail(settings: dict, messages: list[tuple[str, str, str, str]]) -> int:
    """Send ``(address, zh, en, link)`` messages over one connection; answer how many were sent."""
    connect = smtplib.SMTP_SSL if settings["security"] == "ssl" else smtplib.SMTP
    kwargs = {"context": ssl.create_default_context()} if settings["security"] == "ssl" else {}
    sent = 0
    with connect(settings["host"], int(settings["port"]), timeout=SMTP_TIMEOUT, **kwargs) as smtp:
        if settings["security"] == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        if settings["user"]:
            smtp.login(settings["user"], settings["password"] or "")
        for address, zh, en, link in messages:
            mail = EmailMessage()
            mail["From"], mail["To"] = settings["from"], address
            mail["Subject"] = f"govcat: {zh}"[:200]
            where = f"\n\n{settings['base'].rstrip('/')}{link}" if link else ""
            mail.set_content(f"{zh}\n\n{en}{where}\n")
            smtp.send_message(mail)
            sent += 1
    return sent


@event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    messages = session.info.pop(MAIL_KEY, None)
    if not messages:
        return
    settings = _smtp_settings()
    if settings is None:
        return
    try:
        send_mail(settings, messages)
    except (OSError, smtplib.SMTPException) as error:
        log.warning("notification e-mail not sent (%d message(s)): %s", len(messages), error)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(MAIL_KEY, None)

"""A limit on guessing passwords: wrong passwords are counted per account and per client address over
a window, and past the limit a sign-in is refused with 429 and the seconds to wait.

Counted in the database (``login_failures``), so every web process of a deployment shares the count.
A successful sign-in clears its account's count; rows older than the window are deleted as new ones
come.  The limits are settings (``GOVCAT_LOGIN_FAILURES_PER_ACCOUNT``, ``…_PER_ADDRESS``).
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from registry.accounts.models import LoginFailure
from registry.db import utcnow

WINDOW = timedelta(minutes=15)


def _keys(username: str, address: str | None) -> dict[str, str]:
    keys = {"account": f"user:{username.strip().lower()[:64]}"}
    if address:
        keys["address"] = f"addr:{address[:64]}"
    return keys


def wait_seconds(session: Session, username: str, address: str | None, limits: dict[str, int]) -> int:
    """Seconds until a sign-in of ``username`` from ``address`` is allowed again (0: allowed now)."""
    since = utcnow() - WINDOW
    wait = 0
    for kind, key in _keys(username, address).items():
        limit = limits.get(kind) or 0
        if limit <= 0:
            continue
        count, oldest = session.execute(select(func.count(), func.min(LoginFailure.at)).where(
            LoginFailure.key == key, LoginFailure.at > since)).one()
        if count >= limit:
            wait = max(wait, int((oldest + WINDOW - utcnow()).total_seconds()) + 1)
    return wait


def note_failure(session: Session, username: str, address: str | None) -> None:
    """Count one wrong password for the account and the address (and forget what the window left)."""
    now = utcnow()
    session.execute(delete(LoginFailure).where(LoginFailure.at <= now - WINDOW))
    session.add_all(LoginFailure(key=key, at=now) for key in _keys(username, address).values())


def clear_account(session: Session, username: str) -> None:
    """A successful sign-in: the account's count starts again (the address's stays)."""
    session.execute(delete(LoginFailure).where(LoginFailure.key == _keys(username, None)["account"]))

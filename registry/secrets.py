"""Secrets the catalog keeps but never shows, encrypted at rest under a key derived from the app's secret.

A harvest source's auth header is a credential of a department system: a copy of the database
(a backup, a dump handed over for support) must not carry it readable.  :class:`EncryptedText`
is a column type that encrypts on write and decrypts on read with Fernet (AES-CBC with an
HMAC-SHA256 tag), under a key derived by HKDF-SHA256 from ``GOVCAT_SECRET_KEY``.  Stored values
carry a version prefix (:data:`PREFIX`), so a later scheme can be told apart and old rows migrated.

Rotating the key: set the new ``GOVCAT_SECRET_KEY`` and the old one in
``GOVCAT_SECRET_KEY_PREVIOUS`` (secrets are then read under either), run ``govcat secrets rotate``
(every stored secret sealed again under the new key), then drop the old key from the setting.

The key travels with the database: :func:`init_app` gives the app's engines a :class:`Keyring`,
so the web app, the command line and the workers — which all open the database through the app —
encrypt and decrypt alike, and a database opened without the app can write no secret.  A value
that cannot be decrypted (the secret key changed) is read as an :class:`UnreadableSecret`:
listings go on working, and only using the secret fails, with a message that says why.
"""
from __future__ import annotations

import base64
from typing import Iterable

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Text, cast, literal, select, update
from sqlalchemy.types import TypeDecorator

PREFIX = "enc:v1:"                  # Fernet under HKDF-SHA256(GOVCAT_SECRET_KEY, info=HKDF_INFO)
HKDF_INFO = b"govcat stored secrets v1"
KEYRING_ATTRIBUTE = "govcat_keyring"
KEY_CHANGED = "it was encrypted under another secret key (was GOVCAT_SECRET_KEY changed?)"
NO_KEY = "the database was opened without the app's secret key"


class SecretUnreadable(Exception):
    """A stored secret that cannot be decrypted, or cannot be encrypted for want of a key."""


def _fernet(secret_key: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=HKDF_INFO).derive(
        secret_key.encode("utf-8"))
    return Fernet(base64.urlsafe_b64encode(derived))


class Keyring:
    """Seals stored secrets with the key derived from the app secret; opens them with it or with
    the keys of ``previous`` app secrets (a key rotation: see :func:`rotate`)."""

    def __init__(self, secret_key: str, previous: Iterable[str] = ()):
        self._fernet = MultiFernet([_fernet(secret_key), *(_fernet(key) for key in previous)])

    def seal(self, text: str) -> str:
        return PREFIX + self._fernet.encrypt(text.encode("utf-8")).decode("ascii")

    def open(self, stored: str) -> str:
        if not is_sealed(stored):
            raise SecretUnreadable("the value is not an encrypted secret")
        try:
            return self._fernet.decrypt(stored[len(PREFIX):].encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError, ValueError):
            raise SecretUnreadable(KEY_CHANGED) from None

    def reseal(self, stored: str) -> str:
        """``stored`` sealed again under the current key (it may have been sealed under a previous one)."""
        return self.seal(self.open(stored))

    def __repr__(self) -> str:
        return "<Keyring>"


def is_sealed(stored: str) -> bool:
    return stored.startswith(PREFIX)


class UnreadableSecret:
    """A stored secret that cannot be decrypted: it is set (truthy), never shown, and fails when used.

    Written back unchanged if its row is saved, so a wrong key never destroys a secret.
    """

    __slots__ = ("stored", "reason", "label")

    def __init__(self, stored: str, reason: str, label: str = "secret"):
        self.stored, self.reason, self.label = stored, reason, label

    def __bool__(self) -> bool:
        return True

    def __eq__(self, other) -> bool:
        return isinstance(other, UnreadableSecret) and other.stored == self.stored

    __hash__ = None

    def __repr__(self) -> str:
        return "<UnreadableSecret>"

    __str__ = __repr__

    def message(self) -> str:
        return f"the stored {self.label} cannot be decrypted: {self.reason}; set it again"

    def reveal(self) -> str:
        raise SecretUnreadable(self.message())


def attach(database, secret_key: str, previous: Iterable[str] = ()) -> None:
    """Give ``database``'s engines the keyring of ``secret_key`` (the engines' dialects carry it)."""
    keyring = Keyring(secret_key, previous)
    for engine in {database.write_engine, database.read_engine}:
        setattr(engine.dialect, KEYRING_ATTRIBUTE, keyring)


def keyring_of(dialect_or_connection) -> Keyring | None:
    """The keyring attached to an engine's dialect (a connection or a dialect may be given)."""
    dialect = getattr(dialect_or_connection, "dialect", dialect_or_connection)
    return getattr(dialect, KEYRING_ATTRIBUTE, None)


class EncryptedText(TypeDecorator):
    """Text encrypted at rest; reads give the plaintext, or an :class:`UnreadableSecret`."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, UnreadableSecret):
            return value.stored
        keyring = keyring_of(dialect)
        if keyring is None:
            raise SecretUnreadable(f"cannot store a secret: {NO_KEY}")
        return keyring.seal(str(value))

    def process_result_value(self, value, dialect):
        if value is None or not is_sealed(value):
            return value            # plaintext from before encryption (migration 0004 seals it)
        keyring = keyring_of(dialect)
        if keyring is None:
            return UnreadableSecret(value, NO_KEY)
        try:
            return keyring.open(value)
        except SecretUnreadable as error:
            return UnreadableSecret(value, str(error))


def init_app(app) -> None:
    """Let the app's database encrypt and decrypt secrets with the app's ``GOVCAT_SECRET_KEY`` (and
    decrypt them with the keys of ``GOVCAT_SECRET_KEY_PREVIOUS``)."""
    from registry.db import get_db

    previous = [key.strip() for key in (app.config.get("GOVCAT_SECRET_KEY_PREVIOUS") or "").split(",") if key.strip()]
    attach(get_db(app), app.config["GOVCAT_SECRET_KEY"], previous)


def encrypted_columns() -> list:
    """Every column of the schema stored as :class:`EncryptedText`."""
    from registry import all_tables

    return [column for table in all_tables().sorted_tables for column in table.columns
            if isinstance(column.type, EncryptedText)]


def rotate(database) -> dict[str, int]:
    """Seal every stored secret again under the current key, in one transaction; return how many,
    by column.  A secret that no key opens is left as it is (and counted under ``unreadable``)."""
    counts: dict[str, int] = {}
    with database.write_engine.begin() as connection:
        keyring = keyring_of(connection)
        if keyring is None:
            raise SecretUnreadable(f"cannot rotate secrets: {NO_KEY}")
        for column in encrypted_columns():
            table, key = column.table, column.table.primary_key.columns.values()[0]
            name = f"{table.name}.{column.name}"
            raw = select(key, cast(column, Text)).where(column.is_not(None))   # the sealed text, not decrypted
            for row_id, stored in connection.execute(raw).all():
                if not is_sealed(stored):
                    continue
                try:
                    resealed = keyring.reseal(stored)
                except SecretUnreadable:
                    counts["unreadable"] = counts.get("unreadable", 0) + 1
                    continue
                connection.execute(update(table).where(key == row_id)
                                   .values({column.name: literal(resealed, Text)}))
                counts[name] = counts.get(name, 0) + 1
    return counts

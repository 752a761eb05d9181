"""Users, passwords and API tokens.

Passwords are stored as salted scrypt hashes.  A token is ``gct_`` + 43 random URL-safe
characters; it is shown once, at creation, and only its SHA-256 digest is stored (tokens are
random enough that a fast digest is safe and lets every request find its token by index).
"""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from registry.accounts.models import ApiToken, User
from registry.accounts.schemas import USERNAME_PATTERN, TokenSchema, UserSchema, UserUpdateSchema
from registry.audit.services import record
from registry.db import utcnow
from registry.departments.services import get_department
from registry.errors import Conflict, Forbidden, Invalid, NotFound
from registry.permissions import Action, can, require, require_signed_in

# How passwords are hashed (werkzeug method string); tests lower the cost, nothing else changes it.
PASSWORD_METHOD = "scrypt"

TOKEN_PREFIX = "gct_"
USERNAME = re.compile(USERNAME_PATTERN)
DEPARTMENT_ROLES = {"editor", "reviewer"}
# A hash to compare against when the user does not exist, so that timing does not tell.
_DUMMY_HASH = generate_password_hash("not a password")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(session: Session, actor, data: dict, *, check_permission: bool = True) -> User:
    if check_permission:
        require(actor, Action.USER_MANAGE)
    fields = UserSchema().load(data)
    if session.scalar(select(User.id).where(User.username == fields["username"])):
        raise Conflict("用户名已存在。", "This user name is taken.", "username")
    department = None
    if fields["role"] in DEPARTMENT_ROLES:
        if not fields.get("department"):
            raise Invalid("编目员和审核员必须属于一个部门。", "Editors and reviewers belong to a department.",
                          "department")
        try:
            department = get_department(session, fields["department"])
        except NotFound:
            raise Invalid("部门不存在。", "No such department.", "department") from None
    elif fields.get("department"):
        raise Invalid("管理员不属于某个部门。", "Admins and sysadmins belong to no department.", "department")
    user = User(username=fields["username"], role=fields["role"], department=department,
                display_name=fields.get("display_name"), email=fields.get("email"),
                password_hash=generate_password_hash(fields["password"], method=PASSWORD_METHOD))
    session.add(user)
    session.flush()
    record(session, actor, entity_type="user", entity_id=user.id, department_id=user.department_id,
           action="create", changes=[{"field": "role", "old": None, "new": user.role}])
    return user


def update_user(session: Session, actor, username: str, data: dict) -> User:
    require(actor, Action.USER_MANAGE)
    fields = UserUpdateSchema().load(data)
    user = get_user(session, username)
    if fields.get("active") is False and user.active:
        _keep_a_way_in(session, actor, user)
    changes = []
    if "password" in fields:
        user.password_hash = generate_password_hash(fields.pop("password"), method=PASSWORD_METHOD)
        user.end_sessions()         # a session opened with the old password ends
        changes.append({"field": "password", "old": None, "new": "(changed)"})
    if fields.get("active") is False and user.active:
        user.end_sessions()
    for key, value in fields.items():
        if getattr(user, key) != value:
            changes.append({"field": key, "old": getattr(user, key), "new": value})
            setattr(user, key, value)
    record(session, actor, entity_type="user", entity_id=user.id, department_id=user.department_id,
           action="update", changes=changes)
    return user


def _keep_a_way_in(session: Session, actor, user: User) -> None:
    """Nobody locks themselves out by the API, and the last active system administrator stays."""
    if user.id == getattr(actor, "id", None):
        raise Conflict("不能停用自己的账号。", "You cannot deactivate your own account.", "active")
    if user.role == "sysadmin":
        others = session.scalar(select(func.count()).select_from(User).where(
            User.role == "sysadmin", User.active.is_(True), User.id != user.id))
        if not others:
            raise Conflict("不能停用最后一个系统管理员。", "The last active system administrator cannot be deactivated.",
                           "active")


def read_user(session: Session, actor, username: str) -> User:
    """A user's account, for those who manage users."""
    require(actor, Action.USER_MANAGE)
    return get_user(session, username)


def get_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username)) if USERNAME.match(username) else None
    if user is None:
        raise NotFound("未找到该用户。", f"No user {username}.")
    return user


def list_users(session: Session, actor) -> list[User]:
    require(actor, Action.USER_MANAGE)
    return list(session.scalars(select(User).order_by(User.username)))


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this name and password, or ``None``."""
    user = session.scalar(select(User).where(User.username == username)) if USERNAME.match(username) else None
    if user is None or not user.password_hash:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user


def create_token(session: Session, actor, data: dict, *, default_days: int = 0) -> tuple[ApiToken, str]:
    """Create a token for ``actor`` and return it and its secret.

    Only its owner creates a token: a token acts as its owner, so one made for somebody else would
    let its maker act as them (a system administrator publishing as the centre's administrator).
    The server's command line (``govcat token create``) stays the way to make one for a user who
    cannot sign in.
    """
    require_signed_in(actor)
    fields = TokenSchema().load(data)
    owner = actor
    if fields.get("username") and fields["username"] != getattr(actor, "username", None):
        raise Forbidden("只能为自己创建访问令牌。", "A token is created by its owner only.", "username")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    days = fields.get("expires_in_days") or default_days
    token = ApiToken(user=owner, name=fields["name"], prefix=secret[:10], digest=_digest(secret),
                     expires_at=utcnow() + timedelta(days=days) if days else None)
    session.add(token)
    session.flush()
    record(session, actor, entity_type="token", entity_id=token.id, department_id=owner.department_id,
           action="create", changes=[{"field": "name", "old": None, "new": token.name}])
    return token, secret


def revoke_token(session: Session, actor, token_id: int) -> ApiToken:
    require_signed_in(actor)
    token = session.get(ApiToken, token_id)
    if token is None or (token.user_id != getattr(actor, "id", None)
                         and not can(actor, Action.TOKEN_MANAGE_OTHERS)):
        raise NotFound("未找到该令牌。", f"No token {token_id}.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record(session, actor, entity_type="token", entity_id=token.id, department_id=token.user.department_id,
               action="revoke")
    return token


def list_tokens(session: Session, actor, username: str | None = None) -> list[ApiToken]:
    require_signed_in(actor)
    owner = actor
    if username and username != actor.username:
        require(actor, Action.TOKEN_MANAGE_OTHERS)
        owner = get_user(session, username)
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == owner.id).order_by(ApiToken.id)))


def user_for_token(session: Session, secret: str) -> User | None:
    """The active user whose valid, unrevoked, unexpired token this is, or ``None``."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.digest == _digest(secret)))
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    if token.expires_at is not None and token.expires_at <= utcnow():
        return None
    return token.user


def user_representation(user: User) -> dict:
    return {"id": user.id, "username": user.username, "display_name": user.display_name, "email": user.email,
            "role": user.role, "department": user.department.credit_code if user.department else None,
            "active": user.active, "created": user.created_at.isoformat()}


def token_representation(token: ApiToken) -> dict:
    def iso(value):
        return value.isoformat() if value else None
    return {"id": token.id, "name": token.name, "prefix": token.prefix, "user": token.user.username,
            "created": iso(token.created_at), "expires": iso(token.expires_at), "revoked": iso(token.revoked_at)}

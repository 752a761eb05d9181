"""Spreadsheet registration in the browser: upload, a preview of every row with its problems, then
the valid rows registered as drafts only when the user confirms (:mod:`registry.resources.sheet_upload`).

Between the two steps the file waits in the instance folder under a random name that carries its
uploader's id (no one else can confirm it), and is deleted once confirmed; files older than a day
are swept at the next upload.  Nothing reaches the catalog before the confirmation.
"""
from __future__ import annotations

import json
import re
import secrets
import time
from pathlib import Path

from flask import Blueprint, current_app, render_template, request, url_for

from registry.auth import current_actor
from registry.db import get_session
from registry.errors import ServiceError
from registry.i18n import in_language
from registry.resources import services, sheet_upload
from registry.search import index_after_commit
from registry.ui.common import label, signed_in_only

bp = Blueprint("upload", __name__, url_prefix="/workspace/upload")
bp.before_request(signed_in_only)
KEEP_SECONDS = 86400
TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _path(token: str) -> Path | None:
    """The waiting file of this token, if it is the signed-in user's."""
    if not TOKEN.match(token or ""):
        return None
    path = _folder() / f"{current_actor().id}-{token}"
    return path if path.exists() else None


@bp.get("")
def start():
    return render_template("workspace/upload.html")


@bp.post("")
def check():
    upload = request.files.get("file")
    body = upload.read() if upload else b""
    name, content_type = (upload.filename or "", upload.mimetype or "") if upload else ("", "")
    try:
        outcomes = sheet_upload.preview(get_session(), current_actor(), body, name=name, content_type=content_type)
    except ServiceError as problem:
        get_session().rollback()
        return render_template("workspace/upload.html", error=in_language(problem.zh, problem.en)), problem.status
    get_session().rollback()        # judging the rows reserved nothing, wrote nothing
    _sweep()
    token = secrets.token_urlsafe(24)
    path = _folder() / f"{current_actor().id}-{token}"
    path.write_bytes(body)
    path.with_suffix(".json").write_text(json.dumps({"name": name, "content_type": content_type}))
    return render_template("workspace/upload.html", rows=[o.as_dict() for o in outcomes], token=token, name=name)


@bp.post("/confirm")
def confirm():
    path = _path(request.form.get("token", ""))
    if path is None:
        return render_template("workspace/upload.html", error=in_language(
            "上传的文件已不存在（已登记或已过期），请重新上传。",
            "The uploaded file is gone (registered already, or expired); upload it again.")), 410
    meta = json.loads(path.with_suffix(".json").read_text())
    session, actor = get_session(), current_actor()
    try:
        outcomes = sheet_upload.preview(session, actor, path.read_bytes(), name=meta["name"],
                                        content_type=meta["content_type"])
        ids = sheet_upload.register_valid_rows(session, actor, outcomes)
        session.commit()
    except ServiceError as problem:
        session.rollback()
        return render_template("workspace/upload.html", error=in_language(problem.zh, problem.en)), problem.status
    path.unlink(missing_ok=True)
    path.with_suffix(".json").unlink(missing_ok=True)
    index_after_commit()
    created = [services.get_resource(session, i) for i in ids]
    return render_template("workspace/upload.html", created=created, skipped=sum(1 for o in outcomes if o.problems),
                           label=label, edit=lambda r: url_for("workspace.edit", resource_id=r.id))


def _sweep() -> None:
    cutoff = time.time() - KEEP_SECONDS
    for old in _folder().iterdir():
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)

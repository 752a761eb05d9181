"""The harvest API: sources and their jobs, under ``/api/v1/harvest``."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("harvest", __name__)

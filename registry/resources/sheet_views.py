"""Spreadsheets in the compilation guide's layout: the template to download, the catalog as a sheet."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("sheets", __name__)

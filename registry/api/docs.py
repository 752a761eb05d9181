"""Placeholder: the OpenAPI document and the docs page (being written)."""
from flask import Flask


def init_app(app: Flask) -> None:
    pass

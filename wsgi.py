"""The WSGI entry point: ``gunicorn wsgi:app`` (without ``--preload``: each worker imports it, and
starts its own search drainer, so the index catches up with no request needed)."""
from registry import create_app
from registry.search import start_background_drain

app = create_app()
start_background_drain(app)

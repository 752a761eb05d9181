"""``govcat quality``: rescore the catalog's metadata quality by hand (after an upgrade, or a change
of the model), with progress on standard error."""
from __future__ import annotations

import json
import sys

import click


@click.group()
def quality() -> None:
    """Metadata quality (405-point model) of every resource."""


@quality.command("recompute")
@click.option("--jobs", type=click.IntRange(1, 64), default=None, help="Scoring processes (default: one a core).")
@click.option("--full", is_flag=True, help="Judge every document with the schema again, even unchanged ones "
                                          "(after an upgrade that changed the metadata model).")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
def recompute_command(jobs: int | None, full: bool, as_json: bool) -> None:
    """Rescore every resource and queue the changed ones for the search index."""
    from registry.cli import _app, _bring_index_up_to_date
    from registry.db import get_db
    from registry.quality.services import recompute_all

    app = _app()
    shown = sys.stderr.isatty()

    def progress(done: int, total: int) -> None:
        if shown:
            click.echo(f"\r  scored {done:>7}/{total}", nl=False, err=True)
        elif done == total or done % 10000 < 1000:
            click.echo(f"scored {done}/{total}", err=True)

    counts = recompute_all(get_db(app), jobs=jobs, full=full, progress=progress)
    if shown:
        click.echo("", err=True)
    _bring_index_up_to_date(app)
    click.echo(json.dumps(counts) if as_json else f"scored {counts['scored']} resources, {counts['changed']} changed")

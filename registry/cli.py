"""The ``govcat`` command line: set up, serve, load the demo, manage users and tokens, export.

Long work reports its progress on standard error, so standard output stays clean for data
(tokens, exports) that scripts read.
"""
from __future__ import annotations

import json
import os
import sys

import click
from sqlalchemy import select

from registry import create_app
from registry.config import SettingError
from registry.db import get_db
from vocab import enumerations as v


def _app():
    """The app of this process's settings; a setting that cannot be read is a one-line error."""
    try:
        return create_app()
    except SettingError as error:
        raise click.ClickException(f"configuration: {error}") from None


@click.group(help="govcat — government information-resource catalog (政务信息资源目录).")
def main() -> None:
    pass


def init_database(app) -> None:
    from registry.departments.services import sync_fixed_classification
    from registry.migrate import upgrade

    database = get_db(app)
    upgrade(database)
    with database.transaction() as session:
        sync_fixed_classification(session)


@main.command()
def init() -> None:
    """Create the database, or upgrade it to the current schema."""
    app = _app()
    init_database(app)
    click.echo(f"database ready: {_safe_url(app.config['GOVCAT_DATABASE_URL'])}", err=True)


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url
    return make_url(url).render_as_string(hide_password=True)


def _serve(host: str, port: int, workers: int) -> None:
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", 4)
            self.cfg.set("accesslog", "-")

        def load(self):
            # Each worker builds its own app after the fork: no database connection, search index
            # handle or thread is ever shared across processes.  Its drainer starts with it, so the
            # index catches up after a restart before any request arrives.
            from registry.search import start_background_drain

            app = create_app()
            start_background_drain(app)
            return app

    click.echo(f"govcat serving on http://{host}:{port}/  (API: http://{host}:{port}/api/v1/)", err=True)
    Server().run()


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
def serve(host: str, port: int, workers: int) -> None:
    """Serve the catalog over HTTP."""
    _serve(host, port, workers)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Load the demo catalog and stop.")
def demo(host: str, port: int, no_serve: bool) -> None:
    """Create the database, load the demo catalog (once), and serve it."""
    from registry.demo.loader import load_demo

    app = _app()
    init_database(app)
    summary = load_demo(get_db(app), progress=_progress)
    if summary["loaded"]:
        click.echo(f"demo catalog loaded: {summary['departments']} departments, "
                   f"{summary['resources']} resources", err=True)
    else:
        click.echo("demo catalog already loaded", err=True)
    for username, role, department in summary["users"]:
        click.echo(f"  demo user {username:<10} {role:<9} password: {summary['password']}"
                   + (f"  ({department})" if department else ""), err=True)
    _bring_index_up_to_date(app)
    if not no_serve:
        _serve(host, port, workers=2)


def _bring_index_up_to_date(app) -> None:
    from registry.search import get_engine
    from registry.search.outbox import drain
    from registry.search.services import reindex as rebuild

    if get_engine(app).describe().get("analysis_current") is False:
        # An index of an older text analysis would match nothing the queries ask for: build it anew.
        report = rebuild(get_db(app), get_engine(app))
        click.echo(f"search index rebuilt for the current text analysis: {report['indexed']} documents", err=True)
    indexed = drain(get_db(app), get_engine(app))
    if indexed:
        click.echo(f"indexed {indexed} resources for search", err=True)


def _progress(iterable, length: int, label: str):
    return click.progressbar(iterable, length=length, label=label, file=sys.stderr, show_pos=True)


@main.group()
def user() -> None:
    """Manage user accounts."""


@user.command("create")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(v.ROLES.keys))
@click.option("--department", help="Credit code of the department (editors and reviewers).")
@click.option("--display-name")
def user_create(name: str, role: str, department: str | None, display_name: str | None) -> None:
    """Create a user; the password is read from a prompt, or from standard input."""
    from registry.accounts.services import create_user

    if sys.stdin.isatty():
        password = click.prompt("password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    data = {"username": name, "password": password, "role": role, "department": department}
    if display_name:
        data["display_name"] = display_name
    with _cli_errors(), get_db(_app()).transaction() as session:
        created = create_user(session, None, data, check_permission=False)
    click.echo(f"created user {created.username} ({created.role})", err=True)


@main.group()
def token() -> None:
    """Manage API tokens."""


@token.command("create")
@click.argument("name")
@click.option("--label", default="cli", show_default=True, help="What the token is for.")
@click.option("--expires-days", type=int, help="Days until the token expires (default: never).")
def token_create(name: str, label: str, expires_days: int | None) -> None:
    """Create an API token for user NAME and print it (it is shown only this once)."""
    from registry.accounts.services import create_token, get_user

    data = {"name": label}
    if expires_days:
        data["expires_in_days"] = expires_days
    with _cli_errors(), get_db(_app()).transaction() as session:
        owner = get_user(session, name)
        _token, secret = create_token(session, owner, data)
    click.echo(secret)


@main.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl", "ttl", "nt", "jsonld", "xlsx", "csv"]),
              default="jsonl", show_default=True,
              help="xlsx and csv: the compilation guide's layout, as the spreadsheet template has it.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, allow_dash=True), default="-",
              help="File to write (default: standard output); a name ending in .gz is compressed.")
@click.option("--jobs", type=click.IntRange(1, 64), default=os.cpu_count() or 1, show_default="the cores",
              help="Worker processes rendering Turtle or N-Triples.")
def export(fmt: str, output: str, jobs: int) -> None:
    """Export the published catalog — JSON lines, DCAT-AP RDF or a spreadsheet — in constant memory."""
    from sqlalchemy import func

    from registry.rdf import services as rdf
    from registry.rdf.formats import BY_EXTENSION
    from registry.resources.models import Resource
    from registry.resources.services import resource_representation

    app = _app()
    database = get_db(app)
    with database.reader() as session:
        total = session.scalar(select(func.count()).select_from(Resource).where(Resource.is_public.is_(True)))
    with app.app_context(), click.progressbar(length=total, label="exporting", file=sys.stderr,
                                              show_pos=True) as bar:
        if fmt == "jsonl":
            def chunks():
                with database.reader() as session:
                    query = select(Resource).where(Resource.is_public.is_(True)).order_by(Resource.id)
                    for resource in session.scalars(query.execution_options(yield_per=1000)):
                        bar.update(1)
                        yield (json.dumps(resource_representation(resource, "published"), ensure_ascii=False)
                               + "\n").encode("utf-8")
            pieces = chunks()
        elif fmt in ("xlsx", "csv"):
            pieces = _sheet_chunks(database, fmt, bar.update)
        else:
            pieces = rdf.dump_chunks(database, BY_EXTENSION[fmt], rdf.settings(), progress=bar.update, jobs=jobs)
        if output.endswith(".gz"):
            pieces = rdf.gzipped(pieces)
        stream = click.open_file(output, "wb")
        with stream:
            for piece in pieces:
                stream.write(piece)
    click.echo(f"exported {total} resources", err=True)


def _sheet_chunks(database, fmt: str, progress):
    """The published catalog in the spreadsheet layout, as chunks of bytes.

    CSV streams row by row; a workbook is a zip, so it is written first (write-only mode, rows
    spooled to disk) to a temporary file that is then read out.
    """
    import tempfile

    from registry.resources import sheet_export

    with database.reader() as session:
        reps = sheet_export.published_representations(session)
        if fmt == "csv":
            yield from sheet_export.csv_chunks(reps, progress=progress)
            return
        with tempfile.TemporaryFile() as spool:
            sheet_export.write_xlsx(reps, spool, progress=progress)
            spool.seek(0)
            yield from iter(lambda: spool.read(1024 * 1024), b"")


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--profile", default="govcat", show_default=True,
              help="govcat (the compilation guide's obligations) or a DCAT-AP profile: dcat-ap, dcat-ap-full …")
@click.option("--standards", type=click.Path(file_okay=False), help="Folder of the DCAT-AP 3.0.1 shapes "
              "(for the dcat-ap profiles).")
def validate(file: str, profile: str, standards: str | None) -> None:
    """Check an RDF file (Turtle, RDF/XML, JSON-LD, N-Triples) against govcat's SHACL profile or DCAT-AP."""
    from rdflib import Graph

    from vocab.validation import PROFILES, validate as run

    if profile not in PROFILES:
        raise click.BadParameter(f"one of {', '.join(PROFILES)}", param_hint="--profile")
    try:
        graph = Graph().parse(file)
    except Exception as error:  # a parser's own message says where the file is broken
        click.echo(f"error: {file} is not RDF that can be read: {error}", err=True)
        sys.exit(2)
    if profile != "govcat" and not standards:
        raise click.BadParameter("the DCAT-AP profiles need the folder of the official shapes", param_hint="--standards")
    report = run(graph, profile, standards_dir=standards)
    for finding in report.findings:
        message = " / ".join(m for m in (finding.message_zh, finding.message_en) if m)
        click.echo(f"{finding.severity}: {finding.focus} {finding.path or ''} — {message}")
    counts = report.counts()
    click.echo(f"{profile}: {'conforms' if report.conforms else 'does not conform'} "
               f"({counts['Violation']} violations, {counts['Warning']} warnings)", err=True)
    sys.exit(0 if counts["Violation"] == 0 else 1)


@main.command()
def reindex() -> None:
    """Build a new search index from the database and swap it in (searches go on meanwhile)."""
    from registry.search import get_engine
    from registry.search.services import expected_counts, reindex as rebuild

    app = _app()
    database = get_db(app)
    with database.reader() as session:
        total = sum(expected_counts(session).values())
    with click.progressbar(length=total, label="indexing", file=sys.stderr, show_pos=True) as bar:
        report = rebuild(database, get_engine(app), progress=bar.update)
    click.echo(f"indexed {report['indexed']} documents; caught up {report['caught_up']} changed meanwhile", err=True)


@main.group()
def search() -> None:
    """Look after the search index."""


@search.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def search_status(as_json: bool) -> None:
    """Engine, document counts, backlog, and any difference between the database and the index."""
    from registry.search import get_engine
    from registry.search.services import status

    app = _app()
    report = status(get_db(app), get_engine(app))
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    engine = report["engine"]
    click.echo(f"engine:    {engine['engine']}  " + "  ".join(f"{k}={v}" for k, v in engine.items() if k != "engine"))
    if engine.get("analysis_current") is False:
        click.echo(f"analysis:  STALE — the index was built with {engine.get('analysis') or 'an older analysis'}, "
                   f"this govcat reads {report['analysis']}; run 'govcat reindex'")
    click.echo(f"database:  {report['database']['public']} public, {report['database']['working']} working copies")
    if report.get("available"):
        click.echo(f"index:     {report['index']['public']} public, {report['index']['working']} working copies")
        click.echo(f"backlog:   {report['backlog']} queued changes")
        if report["in_step"]:
            click.echo("in step:   yes")
        else:
            click.echo(f"in step:   no — {report['missing']} missing from the index "
                       f"{report['missing_sample']}, {report['extra']} extra {report['extra_sample']}; "
                       "run 'govcat search drain' or 'govcat reindex'")
    else:
        click.echo(f"index:     UNAVAILABLE ({report['error']})")
        click.echo(f"backlog:   {report['backlog']} queued changes wait for it")
        sys.exit(1)


@search.command("drain")
def search_drain() -> None:
    """Write the queued changes to the search index now."""
    from registry.search import get_engine
    from registry.search.outbox import drain

    app = _app()
    with _cli_errors():
        indexed = drain(get_db(app), get_engine(app))
    click.echo(f"indexed {indexed} changed resources", err=True)


@main.group("secrets")
def secrets_group() -> None:
    """Look after the secrets the catalog stores encrypted (harvest sources' auth headers)."""


@secrets_group.command("rotate")
def secrets_rotate() -> None:
    """Encrypt every stored secret again under GOVCAT_SECRET_KEY (old keys in GOVCAT_SECRET_KEY_PREVIOUS)."""
    from registry.secrets import rotate

    counts = rotate(get_db(_app()))
    unreadable = counts.pop("unreadable", 0)
    for column, count in counts.items():
        click.echo(f"{column}: {count} encrypted again under the current key", err=True)
    if not counts:
        click.echo("no stored secret to encrypt again", err=True)
    if unreadable:
        click.echo(f"error: {unreadable} stored secrets open under no key given; add their key to "
                   "GOVCAT_SECRET_KEY_PREVIOUS, or set them again", err=True)
        sys.exit(1)


class _cli_errors:
    """Print service and validation errors as readable lines and exit 1, instead of a traceback."""

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        from marshmallow import ValidationError

        from registry.errors import ServiceError, flatten_messages
        from registry.search.engine import SearchUnavailable

        if isinstance(exc, ValidationError):
            for error in flatten_messages(exc.messages):
                click.echo(f"error: {error['field']}: {error['reason']} ({error['reason_zh']})", err=True)
            sys.exit(1)
        if isinstance(exc, SearchUnavailable):
            click.echo(f"error: the search engine is unavailable: {exc}", err=True)
            sys.exit(1)
        if isinstance(exc, ServiceError):
            where = f"{exc.field}: " if exc.field else ""
            click.echo(f"error: {where}{exc.en} ({exc.zh})", err=True)
            sys.exit(1)
        return False


@main.group()
def evaluate() -> None:
    """The evaluation of departments: scorecards and their snapshots."""


@evaluate.command("snapshot")
def evaluate_snapshot() -> None:
    """Take today's snapshot of every scorecard now (replacing one taken earlier today), for the trends."""
    from registry.evaluation.snapshots import take_snapshot, trend

    database = get_db(_app())
    click.echo("evaluating every department …", err=True)
    day = take_snapshot(database)
    with database.reader() as session:
        catalog = trend(session, days=1)[-1]
    score = "—" if catalog["score"] is None else catalog["score"]
    click.echo(f"evaluation snapshot of {day.isoformat()} taken; the catalog's score: {score}", err=True)


@main.group()
def sharing() -> None:
    """Sharing requests between departments."""


@sharing.command("flag-overdue")
def sharing_flag_overdue() -> None:
    """Tell both departments and the centre of each request unanswered past its deadline (once each); run it daily."""
    from registry.sharing.services import flag_overdue

    app = _app()
    with app.app_context(), get_db(app).transaction() as session:
        flagged = flag_overdue(session)
        for request in flagged:
            click.echo(f"request {request.id}: overdue since {request.due_on.isoformat()} "
                       f"({request.requester_department.name} → {request.provider_department.name})")
    click.echo(f"{len(flagged)} overdue request(s) flagged", err=True)


def _attach_harvest_commands() -> None:
    from harvesters.cli import check_links, harvest, worker

    main.add_command(harvest)
    main.add_command(worker)
    main.add_command(check_links)


_attach_harvest_commands()


def _attach_quality_commands() -> None:
    from registry.quality.cli import quality

    main.add_command(quality)


_attach_quality_commands()

if __name__ == "__main__":
    main()

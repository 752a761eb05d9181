"""Benchmark: `govcat check-links` over 10,000 links answered by a local server.

    .venv/bin/python bench/links.py                          # 10,000 links, the default limits
    .venv/bin/python bench/links.py --links 10000 --per-host 8 --hosts 4

Target (issue #14, 2-core machine): checking 10,000 links against a local server ≤ 120 s.

The catalog: demo-generated resources (about two distributions each) loaded as published into a
temporary SQLite instance, their access and download URLs rewritten to the local server until the
catalog names ``--links`` distinct URLs, spread over ``--hosts`` host addresses (127.0.0.1,
127.0.0.2 … all loopback), so the per-host limit applies as it would to departments' servers.

The server runs in a process of its own (a threaded HTTP/1.1 server with keep-alive) and answers
like a real catalog's links: most HEADs 200, some 404, some a redirect first, some refuse HEAD (405)
so the checker asks a one-byte GET, a few are slow (``--slow-ms``).  Timed: the whole run of
:func:`harvesters.link_runs.check_links` — reading the URLs from the published documents, ordering
them, checking, and storing every result (with the after-check callbacks) — as the command runs it.
"""
from __future__ import annotations

import argparse
import multiprocessing
import resource as rusage
import sys
import tempfile
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load_and_list import records  # noqa: E402
from harvesters.link_runs import check_links, checker_for  # noqa: E402
from registry import create_app  # noqa: E402
from registry.cli import init_database  # noqa: E402
from registry.db import get_db  # noqa: E402
from registry.demo.catalog import load_departments  # noqa: E402
from registry.departments.services import create_department  # noqa: E402
from registry.resources.services import prepare_registration, register_resources  # noqa: E402


def kind_of(number: int) -> str:
    """What link ``number`` does: 85 % answer, 5 % 404, 5 % redirect once, 4 % refuse HEAD, 1 % slow."""
    slot = number % 100
    return ("404" if slot < 5 else "redirect" if slot < 10 else "no-head" if slot < 14 else
            "slow" if slot < 15 else "ok")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    slow_seconds = 0.5

    def do_HEAD(self):
        self._answer(head=True)

    def do_GET(self):
        self._answer(head=False)

    def _answer(self, head: bool) -> None:
        kind = self.path.strip("/").split("/", 1)[0]
        if kind == "redirect":
            self.send_response(302)
            self.send_header("Location", self.path.replace("/redirect/", "/ok/", 1))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if kind == "slow":
            time.sleep(self.slow_seconds)
        status = {"404": 404, "no-head": 405 if head else 206}.get(kind, 206 if not head else 200)
        body = b"" if head else b"x"
        self.send_response(status)
        self.send_header("Content-Length", str(len(body) if not head else 1))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def log_message(self, *args):
        pass


def serve(hosts: int, port_queue, slow_ms: int) -> None:
    """One server per host address (127.0.0.1 …), all in this process; tell the parent their port."""
    Handler.slow_seconds = slow_ms / 1000
    servers = []
    port = 0
    for n in range(hosts):
        server = ThreadingHTTPServer((f"127.0.0.{n + 1}", port), Handler)
        server.daemon_threads = True
        port = server.server_address[1]
        servers.append(server)
    import threading
    for server in servers[1:]:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    port_queue.put(port)
    servers[0].serve_forever()


def load_catalog(app, links: int, hosts: int, port: int) -> int:
    """Published resources whose distributions name ``links`` distinct URLs on the local server."""
    database = get_db(app)
    with database.transaction() as session:
        departments = [create_department(session, None, d, check_permission=False) for d in load_departments()]
        branch_codes = {d.credit_code: d.branch_code for d in departments}
    number, pending = 0, []

    def url() -> str:
        nonlocal number
        number += 1
        return f"http://127.0.0.{number % hosts + 1}:{port}/{kind_of(number)}/{number}"

    for data in records(branch_codes, links):
        kept = []
        for distribution in data.get("distributions") or [{"title": "数据"}]:
            if number >= links:
                break
            distribution["access_url"] = url()
            if "download_url" in distribution and number < links:
                distribution["download_url"] = url()
            else:
                distribution.pop("download_url", None)
            kept.append(distribution)
        data["distributions"] = kept
        pending.append(data)
        if number >= links:
            break
    for offset in range(0, len(pending), 1000):
        with database.transaction() as session:
            prepared = [prepare_registration(session, None, data, check_permission=False)
                        for data in pending[offset:offset + 1000]]
            register_resources(session, None, prepared, publish=True)
    return len(pending)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", type=int, default=10_000)
    parser.add_argument("--hosts", type=int, default=4, help="host addresses the links are spread over")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--per-host", type=int, default=4)
    parser.add_argument("--slow-ms", type=int, default=500, help="how long the 1 %% slow links take")
    args = parser.parse_args()
    ports = multiprocessing.Queue()
    server = multiprocessing.Process(target=serve, args=(args.hosts, ports, args.slow_ms), daemon=True)
    server.start()
    port = ports.get(timeout=30)
    try:
        with tempfile.TemporaryDirectory() as folder:
            app = create_app({"GOVCAT_INSTANCE": folder, "GOVCAT_HARVEST_ALLOW": "127.0.0.0/8"})
            init_database(app)
            resources = load_catalog(app, args.links, args.hosts, port)
            print(f"catalog: {resources:,} published resources naming {args.links:,} links on {args.hosts} hosts")
            before = rusage.getrusage(rusage.RUSAGE_SELF)
            started = time.perf_counter()
            with checker_for(app.config, concurrency=args.concurrency, per_host=args.per_host) as checker:
                summary = check_links(get_db(app), checker)
            seconds = time.perf_counter() - started
            after = rusage.getrusage(rusage.RUSAGE_SELF)
            cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
            print(f"check-links: {summary.line()}")
            print(f"  wall {seconds:.1f} s, {summary.checked / seconds:,.0f} links/s; checker CPU {cpu:.1f} s "
                  f"(concurrency {args.concurrency}, per host {args.per_host})")
            print(f"  dead by reason: {dict(summary.reasons)}")
            expected = Counter(kind_of(n) for n in range(1, args.links + 1))
            assert summary.checked == args.links, "every link is checked"
            assert summary.dead == expected["404"], "exactly the 404 links are dead"
            get_db(app).dispose()
    finally:
        server.terminate()


if __name__ == "__main__":
    main()

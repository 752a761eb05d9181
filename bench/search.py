"""Benchmark: search over the HTTP API under gunicorn, on 100,000 resources, and a full reindex.

    .venv/bin/python bench/search.py --count 100000                         # the embedded engine
    .venv/bin/python bench/search.py --count 100000 --search-url http://127.0.0.1:PORT   # OpenSearch

Targets (issue #3, 2-core machine): 200 varied queries with all facets — embedded p50 ≤ 15 ms,
p95 ≤ 50 ms; OpenSearch p50 ≤ 30 ms, p95 ≤ 80 ms; full reindex of 100,000 ≤ 60 s embedded,
≤ 120 s OpenSearch; each web worker ≤ 400 MB.  The queries are drawn with a fixed seed from the
demo catalog's own words, filters and sorts, so every run asks the same questions.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load_and_list import load  # noqa: E402
from registry import create_app  # noqa: E402
from vocab import enumerations as v  # noqa: E402
from registry.cli import init_database  # noqa: E402
from registry.db import get_db  # noqa: E402
from registry.demo.catalog import load_departments, load_tables  # noqa: E402
from registry.search import get_engine  # noqa: E402
from registry.search.services import reindex  # noqa: E402

WORDS_EN = ["statistics", "register", "permit", "population", "transport", "school", "hospital", "price"]


def queries(count: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    tables = load_tables()
    subjects = [s for entry in tables["classification_subjects"].values() for s in entry["subjects"]]
    subjects += [s for kind in tables["department_kinds"] for s in kind["subjects"]]
    words = sorted({w for s in subjects for w in [s["zh"][:2], s["zh"][-2:], *s.get("keywords", [])]})
    departments = [d["credit_code"] for d in load_departments()]
    filters = {
        "share_type": lambda: rng.choice(v.SHARE_TYPES.keys),
        "open_type": lambda: rng.choice(v.OPEN_TYPES.keys),
        "department": lambda: rng.choice(departments),
        "theme": lambda: ",".join(rng.sample(v.EU_THEMES.keys, 2)),
        "classification": lambda: rng.choice(["1", "2", "3", "201", "102"]),
        "level": lambda: rng.choice(v.ADMINISTRATIVE_LEVELS.keys),
        "format_class": lambda: rng.choice(v.FORMAT_CLASSES.keys),
    }
    out = []
    for i in range(count):
        kind = i % 10
        params = {}
        if kind < 8:                                   # 80 %: someone typed words
            params["q"] = rng.choice(words)
        if kind == 7:                                  # 10 %: Chinese and English mixed
            params["q"] += " " + rng.choice(WORDS_EN)
        if kind in (4, 5, 6, 8, 9):                     # 50 %: one filter; browsing adds a second
            for name in rng.sample(sorted(filters), 2 if kind >= 8 else 1):
                params[name] = filters[name]()
        if kind == 3:
            params["sort"] = rng.choice(["modified", "title"])
        if kind == 2:
            params["page"] = rng.randint(2, 5)
        out.append(params)
    return out


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def serve(instance: str, search_url: str | None, port: int) -> subprocess.Popen:
    env = {**os.environ, "GOVCAT_INSTANCE": instance, "GOVCAT_SEARCH_DRAIN_SECONDS": "0"}
    if search_url:
        env["GOVCAT_SEARCH_URL"] = search_url
    server = subprocess.Popen([sys.executable, "-m", "registry.cli", "serve", "--port", str(port), "--workers", "2"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    if not answers(port):
        server.kill()
        raise SystemExit("the server did not start")
    return server


def answers(port: int, seconds: float = 60) -> bool:
    """Whether ``govcat serve`` on ``port`` answers within ``seconds`` (it loads, then listens)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/api/v1/vocabularies")
            if connection.getresponse().status == 200:
                return True
        except OSError:
            time.sleep(0.3)
    return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--search-url", help="OpenSearch/Elasticsearch; default: the embedded engine")
    parser.add_argument("--port", type=int, default=5091)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as instance:
        config = {"GOVCAT_INSTANCE": instance, "GOVCAT_SEARCH_DRAIN_SECONDS": 0}
        if args.search_url:
            config["GOVCAT_SEARCH_URL"] = args.search_url
        app = create_app(config)
        init_database(app)
        load(app, args.count, 1000)
        engine = get_engine(app)
        started = time.perf_counter()
        report = reindex(get_db(app), engine)
        seconds = time.perf_counter() - started
        print(f"reindex: {report['indexed']} documents ({args.count} resources) on {engine.name} in {seconds:.1f} s")
        get_db(app).dispose()
        server = serve(instance, args.search_url, args.port)
        try:
            connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
            timings, totals = [], []
            for params in queries(args.queries):
                path = "/api/v1/resources?" + urlencode(params)
                begun = time.perf_counter()
                connection.request("GET", path)
                response = connection.getresponse()
                body = response.read()
                timings.append((time.perf_counter() - begun) * 1000)
                assert response.status == 200, (path, body[:300])
                totals.append(json.loads(body)["total"])
            timings.sort()
            p95 = timings[max(int(len(timings) * 0.95) - 1, 0)]
            print(f"search over HTTP ({args.queries} queries, all facets): p50 {statistics.median(timings):.1f} ms, "
                  f"p95 {p95:.1f} ms, max {timings[-1]:.1f} ms; median hits {statistics.median(totals):.0f}")
            children = [int(p) for p in Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()]
            print("worker memory: " + ", ".join(f"{rss_mb(pid):.0f} MB" for pid in children))
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)


if __name__ == "__main__":
    main()

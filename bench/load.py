"""Benchmark: `govcat serve` under load — searches, pages, RDF and CKAN reads with writes beside them.

    .venv/bin/python bench/load.py                       # the demo catalog
    .venv/bin/python bench/load.py --resources 100000    # 100,000 generated resources

Targets (issue #11, 2-core machine, the default `govcat serve`, demo catalog): 200 search
requests/s offered, answered at p95 ≤ 100 ms with no error; the server CPU of an RDF page of 100
and of a CKAN package_search ≤ 15 ms each; the same runs at 100,000 resources reported beside them.

Everything runs on loopback in a temporary instance: the demo catalog (``govcat demo --no-serve``)
or the generator of bench/load_and_list.py, then the real ``govcat serve`` (gunicorn, its default
workers), an editor and an API token made with the ``govcat`` command.  The generators cost little
CPU, since they share the two cores with the server:

* closed loop: ``wrk`` (Debian: ``apt-get install -y wrk``), N connections that each send the next
  request when the last is answered, with a Lua script cycling through a list of realistic paths;
* open loop: ``oha`` (crates.io: ``cargo install oha --locked``), a fixed offered rate with latency
  correction (a late answer also counts the time its request waited to be sent).

Kinds: ``search`` (JSON API, every facet counted, words and filters drawn with a fixed seed as in
bench/search.py), ``search_html`` (the /search page), ``resource`` (a resource's HTML page),
``rdf100`` (a catalog page of 100 as Turtle, among the first 10 pages, the 1,000 resources a serving
process keeps ready by default; ``rdf100_deep``: pages past those, each seldom asked for, with
100,000 resources), ``ckan`` (``package_search``, 20 rows, some with a
filter and facets).  Beside each run a thread of this process writes through the API with the
token (``--writes`` a second: new resources, and edits of them), reported as the kind ``write``.

Server CPU per request: the user and system CPU time of the gunicorn master, its workers and any
of their children (``/proc/PID/stat``), before and after each run, divided by the requests the run
completed (writes included in runs that have them, so the closed-loop runs without writes give each
kind's own cost).  Results go to docs/performance.md by hand, with the machine and the command.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import resource as rusage
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.search import answers, queries  # noqa: E402

KINDS = ("search", "search_html", "resource", "rdf100", "rdf100_deep", "ckan")
TICKS = os.sysconf("SC_CLK_TCK")
WRK_SCRIPT = r"""
local paths, n = {}, 0
function init(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  if args[2] and args[2] ~= "" then wrk.headers["Accept"] = args[2] end
  n = math.random(#paths)
end
function request()
  n = n % #paths + 1
  return wrk.format("GET", paths[n])
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('@@{"requests":%d,"seconds":%f,"connect":%d,"read":%d,"write":%d,"status":%d,' ..
    '"timeout":%d,"p50":%f,"p95":%f,"p99":%f,"max":%f}\n', summary.requests, summary.duration / 1e6,
    e.connect, e.read, e.write, e.status, e.timeout, latency:percentile(50) / 1e3,
    latency:percentile(95) / 1e3, latency:percentile(99) / 1e3, latency.max / 1e3))
end
"""


# ---------------------------------------------------------------- the instance

def govcat(instance: str, *args: str, stdin: str | None = None) -> str:
    env = {**os.environ, "GOVCAT_INSTANCE": instance}
    done = subprocess.run([sys.executable, "-m", "registry.cli", *args], env=env, input=stdin, text=True,
                          capture_output=True, check=False)
    if done.returncode:
        raise SystemExit(f"govcat {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout.strip()


def prepare(instance: str, resources: int) -> dict:
    """The catalog, an editor's token, and the ids and words the paths are made of."""
    from registry.demo.catalog import generate_resources, load_departments

    departments = [d["credit_code"] for d in load_departments()]
    if resources:
        from bench.load_and_list import load
        from registry import create_app
        from registry.cli import init_database
        from registry.db import get_db
        from registry.search import get_engine
        from registry.search.services import reindex

        app = create_app({"GOVCAT_INSTANCE": instance, "GOVCAT_SEARCH_DRAIN_SECONDS": 0})
        init_database(app)
        seconds = load(app, resources, 1000)
        print(f"loaded {resources} resources in {seconds:.1f} s", file=sys.stderr)
        reindex(get_db(app), get_engine(app))
        get_db(app).dispose()
        govcat(instance, "user", "create", "editor", "--role", "editor", "--department", departments[0],
               stdin="bench-editor-password\n")
    else:
        govcat(instance, "demo", "--no-serve")
    token = govcat(instance, "token", "create", "editor", "--label", "bench").splitlines()[-1]
    from registry import create_app
    from registry.db import get_db
    from registry.resources.models import Resource
    from sqlalchemy import select

    app = create_app({"GOVCAT_INSTANCE": instance})
    with get_db(app).reader() as session:
        ids = list(session.scalars(select(Resource.id).where(Resource.is_public.is_(True)).order_by(Resource.id)))
    get_db(app).dispose()
    branch = {d: f"3{i:02d}" for i, d in enumerate(departments, 1)}
    templates = [r for r in generate_resources(branch, seed=99) if r["provider"] == departments[0]]
    return {"token": token, "ids": ids, "departments": departments, "templates": templates}


def paths(kind: str, world: dict, count: int = 400, seed: int = 11) -> list[str]:
    """``count`` realistic paths of one kind, the same every run."""
    rng = random.Random(seed)
    searches = queries(count, seed=seed)
    if kind == "search":
        return ["/api/v1/resources?" + urlencode(p) for p in searches]
    if kind == "search_html":
        return ["/search?" + urlencode(p) for p in searches]
    if kind == "resource":
        return [f"/resources/{rng.choice(world['ids'])}" for _ in range(count)]
    pages = max(1, -(-len(world["ids"]) // 100))
    if kind == "rdf100":      # the first 10 pages (the newest resources): asked for again and again
        return [f"/catalog.ttl?per_page=100&page={rng.randint(1, min(pages, 10))}" for _ in range(count)]
    if kind == "rdf100_deep":  # pages past those, each seldom asked for (a harvester walking the catalog)
        return [f"/catalog.ttl?per_page=100&page={rng.randint(11, pages)}" for _ in range(count)]
    if kind == "ckan":
        out = []
        for i, params in enumerate(searches):
            ckan = {"rows": 20}
            if "q" in params:
                ckan["q"] = params["q"]
            if i % 4 == 1:
                ckan["fq"] = f"organization:{rng.choice(world['departments'])}"
            if i % 4 == 2:
                ckan["facet.field"] = '["organization","res_format","tags"]'
            if i % 5 == 3:
                ckan["start"] = 20 * rng.randint(1, 4)
            out.append("/api/3/action/package_search?" + urlencode(ckan))
        return out
    raise ValueError(kind)


ACCEPT = {"resource": "text/html"}


# ---------------------------------------------------------------- the server

class Server:
    def __init__(self, instance: str, port: int, workers: int | None):
        env = {**os.environ, "GOVCAT_INSTANCE": instance}
        command = [sys.executable, "-m", "registry.cli", "serve", "--port", str(port)]
        if workers:
            command += ["--workers", str(workers)]
        self.port = port
        self.process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        start_new_session=True)
        if not answers(port):
            self.stop()
            raise SystemExit("the server did not start")

    def _tree(self) -> list[int]:
        pids, todo = [], [self.process.pid]
        while todo:
            pid = todo.pop()
            pids.append(pid)
            for task in Path(f"/proc/{pid}/task").iterdir():
                try:
                    todo += [int(p) for p in (task / "children").read_text().split()]
                except OSError:
                    pass
        return pids

    def cpu_seconds(self) -> float:
        """User + system CPU of the server's processes, with that of children they have waited for."""
        total = 0
        for pid in self._tree():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += sum(int(x) for x in fields[11:15])      # utime stime cutime cstime
        return total / TICKS

    def rss_mb(self) -> list[float]:
        out = []
        for pid in self._tree()[1:]:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    out.append(int(line.split()[1]) / 1024)
        return out

    def warm(self, all_paths: list[str]) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        for path in all_paths:
            connection.request("GET", path)
            connection.getresponse().read()

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.process.pid, signal.SIGKILL)


# ---------------------------------------------------------------- writes beside the reads

class Writer(threading.Thread):
    """``rate`` API writes a second with the editor's token: a new resource, then edits of it."""

    def __init__(self, port: int, world: dict, rate: float):
        super().__init__(daemon=True)
        self.port, self.world, self.rate = port, world, rate
        self.stopping = threading.Event()
        self.latencies: list[float] = []
        self.errors = 0
        self.count = 0

    def run(self) -> None:
        if self.rate <= 0:
            return
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Authorization": f"Bearer {self.world['token']}", "Content-Type": "application/json"}
        mine: list[tuple[int, int]] = []
        n, start = 0, time.perf_counter()
        while not self.stopping.is_set():
            due = start + n / self.rate
            if (wait := due - time.perf_counter()) > 0 and self.stopping.wait(wait):
                break
            if mine and n % 3:
                rid, version = mine[n % len(mine)]
                body = {"description": f"说明第 {n} 次修订：{self.world['templates'][0]['description']}"}
                method, path = "PATCH", f"/api/v1/resources/{rid}"
                headers["If-Match"] = f'"{version}"'
            else:
                data = dict(self.world["templates"][n % len(self.world["templates"])])
                data["title"] = f"{data['title']}（压测 {os.getpid()}-{n}）"
                method, path = "POST", "/api/v1/resources"
                headers.pop("If-Match", None)
                body = data
            begun = time.perf_counter()
            try:
                connection.request(method, path, body=json.dumps(body, ensure_ascii=False).encode(), headers=headers)
                response = connection.getresponse()
                answer = response.read()
            except OSError:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                self.errors += 1
                n += 1
                continue
            self.latencies.append((time.perf_counter() - begun) * 1000)
            self.count += 1
            if response.status in (200, 201):
                doc = json.loads(answer)
                entry = (doc["id"], doc["version"])
                if method == "POST":
                    mine.append(entry)
                else:
                    mine[n % len(mine)] = entry
            else:
                self.errors += 1
                if self.errors <= 3:
                    print(f"write {method} {path}: {response.status} {answer[:200]!r}", file=sys.stderr)
            n += 1

    def stop(self) -> dict:
        self.stopping.set()
        self.join(timeout=60)
        return summary(self.latencies, self.errors, self.count)


def summary(latencies: list[float], errors: int, count: int, seconds: float | None = None) -> dict:
    ordered = sorted(latencies) or [0.0]

    def pick(p):
        return ordered[min(len(ordered) - 1, int(len(ordered) * p))]

    return {"requests": count, "errors": errors, "p50": statistics.median(ordered), "p95": pick(0.95),
            "p99": pick(0.99), "rps": count / seconds if seconds else None}


# ---------------------------------------------------------------- the generators

def generator_cpu() -> float:
    usage = rusage.getrusage(rusage.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def wrk(port: int, path_file: Path, accept: str, connections: int, seconds: int) -> subprocess.Popen:
    script = path_file.parent / "paths.lua"
    if not script.exists():
        script.write_text(WRK_SCRIPT)
    return subprocess.Popen(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "-s", str(script),
                             f"http://127.0.0.1:{port}/", "--", str(path_file), accept],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wrk_result(process: subprocess.Popen) -> dict:
    out, err = process.communicate()
    line = next((l for l in out.splitlines() if l.startswith("@@")), None)
    if line is None:
        raise SystemExit(f"wrk gave no result:\n{out}\n{err}")
    r = json.loads(line[2:])
    errors = r["connect"] + r["read"] + r["write"] + r["status"] + r["timeout"]
    return {"requests": r["requests"], "errors": errors, "rps": r["requests"] / r["seconds"],
            "p50": r["p50"], "p95": r["p95"], "p99": r["p99"]}


def oha(port: int, path_file: Path, accept: str, rate: float, seconds: int) -> subprocess.Popen:
    urls = path_file.with_suffix(".urls")
    urls.write_text("".join(f"http://127.0.0.1:{port}{p}\n" for p in path_file.read_text().split()))
    command = ["oha", "--no-tui", "--output-format", "json", "-z", f"{seconds}s", "-q", str(rate),
               "--latency-correction", "-w", "-c", "64", "--urls-from-file", str(urls)]
    if accept:
        command[1:1] = ["-H", f"Accept: {accept}"]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def oha_result(process: subprocess.Popen) -> dict:
    out, err = process.communicate()
    try:
        r = json.loads(out)
    except json.JSONDecodeError:
        raise SystemExit(f"oha gave no result:\n{out[:2000]}\n{err[:2000]}") from None
    codes = {int(k): v for k, v in (r.get("statusCodeDistribution") or {}).items()}
    ok = sum(v for k, v in codes.items() if 200 <= k < 400)
    failed = sum(v for k, v in codes.items() if k >= 400) + sum((r.get("errorDistribution") or {}).values())
    seconds = r["summary"]["total"]
    pct = r["latencyPercentiles"]
    return {"requests": ok, "errors": failed, "rps": ok / seconds, "p50": pct["p50"] * 1000,
            "p95": pct["p95"] * 1000, "p99": pct["p99"] * 1000}


# ---------------------------------------------------------------- runs

def run(server: Server, world: dict, folder: Path, label: str, loads: dict, seconds: int, writes: float,
        open_loop: bool) -> list[dict]:
    """One run: ``loads`` maps kinds to connections (closed) or rates (open), all at once."""
    cpu, spent = server.cpu_seconds(), generator_cpu()
    writer = Writer(server.port, world, writes)
    writer.start()
    started = time.perf_counter()
    running = {}
    for kind, amount in loads.items():
        path_file = folder / f"{kind}.txt"
        if open_loop:
            running[kind] = oha(server.port, path_file, ACCEPT.get(kind, ""), amount, seconds)
        else:
            running[kind] = wrk(server.port, path_file, ACCEPT.get(kind, ""), amount, seconds)
    results = {kind: (oha_result if open_loop else wrk_result)(p) for kind, p in running.items()}
    elapsed = time.perf_counter() - started
    written = writer.stop()
    cpu = server.cpu_seconds() - cpu
    spent = generator_cpu() - spent
    if writes > 0:
        written["rps"] = written["requests"] / elapsed
        results["write"] = written
    served = sum(r["requests"] for r in results.values())
    rows = []
    for kind, r in results.items():
        amount = loads.get(kind)
        how = ("" if kind == "write" else f"{amount}/s offered" if open_loop else f"{amount} conn")
        rows.append({"run": label, "kind": kind, "load": how, **r,
                     "cpu_ms": 1000 * cpu / served if served else float("nan")})
    print(f"  [{label}: server CPU {cpu:.1f} s over {elapsed:.1f} s ({100 * cpu / elapsed:.0f} % of one core), "
          f"generators {spent:.1f} s]", file=sys.stderr)
    for row in rows:
        print("  " + format_row(row), file=sys.stderr)
    return rows


def format_row(r: dict) -> str:
    return (f"{r['run']:<18} {r['kind']:<12} {r['load']:>14} {r['rps']:8.1f} {r['p50']:8.1f} {r['p95']:8.1f} "
            f"{r['p99']:8.1f} {r['errors']:6d} {r['cpu_ms']:8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=0, help="generated resources; default: the demo catalog")
    parser.add_argument("--seconds", type=int, default=15, help="length of each run")
    parser.add_argument("--connections", type=int, default=8, help="closed loop: connections per kind")
    parser.add_argument("--rate", type=float, default=200, help="open loop: search requests offered a second")
    parser.add_argument("--writes", type=float, default=2, help="API writes a second beside the reads")
    parser.add_argument("--workers", type=int, help="gunicorn workers; default: govcat serve's own")
    parser.add_argument("--port", type=int, default=5093)
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--skip-open", action="store_true", help="no open-loop runs (oha not installed)")
    args = parser.parse_args()
    kinds = [k for k in args.kinds.split(",") if k and (k != "rdf100_deep" or args.resources > 1100)]
    for tool in ["wrk"] + ([] if args.skip_open else ["oha"]):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is not installed: see this script's docstring")
    with tempfile.TemporaryDirectory() as temp:
        instance, folder = Path(temp) / "instance", Path(temp)
        world = prepare(str(instance), args.resources)
        catalog = f"{args.resources:,} resources" if args.resources else f"demo catalog ({len(world['ids'])} public)"
        every = []
        for kind in kinds:
            lines = paths(kind, world)
            (folder / f"{kind}.txt").write_text("\n".join(lines) + "\n")
            every += lines[:40]
        server = Server(str(instance), args.port, args.workers)
        try:
            server.warm(every)
            print(f"{catalog}; server pids {server._tree()}", file=sys.stderr)
            rows = []
            for kind in kinds:                                    # each kind alone: its own CPU cost
                rows += run(server, world, folder, "closed", {kind: args.connections}, args.seconds, 0, False)
            rows += run(server, world, folder, "closed+writes", {k: 2 for k in kinds}, args.seconds,
                        args.writes, False)
            if not args.skip_open:
                rows += run(server, world, folder, "open+writes", {"search": args.rate}, args.seconds,
                            args.writes, True)
                mixed = {"search": args.rate / 2, "resource": 20, "rdf100": 5, "ckan": 20}
                rows += run(server, world, folder, "open mixed+writes", {k: v for k, v in mixed.items()
                                                                        if k in kinds}, args.seconds,
                            args.writes, True)
            memory = ", ".join(f"{m:.0f} MB" for m in server.rss_mb())
        finally:
            server.stop()
    print(f"\n{catalog}; {args.seconds} s a run; worker memory after: {memory}")
    print(f"{'run':<18} {'kind':<12} {'load':>14} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
          f"{'errors':>6} {'CPU ms':>8}")
    for row in rows:
        print(format_row(row))


if __name__ == "__main__":
    main()

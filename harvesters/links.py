"""Checking whether the catalog's links answer, many at once, without hurting the servers or ourselves.

A link is any address an editor typed, so the checker is careful both ways:

* polite — a HEAD request first; only when HEAD is refused or fails (any 4xx/5xx, or the connection
  dropped without an answer: many servers answer HEAD badly) a GET of one byte (``Range: bytes=0-0``)
  of which at most :data:`PEEK_BYTES` are read — a body is never downloaded; at most ``per_host``
  requests at a time to one host and ``concurrency`` in all, hosts taken in turn;
* bounded — a connect timeout, a read timeout, and a deadline for the whole check of one URL that a
  watchdog thread enforces by shutting the socket of a check past it (a server that trickles its answer a
  byte at a time gains nothing); redirects followed up to ``max_redirects`` and loops recognised;
* safe — the address policy of :mod:`harvesters.http` (``public_only``: loopback and private
  addresses are refused too, unless ``GOVCAT_HARVEST_ALLOW`` names them; cloud-metadata addresses
  always), checked at connect time on the address connected to, for every hop of a redirect.

Every outcome is a :class:`LinkResult` with its reason in words; nothing raises out of a check.
"""
from __future__ import annotations

import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass
from datetime import datetime
from http import HTTPStatus
from urllib.parse import urljoin, urlsplit

import requests

from harvesters.http import REDIRECT_STATUSES, USER_AGENT, AddressPolicy, AddressRefused, FetchError, PinnedAdapter
from registry.db import utcnow

PEEK_BYTES = 4096
LINK_AGENT = f"{USER_AGENT} (link check)"


@dataclass(frozen=True)
class LinkResult:
    """What one URL answered: ``ok`` True (2xx), False (dead: ``error`` says why), None (not checkable)."""

    url: str
    ok: bool | None
    status: int | None
    error: str | None
    final_url: str | None
    redirects: int
    elapsed_ms: int
    checked_at: datetime

    def as_row(self) -> dict:
        return asdict(self)


class _Dead(Exception):
    """A check that ended without a usable answer; the message is the reason recorded."""

    def __init__(self, reason: str, status: int | None = None, *, retry_with_get: bool = False):
        super().__init__(reason)
        self.status, self.retry_with_get = status, retry_with_get
        self.final, self.hops = None, 0          # where the redirects had led when it ended


class _Watch:
    """The deadline of each running check and the connection it is using, for the watchdog."""

    TICK = 0.2           # seconds between the watchdog's looks

    def __init__(self):
        self._lock = threading.Lock()
        self._running: dict[int, list] = {}      # thread id → [deadline, connection or None, cut]
        self._dog: threading.Thread | None = None

    def start(self, deadline: float) -> None:
        with self._lock:
            self._running[threading.get_ident()] = [deadline, None, False]
            if self._dog is None:
                self._dog = threading.Thread(target=self._patrol, name="link-check-watchdog", daemon=True)
                self._dog.start()

    def _patrol(self) -> None:
        """Cut overdue checks while any runs; end when none has run for a while (the next check restarts it)."""
        idle = 0
        while True:
            time.sleep(self.TICK)
            self.cut_overdue()
            with self._lock:
                idle = 0 if self._running else idle + 1
                if idle * self.TICK >= 2:
                    self._dog = None
                    return

    def attach(self, connection) -> None:
        with self._lock:
            entry = self._running.get(threading.get_ident())
            if entry is not None:
                entry[1] = connection

    def stop(self) -> bool:
        """End this thread's check; True if the watchdog cut it."""
        with self._lock:
            entry = self._running.pop(threading.get_ident(), None)
        return bool(entry and entry[2])

    def cut_overdue(self) -> None:
        """Shut the socket of every check past its deadline (a blocked read then ends at once)."""
        now = time.monotonic()
        with self._lock:
            overdue = [entry for entry in self._running.values() if now > entry[0] and not entry[2]]
            for entry in overdue:
                entry[2] = True
        for _deadline, connection, _cut in overdue:
            sock = getattr(connection, "sock", None)
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


class _WatchedAdapter(PinnedAdapter):
    """The harvester's pinned transport, its connections telling the watch which check uses them."""

    def __init__(self, policy: AddressPolicy, watch: _Watch, **kwargs):
        self.watch = watch
        super().__init__(policy, **kwargs)

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        classes = self.poolmanager.pool_classes_by_scheme
        for scheme, pool in list(classes.items()):
            classes[scheme] = type(f"Watched{pool.__name__}", (pool,),
                                   {"ConnectionCls": _watched(pool.ConnectionCls, self.watch)})


def _watched(connection_class: type, watch: _Watch) -> type:
    """``connection_class`` that attaches itself to the running check before each request."""
    class Watched(connection_class):
        def request(self, *args, **kwargs):
            watch.attach(self)
            return super().request(*args, **kwargs)

    Watched.__name__ = f"Watched{connection_class.__name__}"
    return Watched


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def _status_words(status: int) -> str:
    try:
        return f"HTTP {status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"


class LinkChecker:
    """Checks URLs; :meth:`check` one in this thread, :meth:`check_all` many concurrently."""

    def __init__(self, *, policy: AddressPolicy | None = None, concurrency: int = 32, per_host: int = 4,
                 connect_timeout: float = 5, read_timeout: float = 10, total_timeout: float = 20,
                 max_redirects: int = 5, ca_certs: str | None = None):
        self.policy = policy or AddressPolicy.from_settings(public_only=True)
        self.concurrency, self.per_host = max(1, concurrency), max(1, per_host)
        self.connect_timeout, self.read_timeout, self.total_timeout = connect_timeout, read_timeout, total_timeout
        self.max_redirects = max_redirects
        self.verify = ca_certs or True
        self._watch = _Watch()
        # Kept-alive connections: of 64 hosts at most, as many per host as may run at once (redirects from
        # many hosts can lead to one, so up to the global limit, not the per-host one).
        self._adapter = _WatchedAdapter(self.policy, self._watch, pool_connections=64, pool_maxsize=self.concurrency)

    def close(self) -> None:
        self._adapter.close()

    def __enter__(self) -> LinkChecker:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    # -- one URL ----------------------------------------------------------------------------------

    def check(self, url: str) -> LinkResult:
        """Check one URL (HEAD, then a ranged GET when HEAD is refused); never raises."""
        started, checked_at = time.monotonic(), utcnow()
        self._watch.start(started + self.total_timeout)
        status = None
        try:
            try:
                scheme = urlsplit(url).scheme.lower()
            except ValueError:
                raise _Dead("not a valid address") from None
            if scheme not in ("http", "https"):
                return self._result(url, None, None, "not checked: only http and https links are checked", None, 0,
                                    started, checked_at)
            try:
                status, final, hops = self._follow(url, "HEAD", started)
            except _Dead as dead:
                if not dead.retry_with_get:
                    raise
                status, final, hops = self._follow(url, "GET", started)
            return self._result(url, True, status, None, final, hops, started, checked_at)
        except _Dead as dead:
            return self._result(url, False, dead.status, str(dead), dead.final, dead.hops, started, checked_at)
        except Exception as error:                       # noqa: BLE001 — a check reports, it never raises
            return self._result(url, False, status, f"cannot check ({type(error).__name__})", None, 0,
                                started, checked_at)
        finally:
            self._watch.stop()

    def _result(self, url, ok, status, error, final, hops, started, checked_at) -> LinkResult:
        elapsed = int((time.monotonic() - started) * 1000)
        return LinkResult(url, ok, status, error, final if final and final != url else None, hops, elapsed, checked_at)

    def _follow(self, url: str, method: str, started: float) -> tuple[int, str, int]:
        """Ask ``url`` with ``method``, following redirects; ``(status, final url, hops)`` of a 2xx answer,
        :class:`_Dead` otherwise (with where the redirects had led)."""
        seen, hops = {url}, 0
        try:
            while True:
                status, location = self._ask(url, method, started)
                if not (status in REDIRECT_STATUSES and location):
                    break
                target = urljoin(url, location)
                if urlsplit(target).scheme.lower() not in ("http", "https"):
                    raise _Dead(f"redirected to an address that is not http or https: {target[:200]}", status)
                if target in seen:
                    raise _Dead(f"redirect loop: back to {target[:200]} after {hops + 1} redirects", status)
                if hops + 1 > self.max_redirects:
                    raise _Dead(f"more than {self.max_redirects} redirects", status)
                hops += 1
                seen.add(target)
                url = target
        except _Dead as dead:
            dead.final, dead.hops = url, hops
            raise
        if 200 <= status < 300 or (method == "GET" and status == 416):   # 416: an empty file has no byte 0
            return status, url, hops
        words = _status_words(status) + (" without a Location" if status in REDIRECT_STATUSES else "")
        dead = _Dead(words, status, retry_with_get=method == "HEAD" and status >= 400)
        dead.final, dead.hops = url, hops
        raise dead

    def _ask(self, url: str, method: str, started: float) -> tuple[int, str | None]:
        """One request; ``(status, Location)``, or :class:`_Dead` with the reason in words."""
        headers = {"User-Agent": LINK_AGENT, "Accept": "*/*", "Accept-Encoding": "identity"}
        if method == "GET":
            headers["Range"] = "bytes=0-0"
        remaining = self.total_timeout - (time.monotonic() - started)
        if remaining <= 0:
            raise self._too_slow()
        try:
            prepared = requests.Request(method, url, headers=headers).prepare()
            response = self._adapter.send(prepared, stream=True, verify=self.verify, proxies={},
                                          timeout=(min(self.connect_timeout, remaining),
                                                   min(self.read_timeout, remaining)))
        except AddressRefused as refused:
            raise _Dead(f"address refused: {str(refused).removeprefix('refused ')}") from None
        except FetchError as failed:
            raise _Dead(f"the host name does not resolve ({_host(url)[:200]})"
                        if str(failed).startswith("cannot resolve") else str(failed)) from None
        except (requests.RequestException, ValueError) as error:
            raise self._words(error, started, method) from None
        try:
            if self._watch_cut_or_late(started):        # an answer cut short by the watchdog is no answer
                raise self._too_slow()
            status, location = response.status_code, response.headers.get("Location")
            self._peek(response, method, status, started)
            return status, location
        finally:
            response.close()

    def _peek(self, response: requests.Response, method: str, status: int, started: float) -> None:
        """Read the first bytes of the body that arrive, at most :data:`PEEK_BYTES` (none for HEAD): proof
        that data flows, no more.  A connection whose body was read to its end goes back to the pool."""
        raw = response.raw
        try:
            raw.read1(PEEK_BYTES, decode_content=False)
            if raw.length_remaining == 0 or method == "HEAD":
                raw.release_conn()
                response._content_consumed = True        # closing must not drop the released connection
        except Exception as error:                       # noqa: BLE001 — every failure becomes a reason
            if not (200 <= status < 300) or method == "HEAD":
                return                                   # the status is the answer; its body does not matter
            if self._watch_cut_or_late(started):
                raise self._too_slow() from None
            timed_out = "timed out" in str(error).lower()
            raise _Dead(f"{_status_words(status)}, then " + (f"no data within {self.read_timeout:g} s" if timed_out
                        else "the connection broke before any data"), status) from None

    def _watch_cut_or_late(self, started: float) -> bool:
        return time.monotonic() - started >= self.total_timeout

    def _too_slow(self) -> _Dead:
        return _Dead(f"slower than {self.total_timeout:g} s in all")

    def _words(self, error: Exception, started: float, method: str) -> _Dead:
        """A transport failure in words; whether a GET is worth trying after a failed HEAD."""
        if self._watch_cut_or_late(started):
            return self._too_slow()
        text = str(error)
        if isinstance(error, requests.ConnectTimeout):
            return _Dead(f"no connection within {self.connect_timeout:g} s")
        if isinstance(error, requests.ReadTimeout):
            return _Dead(f"no answer within {self.read_timeout:g} s")
        if isinstance(error, requests.exceptions.SSLError):
            reason = "certificate verify failed" if "CERTIFICATE_VERIFY_FAILED" in text else "handshake failed"
            return _Dead(f"TLS: {reason}")
        if isinstance(error, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                              requests.exceptions.InvalidSchema, ValueError)):
            return _Dead("not a valid address")
        if "Connection refused" in text:
            return _Dead("connection refused")
        if any(sign in text for sign in ("RemoteDisconnected", "Connection aborted", "reset by peer",
                                         "BadStatusLine", "without response")):
            return _Dead("the server closed the connection without an answer", retry_with_get=method == "HEAD")
        return _Dead(f"cannot connect ({type(error).__name__})")

    # -- many URLs --------------------------------------------------------------------------------

    def check_all(self, urls: Iterable[str], on_result: Callable[[LinkResult], None] | None = None
                  ) -> Iterator[LinkResult]:
        """Check every URL, ``concurrency`` at a time and at most ``per_host`` on one host, hosts in turn;
        yield each result as it comes (in no particular order)."""
        waiting: dict[str, deque[str]] = {}
        for url in dict.fromkeys(urls):
            waiting.setdefault(_host(url), deque()).append(url)
        turn: deque[str] = deque(waiting)              # hosts with URLs left, in turn
        active: dict[str, int] = {}
        running: dict[Future, str] = {}
        with ThreadPoolExecutor(self.concurrency, thread_name_prefix="link-check") as pool:
            try:
                while turn or running:
                    self._dispatch(pool, turn, waiting, active, running)
                    done, _ = wait(list(running), timeout=1, return_when=FIRST_COMPLETED)
                    for future in done:
                        host = running.pop(future)
                        active[host] -= 1
                        if host in waiting and host not in turn:
                            turn.append(host)
                        result = future.result()
                        if on_result is not None:
                            on_result(result)
                        yield result
            finally:                                     # stopped early: nothing new starts, running checks end
                for future in running:
                    future.cancel()
                deadline = time.monotonic() + self.total_timeout
                while any(not f.done() for f in running) and time.monotonic() < deadline:
                    wait(list(running), timeout=0.25)

    def _dispatch(self, pool, turn: deque, waiting: dict, active: dict, running: dict) -> None:
        """Start checks while slots are free, taking the waiting hosts in turn, each below its limit."""
        passes = len(turn)
        while turn and len(running) < self.concurrency and passes > 0:
            host = turn.popleft()
            if active.get(host, 0) >= self.per_host:
                passes -= 1
                continue                                 # back in turn when one of its checks ends
            url = waiting[host].popleft()
            if waiting[host]:
                turn.append(host)
            else:
                del waiting[host]
            active[host] = active.get(host, 0) + 1
            running[pool.submit(self.check, url)] = host
            passes = len(turn)

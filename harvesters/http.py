"""Fetching from department systems without letting a source hurt the catalog.

A harvest source is an address an administrator typed in, and what answers there is not ours:
every request goes through :class:`SafeFetcher`, which

* resolves the host once per connection, checks every address under the :class:`AddressPolicy`,
  and connects to an address it checked — never resolving again, so a name that answers one
  address to the check and another to the connection (DNS rebinding) gains nothing; the Host
  header, TLS SNI and certificate verification stay those of the host name;
* refuses link-local addresses (169.254.0.0/16, fe80::/10), known cloud-metadata addresses and
  otherwise unroutable ones (multicast, unspecified, reserved), also when carried inside an IPv6
  address (IPv4-mapped, NAT64, 6to4, Teredo) — loopback and private networks are allowed, because
  department systems live on the government intranet;
* honours ``GOVCAT_HARVEST_DENY`` (networks never reached: the deny list wins over everything)
  and ``GOVCAT_HARVEST_ALLOW`` (networks reached although refused above — a link-local appliance,
  say); the cloud-metadata addresses stay refused whatever the allow list says, because they
  hand out the credentials of the machine the catalog runs on;
* follows redirects itself, a limited number of times, checking every hop the same way and
  sending the source's auth header to the source's own host only;
* bounds the connect time, each read, the whole transfer, and the size of the body (streamed,
  abandoned past the cap, so one big source cannot exhaust memory) — a cap each source may raise;
* keeps a body in memory only up to a threshold the caller names: past it the body goes on to a
  temporary file, so a catalog published as one file of hundreds of megabytes is read from disk
  as a stream, never held whole;
* honours "busy, come back later" (429 or 503 with ``Retry-After``, OAI-PMH's flow control) a few
  times, each wait bounded, and keeps the start of any other error answer for the source type to
  read (a CSW exception report says why a request was refused);
* never puts the auth header in a message, a log line or an exception.
"""
from __future__ import annotations

import ipaddress
import os
import socket
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util.connection import create_connection

from registry.secrets import UnreadableSecret

USER_AGENT = "govcat-harvester/1.0"
# Addresses that answer with instance credentials on cloud platforms (beyond 169.254.169.254).
METADATA_ADDRESSES = frozenset(ipaddress.ip_address(a) for a in (
    "169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200", "168.63.129.16"))
NAT64 = ipaddress.ip_network("64:ff9b::/96")
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
# "Busy, come back later" (OAI-PMH flow control answers 503 with Retry-After, as do throttling portals).
RETRY_STATUSES = {429, 503}
ERROR_BODY_BYTES = 64 * 1024    # what is kept of an error answer's body
DEFAULT_MAX_BYTES = 64 * 1024 * 1024   # a response's cap when the source names none

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class FetchError(Exception):
    """A request that did not give a usable answer; the message is safe to store and show."""


class HttpStatusError(FetchError):
    """An answer other than 200: its status, and the start of its body (a service may say why in it)."""

    def __init__(self, message: str, status: int, body: bytes):
        super().__init__(message)
        self.status, self.body = status, body


class AddressRefused(FetchError):
    """The address is not one a harvester may reach."""


class TooLarge(FetchError):
    """The answer exceeded the size cap."""


@dataclass(frozen=True)
class FetchedPage:
    """An answer: its body in memory, or — past the caller's ``spool_after`` — in a temporary file at
    ``path`` (``body`` is then ``None``), which :meth:`discard` removes."""

    url: str              # after redirects
    status: int
    content_type: str     # without parameters, lower case
    body: bytes | None
    path: str | None = None
    size: int = 0

    def discard(self) -> None:
        """Remove the temporary file of a spooled body (nothing for a body in memory)."""
        if self.path:
            try:
                os.unlink(self.path)
            except FileNotFoundError:
                pass


def parse_networks(text: str, setting: str = "network list") -> tuple[Network, ...]:
    """``"10.8.0.0/16, 169.254.10.7"`` → networks; ``ValueError`` naming the entry that is not one."""
    networks = []
    for item in (text or "").split(","):
        if item.strip():
            try:
                networks.append(ipaddress.ip_network(item.strip(), strict=False))
            except ValueError:
                raise ValueError(f"{setting}: {item.strip()!r} is not an IP network") from None
    return tuple(networks)


def _forms(address: IPAddress) -> list[IPAddress]:
    """The address and, for an IPv6 address carrying an IPv4 one, that IPv4 address (last)."""
    if isinstance(address, ipaddress.IPv6Address):
        carried = address.ipv4_mapped or address.sixtofour or (address.teredo or (None, None))[1]
        if carried is None and address in NAT64:
            carried = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if carried is not None:
            return [address, carried]
    return [address]


def _built_in_reason(address: IPAddress) -> str | None:
    if address.is_loopback:
        return None
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast or address.is_unspecified or address.is_reserved:
        return "not a routable address"
    return None


@dataclass(frozen=True)
class AddressPolicy:
    """Which addresses a harvester may connect to: the built-in rules, then the allow and deny lists.

    ``public_only`` also refuses loopback and private addresses (anything not globally routable) unless
    the allow list names them: the link checker's policy, since any editor can type a link, while a
    harvest source is typed by an administrator and may live on the intranet."""

    allow: tuple[Network, ...] = ()
    deny: tuple[Network, ...] = ()
    public_only: bool = False

    @classmethod
    def from_settings(cls, config: Mapping | None = None, *, public_only: bool = False) -> AddressPolicy:
        """The policy of ``GOVCAT_HARVEST_ALLOW`` and ``GOVCAT_HARVEST_DENY`` in ``config`` (an app's
        config; by default the settings of the environment, as every process of the catalog reads them)."""
        if config is None:
            from registry.config import load_settings
            config = load_settings()
        return cls(parse_networks(config.get("GOVCAT_HARVEST_ALLOW", ""), "GOVCAT_HARVEST_ALLOW"),
                   parse_networks(config.get("GOVCAT_HARVEST_DENY", ""), "GOVCAT_HARVEST_DENY"), public_only)

    def refused_reason(self, address: IPAddress) -> str | None:
        """Why ``address`` may not be reached, or ``None``."""
        forms = _forms(address)
        for form in forms:
            denied = next((n for n in self.deny if form.version == n.version and form in n), None)
            if denied is not None:
                return f"in the denied network {denied}"
        if any(form in METADATA_ADDRESSES for form in forms):
            return "a cloud metadata address"
        if any(form.version == n.version and form in n for form in forms for n in self.allow):
            return None
        reason = _built_in_reason(forms[-1])
        if reason is None and self.public_only and not forms[-1].is_global:
            return "a loopback address" if forms[-1].is_loopback else "a private address"
        return reason

    def resolve(self, host: str, port: int) -> list[IPAddress]:
        """Every address of ``host``, all of them checked; :class:`AddressRefused` if any is refused."""
        host = host.strip("[]")
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError, ValueError) as error:
            raise FetchError(f"cannot resolve {host[:200]}: {error}") from None
        addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos))
        for address in addresses:
            reason = self.refused_reason(address)
            if reason:
                raise AddressRefused(f"refused {host[:200]}: {address} is {reason}")
        if not addresses:
            raise FetchError(f"cannot resolve {host[:200]}: no address")
        return addresses


def _check_scheme(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AddressRefused(f"only http and https addresses can be harvested: {url[:200]}")


def check_address(url: str, policy: AddressPolicy | None = None) -> None:
    """Raise :class:`AddressRefused` unless every address of ``url``'s host may be reached."""
    _check_scheme(url)
    parts = urlsplit(url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise AddressRefused(f"not a valid port: {url[:200]}") from None
    (policy or AddressPolicy.from_settings()).resolve(parts.hostname, port)


# -- connecting to the address that was checked ------------------------------------------------

class _PinnedConnection:
    """Opens its socket to an address the policy checked, from the one resolution it made.

    Only the socket's peer changes: urllib3 still sends the host name in the Host header and in
    TLS SNI, and verifies the certificate against the host name.
    """

    policy: AddressPolicy

    def _new_conn(self) -> socket.socket:
        addresses = self.policy.resolve(self.host, self.port)
        failure: Exception | None = None
        for address in addresses:
            try:
                return create_connection((str(address), self.port), self.timeout,
                                         source_address=self.source_address, socket_options=self.socket_options)
            except socket.timeout as error:
                failure = ConnectTimeoutError(self, f"Connection to {self.host} timed out "
                                                    f"(connect timeout={self.timeout})")
                failure.__cause__ = error
            except OSError as error:
                failure = NewConnectionError(self, f"Failed to establish a new connection: {error}")
        raise failure


class PinnedAdapter(HTTPAdapter):
    """A requests transport whose connections go to addresses checked under ``policy``."""

    def __init__(self, policy: AddressPolicy, **kwargs):
        self.policy = policy
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        http = type("PinnedHTTPConnection", (_PinnedConnection, HTTPConnection), {"policy": self.policy})
        https = type("PinnedHTTPSConnection", (_PinnedConnection, HTTPSConnection), {"policy": self.policy})
        self.poolmanager.pool_classes_by_scheme = {
            "http": type("PinnedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http}),
            "https": type("PinnedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https}),
        }


def _auth_header(text: str | None) -> dict:
    """``"Name: value"`` → ``{Name: value}``; a bare value is an ``Authorization`` header."""
    if not text:
        return {}
    name, sep, value = text.partition(":")
    if sep and name.strip() and " " not in name.strip():
        return {name.strip(): value.strip()}
    return {"Authorization": text.strip()}


class SafeFetcher:
    """GET requests under the policy of this module; one instance per harvest job."""

    def __init__(self, *, auth_header: str | UnreadableSecret | None = None, connect_timeout: float = 10,
                 read_timeout: float = 30, total_timeout: float = 300, max_bytes: int | None = None,
                 max_redirects: int = 5, policy: AddressPolicy | None = None, ca_certs: str | None = None,
                 max_retries: int = 3, max_retry_wait: float = 120):
        """``policy``: the address policy (default: the settings'); ``ca_certs``: a file of CA certificates
        to verify the sources' TLS certificates with, instead of the public ones (an intranet CA);
        ``max_bytes``: the largest body accepted (``None``: :data:`DEFAULT_MAX_BYTES`)."""
        # A header that cannot be decrypted fails the first request, with a message naming its source.
        self._auth_problem = auth_header.message() if isinstance(auth_header, UnreadableSecret) else None
        self._auth = {} if self._auth_problem else _auth_header(auth_header)
        self.connect_timeout, self.read_timeout, self.total_timeout = connect_timeout, read_timeout, total_timeout
        self.max_bytes, self.max_redirects = max_bytes or DEFAULT_MAX_BYTES, max_redirects
        # A 429 or 503 with Retry-After is asked again up to max_retries times, each wait at most max_retry_wait s.
        self.max_retries, self.max_retry_wait = max_retries, max_retry_wait
        self.policy = policy or AddressPolicy.from_settings()
        self._session = requests.Session()
        self._session.trust_env = False      # no proxies or .netrc credentials picked up from the environment
        self._session.verify = ca_certs or True
        adapter = PinnedAdapter(self.policy)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        self._auth_host: str | None = None

    def get(self, url: str, *, accept: str = "*/*", spool_after: int | None = None) -> FetchedPage:
        """Fetch ``url`` (following redirects) and return its body; raise :class:`FetchError` otherwise.

        With ``spool_after``, a body longer than that many bytes is written to a temporary file as it
        arrives (the answer's ``path``; the caller discards it) instead of being kept in memory."""
        if self._auth_problem:
            raise FetchError(self._auth_problem)
        if self._auth_host is None:
            self._auth_host = urlsplit(url).netloc.lower()
        deadline = time.monotonic() + self.total_timeout
        retries = 0
        hops = 0
        while hops <= self.max_redirects:
            _check_scheme(url)     # the addresses are checked as the connection is made
            headers = {"Accept": accept, "User-Agent": USER_AGENT}
            if urlsplit(url).netloc.lower() == self._auth_host:
                headers.update(self._auth)
            try:
                response = self._session.get(url, headers=headers, stream=True, allow_redirects=False,
                                             timeout=(self.connect_timeout, self.read_timeout))
            except requests.Timeout:
                raise FetchError(f"timed out fetching {url[:200]}") from None
            except requests.RequestException as error:
                raise FetchError(f"cannot fetch {url[:200]}: {type(error).__name__}") from None
            with response:
                if response.status_code in REDIRECT_STATUSES and response.headers.get("Location"):
                    url = urljoin(url, response.headers["Location"])
                    hops += 1
                    continue
                if response.status_code == 200:
                    body, path, size = self._read(response, url, deadline, spool_after)
                    content_type = response.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
                    return FetchedPage(url, response.status_code, content_type, body, path, size)
                wait = self._retry_wait(response, url, retries, deadline)   # or raise
            retries += 1          # the busy answer is closed while we wait
            time.sleep(wait)
        raise FetchError(f"more than {self.max_redirects} redirects from {url[:200]}")

    def _read(self, response: requests.Response, url: str, deadline: float,
              spool_after: int | None = None) -> tuple[bytes | None, str | None, int]:
        """The body (in memory, or past ``spool_after`` bytes in a temporary file), its file, its size."""
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise TooLarge(f"{url[:200]} declares {declared} bytes, more than the cap of {self.max_bytes}")
        chunks, size, spool = [], 0, None
        try:
            for chunk in response.iter_content(256 * 1024):
                size += len(chunk)
                if size > self.max_bytes:
                    raise TooLarge(f"{url[:200]} sent more than the cap of {self.max_bytes} bytes"
                                   " (an administrator can raise the source's max_bytes)")
                if time.monotonic() > deadline:
                    raise FetchError(f"timed out fetching {url[:200]}: slower than {self.total_timeout} s in all")
                if spool is not None:
                    spool.write(chunk)
                    continue
                chunks.append(chunk)
                if spool_after is not None and size > spool_after:
                    spool = tempfile.NamedTemporaryFile(prefix="govcat-harvest-", delete=False)
                    spool.writelines(chunks)
                    chunks = []
        except requests.RequestException as error:
            kind = "timed out" if "timed out" in str(error).lower() else type(error).__name__
            self._drop(spool)
            raise FetchError(f"cannot read {url[:200]}: {kind}") from None
        except OSError as error:       # the temporary file: a full disk
            self._drop(spool)
            raise FetchError(f"cannot keep {url[:200]} on disk: {error.strerror or error}") from None
        except BaseException:
            self._drop(spool)
            raise
        if spool is None:
            return b"".join(chunks), None, size
        try:
            spool.close()
        except OSError as error:
            self._drop(spool)
            raise FetchError(f"cannot keep {url[:200]} on disk: {error.strerror}") from None
        return None, spool.name, size

    @staticmethod
    def _drop(spool) -> None:
        if spool is not None:
            spool.close()
            try:
                os.unlink(spool.name)
            except FileNotFoundError:
                pass

    def _retry_wait(self, response: requests.Response, url: str, retries: int, deadline: float) -> float:
        """The seconds to wait before asking again after a "busy" answer; :class:`HttpStatusError` for
        any other answer, or when waiting is not worth it."""
        message = f"HTTP {response.status_code} from {url[:200]}"
        wait = retry_after(response.headers.get("Retry-After"))
        if response.status_code not in RETRY_STATUSES or wait is None:
            raise HttpStatusError(message, response.status_code, self._error_body(response))
        if retries >= self.max_retries:
            why = f"still busy after {retries} retries"
        elif wait > self.max_retry_wait:
            why = f"asked to wait {wait:g} s, more than {self.max_retry_wait:g} s"
        elif time.monotonic() + wait >= deadline:
            why = f"asked to wait {wait:g} s, past the {self.total_timeout:g} s a fetch may take"
        else:
            return wait
        raise HttpStatusError(f"{message} ({why})", response.status_code, b"")

    @staticmethod
    def _error_body(response: requests.Response) -> bytes:
        """The start of an error answer's body (empty when it cannot be read)."""
        try:
            return response.raw.read(ERROR_BODY_BYTES, decode_content=True) or b""
        except Exception:     # an error answer that cannot even be read says nothing more
            return b""

    def close(self) -> None:
        self._session.close()


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds, or an HTTP date); ``None`` if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max((when - datetime.now(timezone.utc)).total_seconds(), 0.0)

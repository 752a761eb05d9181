"""Fetching from department systems without letting a source hurt the catalog.

A harvest source is an address an administrator typed in, and what answers there is not ours:
every request goes through :class:`SafeFetcher`, which

* resolves the host and refuses the request if any of its addresses is link-local
  (169.254.0.0/16, fe80::/10), a known cloud-metadata address, or otherwise not routable
  (multicast, unspecified, reserved) — loopback and private networks are allowed, because
  department systems live on the government intranet;
* follows redirects itself, a limited number of times, checking every hop the same way and
  sending the source's auth header to the source's own host only;
* bounds the connect time, each read, the whole transfer, and the size of the body (streamed,
  abandoned past the cap, so one big source cannot exhaust memory);
* never puts the auth header in a message, a log line or an exception.
"""
from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests

USER_AGENT = "govcat-harvester/1.0"
# Addresses that answer with instance credentials on cloud platforms (beyond 169.254.169.254).
METADATA_ADDRESSES = frozenset(ipaddress.ip_address(a) for a in (
    "169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200", "168.63.129.16"))
REDIRECT_STATUSES = {301, 302, 303, 307, 308}


class FetchError(Exception):
    """A request that did not give a usable answer; the message is safe to store and show."""


class AddressRefused(FetchError):
    """The address is not one a harvester may reach."""


class TooLarge(FetchError):
    """The answer exceeded the size cap."""


@dataclass(frozen=True)
class FetchedPage:
    url: str              # after redirects
    status: int
    content_type: str     # without parameters, lower case
    body: bytes


def _refused_reason(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if address in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if address.is_loopback:
        return None
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast or address.is_unspecified or address.is_reserved:
        return "not a routable address"
    return None


def check_address(url: str) -> None:
    """Raise :class:`AddressRefused` unless every address of ``url``'s host may be reached."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AddressRefused(f"only http and https addresses can be harvested: {url[:200]}")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchError(f"cannot resolve {parts.hostname}: {error}") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        reason = _refused_reason(address)
        if reason:
            raise AddressRefused(f"refused {parts.hostname}: {address} is {reason}")


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

    def __init__(self, *, auth_header: str | None = None, connect_timeout: float = 10, read_timeout: float = 30,
                 total_timeout: float = 300, max_bytes: int = 64 * 1024 * 1024, max_redirects: int = 5):
        self._auth = _auth_header(auth_header)
        self.connect_timeout, self.read_timeout, self.total_timeout = connect_timeout, read_timeout, total_timeout
        self.max_bytes, self.max_redirects = max_bytes, max_redirects
        self._session = requests.Session()
        self._session.trust_env = False      # no proxies or .netrc credentials picked up from the environment
        self._auth_host: str | None = None

    def get(self, url: str, *, accept: str = "*/*") -> FetchedPage:
        """Fetch ``url`` (following redirects) and return its body; raise :class:`FetchError` otherwise."""
        if self._auth_host is None:
            self._auth_host = urlsplit(url).netloc.lower()
        deadline = time.monotonic() + self.total_timeout
        for _hop in range(self.max_redirects + 1):
            check_address(url)
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
                    continue
                if response.status_code != 200:
                    raise FetchError(f"HTTP {response.status_code} from {url[:200]}")
                body = self._read(response, url, deadline)
                content_type = response.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
                return FetchedPage(url, response.status_code, content_type, body)
        raise FetchError(f"more than {self.max_redirects} redirects from {url[:200]}")

    def _read(self, response: requests.Response, url: str, deadline: float) -> bytes:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise TooLarge(f"{url[:200]} declares {declared} bytes, more than the cap of {self.max_bytes}")
        chunks, size = [], 0
        try:
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > self.max_bytes:
                    raise TooLarge(f"{url[:200]} sent more than the cap of {self.max_bytes} bytes")
                if time.monotonic() > deadline:
                    raise FetchError(f"timed out fetching {url[:200]}: slower than {self.total_timeout} s in all")
                chunks.append(chunk)
        except requests.RequestException as error:
            kind = "timed out" if "timed out" in str(error).lower() else type(error).__name__
            raise FetchError(f"cannot read {url[:200]}: {kind}") from None
        return b"".join(chunks)

    def close(self) -> None:
        self._session.close()

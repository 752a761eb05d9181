"""The fetching policy: addresses refused (pinned to the address checked; allow and deny lists), auth sent to
the source only and never shown, TLS checked for the host name, formats read."""
from __future__ import annotations

import ipaddress
import socket
import ssl
import threading
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from harvesters import http as http_module
from harvesters.dcat import DcatHarvester, parse_page, rdf_format
from harvesters.base import JobFailure
from harvesters.http import (AddressPolicy, AddressRefused, FetchError, HttpStatusError, SafeFetcher,
                             check_address, retry_after)
from harvesters.services import add_source, run_source
from registry.errors import Invalid
from tests.harvesters.conftest import Route, catalog_page, dataset_doc


@pytest.mark.parametrize("url", ["http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/catalog.ttl",
                                 "http://100.100.100.200/latest/meta-data/", "http://0.0.0.0/catalog.ttl",
                                 "file:///etc/passwd", "ftp://127.0.0.1/catalog.ttl"])
def test_addresses_a_harvester_may_not_reach_are_refused(url):
    with pytest.raises(AddressRefused):
        check_address(url)


def test_loopback_and_intranet_addresses_are_allowed():
    check_address("http://127.0.0.1:8080/catalog.ttl")
    check_address("http://10.1.2.3/catalog.ttl")


def test_link_local_source_is_refused_when_added(db, world):
    with db.transaction() as session, pytest.raises(Invalid) as refused:
        add_source(session, name="metadata", type="dcat", url="http://169.254.169.254/",
                   department=world.dept_a.credit_code)
    assert "link-local" in refused.value.en or "metadata" in refused.value.en


def test_auth_header_is_sent_to_the_source_and_never_reported(db, world, remote, make_source):
    secret = "Bearer s3cret-token-value"
    remote.serve("/catalog.ttl", b"broken ] turtle")
    make_source("dept-a", remote.url + "/catalog.ttl", auth_header=f"Authorization: {secret}")
    report = run_source(db, "dept-a")
    assert remote.requests[0][1]["Authorization"] == secret
    assert report.status == "failed" and "s3cret" not in str(report.as_dict())


def test_auth_header_is_not_sent_to_another_host_after_a_redirect(remote):
    other = remote.url.replace("127.0.0.1", "localhost")
    remote.serve("/moved", b"", status=302, headers={"Location": other + "/here"})
    remote.serve("/here", b"ok", content_type="text/plain")
    fetcher = SafeFetcher(auth_header="X-Api-Key: abc")
    page = fetcher.get(remote.url + "/moved")
    assert page.body == b"ok" and page.url == other + "/here"
    assert remote.requests[0][1].get("X-Api-Key") == "abc" and "X-Api-Key" not in remote.requests[1][1]


def test_redirects_are_limited(remote):
    remote.serve("/loop", b"", status=302, headers={"Location": "/loop"})
    with pytest.raises(FetchError, match="redirects"):
        SafeFetcher(max_redirects=3).get(remote.url + "/loop")
    assert len(remote.requests) == 4


def test_a_busy_answer_is_asked_again_after_the_wait_it_names(remote):
    remote.serve("/busy", b"", status=429, headers={"Retry-After": "0"},
                 then=Route(b"ok", content_type="text/plain"))
    assert SafeFetcher().get(remote.url + "/busy").body == b"ok"
    assert len(remote.requests) == 2


def test_a_source_busy_for_ever_is_given_up_after_a_few_retries(remote):
    remote.serve("/busy", b"", status=503, headers={"Retry-After": "0"})
    with pytest.raises(HttpStatusError, match="still busy after 2 retries") as failed:
        SafeFetcher(max_retries=2).get(remote.url + "/busy")
    assert failed.value.status == 503 and len(remote.requests) == 3


def test_an_error_without_retry_after_fails_at_once_and_keeps_the_start_of_its_body(remote):
    remote.serve("/gone", b"<error>gone for good</error>", status=503)
    with pytest.raises(HttpStatusError) as failed:
        SafeFetcher().get(remote.url + "/gone")
    assert str(failed.value).startswith("HTTP 503 from") and failed.value.body == b"<error>gone for good</error>"
    assert len(remote.requests) == 1


def test_retry_after_is_read_as_seconds_or_as_a_date():
    assert retry_after("120") == 120 and retry_after(None) is None and retry_after("soon") is None
    in_a_minute = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=60), usegmt=True)
    assert 55 <= retry_after(in_a_minute) <= 60
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0          # past: ask again now


def test_declared_size_over_the_cap_is_refused_before_reading(remote):
    remote.serve("/big", b"x" * 5000)
    with pytest.raises(FetchError, match="cap"):
        SafeFetcher(max_bytes=1000).get(remote.url + "/big")


def test_a_body_past_the_threshold_is_spooled_to_a_file_and_a_small_one_kept_in_memory(remote, tmp_path,
                                                                                        monkeypatch):
    monkeypatch.setattr(http_module.tempfile, "tempdir", str(tmp_path))
    body = bytes(range(256)) * 40
    remote.serve("/big", body)
    fetcher = SafeFetcher()
    page = fetcher.get(remote.url + "/big", spool_after=1000)
    assert (page.body, page.size) == (None, len(body))
    assert open(page.path, "rb").read() == body
    page.discard()
    assert list(tmp_path.iterdir()) == []
    small = fetcher.get(remote.url + "/big", spool_after=len(body))
    assert (small.body, small.path) == (body, None)
    assert fetcher.get(remote.url + "/big").body == body          # no threshold: in memory, as before


def test_a_spooled_body_over_the_cap_leaves_no_file(remote, tmp_path, monkeypatch):
    monkeypatch.setattr(http_module.tempfile, "tempdir", str(tmp_path))
    remote.serve("/endless", stream_bytes=4 * 1024 * 1024)          # no Content-Length: found out while reading
    with pytest.raises(FetchError, match="cap of 1000000"):
        SafeFetcher(max_bytes=1_000_000).get(remote.url + "/endless", spool_after=100_000)
    assert list(tmp_path.iterdir()) == []


def test_max_bytes_is_set_on_a_source_and_shown(db, world):
    from harvesters.services import source_representation, update_source
    with db.transaction() as session:
        source = add_source(session, name="big", type="dcat", url="http://127.0.0.1:9/catalog.ttl",
                            department=world.dept_a.credit_code, max_bytes=2 * 1024 ** 3)
        assert source_representation(source)["max_bytes"] == 2 * 1024 ** 3
        update_source(session, None, "big", {"max_bytes": None}, check_permission=False)
        assert source_representation(source)["max_bytes"] is None
        with pytest.raises(Invalid):
            add_source(session, name="tiny", type="dcat", url="http://127.0.0.1:9/c.ttl",
                       department=world.dept_a.credit_code, max_bytes=10)


@pytest.mark.parametrize("fmt, content_type, path", [
    ("xml", "application/rdf+xml", "/c"), ("json-ld", "application/ld+json", "/c"),
    ("nt", "application/octet-stream", "/c.nt"), ("turtle", "text/turtle", "/c")])
def test_every_rdf_syntax_is_harvested(db, world, remote, make_source, fmt, content_type, path):
    body = catalog_page({f"{remote.url}/datasets/1": dataset_doc(1)}, fmt=fmt)
    make_source("dept-a", remote.serve(path, body, content_type=content_type))
    report = run_source(db, "dept-a")
    assert (report.status, report.counters["created"]) == ("succeeded", 1), (report.error, report.errors)


def test_format_is_chosen_by_content_type_then_extension():
    assert rdf_format("application/ld+json", "http://x/c.ttl") == "json-ld"
    assert rdf_format("text/plain", "http://x/c.rdf") == "xml"
    assert rdf_format("", "http://x/c") == "turtle"


def test_remote_json_ld_contexts_are_not_fetched():
    body = b'{"@context": "http://169.254.169.254/context.jsonld", "@id": "http://x/1"}'
    with pytest.raises(JobFailure, match="remote JSON-LD"):
        parse_page(body, "json-ld", "http://x/c.jsonld")


def test_page_cap_stops_the_listing(db, world, remote, make_source, monkeypatch):
    page1, page2 = remote.url + "/p1", remote.url + "/p2"
    remote.serve("/p1", catalog_page({f"{remote.url}/datasets/1": dataset_doc(1)}, page_url=page1, next_url=page2))
    remote.serve("/p2", catalog_page({}))
    monkeypatch.setattr(DcatHarvester, "max_pages", 1)
    make_source("dept-a", page1)
    report = run_source(db, "dept-a")
    assert report.status == "failed" and "more than 1 pages" in report.error


# -- DNS pinning: the connection goes to the address that was checked ------------------------------

class Resolver:
    """A DNS stand-in: each name answers its addresses in turn (the last one repeats), others resolve as usual."""

    def __init__(self, real, answers: dict[str, list[str]]):
        self.real, self.answers, self.asked = real, answers, []

    def __call__(self, host, port, *args, **kwargs):
        if host not in self.answers:
            return self.real(host, port, *args, **kwargs)
        self.asked.append(host)
        address = self.answers[host][min(self.asked.count(host), len(self.answers[host])) - 1]
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))]


@pytest.fixture
def dns(monkeypatch):
    """Install answers for made-up names; ``dns.connected`` lists every address a harvester connected to."""
    resolver = Resolver(socket.getaddrinfo, {})
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    resolver.connected = []
    real_connect = http_module.create_connection

    def connect(address, *args, **kwargs):
        resolver.connected.append(address[0])
        return real_connect(address, *args, **kwargs)

    monkeypatch.setattr(http_module, "create_connection", connect)
    return resolver


def test_the_connection_goes_to_the_address_that_was_checked(remote, dns):
    # A rebinding name: the first answer passes the check, the next would point elsewhere (127.0.0.2 has no
    # server, so a second lookup at connect time would fail this test).
    dns.answers["catalog.test"] = ["127.0.0.1", "127.0.0.2"]
    remote.serve("/catalog.ttl", b"ok", content_type="text/plain")
    port = remote.url.rsplit(":", 1)[1]
    page = SafeFetcher().get(f"http://catalog.test:{port}/catalog.ttl")
    assert page.body == b"ok"
    assert dns.asked == ["catalog.test"] and dns.connected == ["127.0.0.1"]
    assert remote.requests[0][1]["Host"] == f"catalog.test:{port}"      # the name, not the address


def test_a_name_rebound_to_a_refused_address_is_never_connected_to(remote, dns):
    dns.answers["catalog.test"] = ["169.254.169.254"]
    port = remote.url.rsplit(":", 1)[1]
    with pytest.raises(AddressRefused, match="metadata"):
        SafeFetcher().get(f"http://catalog.test:{port}/catalog.ttl")
    assert dns.connected == []


def test_a_name_with_one_refused_address_among_good_ones_is_refused(dns):
    dns.answers["catalog.test"] = ["127.0.0.1"]
    with pytest.raises(AddressRefused):
        # every address is checked, not only the first: getaddrinfo may order them differently next time
        AddressPolicy(deny=(ipaddress.ip_network("127.0.0.1/32"),)).resolve("catalog.test", 80)


def test_each_redirect_hop_is_checked_at_its_own_connection(remote, dns):
    dns.answers["inner.test"] = ["169.254.169.254"]
    remote.serve("/moved", b"", status=302, headers={"Location": "http://inner.test/latest/meta-data/"})
    with pytest.raises(AddressRefused, match="inner.test"):
        SafeFetcher().get(remote.url + "/moved")
    assert dns.connected == ["127.0.0.1"]


def _certificate(tmp_path, name: str):
    """A CA and a server certificate for ``name`` signed by it; returns (ca file, cert file, key file)."""
    from datetime import datetime, timedelta, timezone

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.now(timezone.utc)

    def build(subject, issuer, public_key, signing_key, *, ca: bool, san: str | None = None):
        builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
                   .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(minutes=5))
                   .not_valid_after(now + timedelta(days=1))
                   .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
        if ca:
            builder = builder.add_extension(x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=False, data_encipherment=False,
                key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False, decipher_only=False),
                critical=True).add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        else:
            builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(san)]), critical=False)
        return builder.sign(signing_key, hashes.SHA256())

    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "govcat test CA")])
    ca = build(ca_name, ca_name, ca_key.public_key(), ca_key, ca=True)
    cert = build(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]), ca_name, key.public_key(), ca_key,
                 ca=False, san=name)
    files = tmp_path / "ca.pem", tmp_path / "cert.pem", tmp_path / "key.pem"
    files[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    files[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    files[2].write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return files


@pytest.fixture
def tls_remote(tmp_path):
    """An HTTPS server on 127.0.0.1 with a certificate for the name given; records the SNI it was sent."""
    servers = []

    def start(name: str):
        ca, cert, key = _certificate(tmp_path, name)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        seen = []
        context.sni_callback = lambda _socket, server_name, _context: seen.append(server_name)

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Length", "6")
                self.end_headers()
                self.wfile.write(b"secure")

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        server.handle_error = lambda *args: None      # a refused handshake is the point of some tests
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(server)
        return server.server_address[1], str(ca), seen

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_tls_keeps_the_host_name_for_sni_and_certificate_verification(dns, tls_remote):
    port, ca, seen = tls_remote("catalog.test")
    dns.answers["catalog.test"] = ["127.0.0.1"]
    page = SafeFetcher(ca_certs=ca).get(f"https://catalog.test:{port}/")
    assert page.body == b"secure" and seen == ["catalog.test"] and dns.connected == ["127.0.0.1"]


def test_a_certificate_for_another_name_is_refused(dns, tls_remote):
    port, ca, _seen = tls_remote("other.test")
    dns.answers["catalog.test"] = ["127.0.0.1"]
    with pytest.raises(FetchError, match="SSLError"):
        SafeFetcher(ca_certs=ca).get(f"https://catalog.test:{port}/")


def test_a_certificate_of_an_unknown_authority_is_refused(dns, tls_remote):
    port, _ca, _seen = tls_remote("catalog.test")
    dns.answers["catalog.test"] = ["127.0.0.1"]
    with pytest.raises(FetchError, match="SSLError"):
        SafeFetcher().get(f"https://catalog.test:{port}/")


# -- The allow and deny lists ----------------------------------------------------------------------

def policy(allow: str = "", deny: str = "") -> AddressPolicy:
    return AddressPolicy.from_settings({"GOVCAT_HARVEST_ALLOW": allow, "GOVCAT_HARVEST_DENY": deny})


def reason(address: str, **lists) -> str | None:
    return policy(**lists).refused_reason(ipaddress.ip_address(address))


def test_the_deny_list_wins_over_everything():
    assert reason("10.8.3.4", deny="10.8.0.0/16") == "in the denied network 10.8.0.0/16"
    assert reason("127.0.0.1", deny="127.0.0.0/8")                       # loopback is allowed otherwise
    assert reason("169.254.10.5", allow="169.254.10.0/24", deny="169.254.10.5")
    assert reason("10.9.0.1", deny="10.8.0.0/16") is None
    assert reason("::ffff:10.8.3.4", deny="10.8.0.0/16")                  # an IPv4 address inside IPv6
    assert reason("2001:db8::1", deny="2001:db8::/32")


def test_the_allow_list_opens_refused_networks_but_never_the_metadata_addresses():
    assert reason("169.254.10.5") == "a link-local address"
    assert reason("169.254.10.5", allow="169.254.10.0/24") is None
    assert reason("169.254.169.254", allow="169.254.0.0/16") == "a cloud metadata address"
    assert reason("100.100.100.200", allow="0.0.0.0/0") == "a cloud metadata address"
    assert reason("fe80::1", allow="fe80::/10") is None


@pytest.mark.parametrize("address", ["::ffff:169.254.169.254", "64:ff9b::a9fe:a9fe", "2002:a9fe:a9fe::1"])
def test_metadata_addresses_carried_inside_ipv6_are_refused(address):
    assert reason(address) == "a cloud metadata address"


def test_a_malformed_list_is_named_in_the_error():
    with pytest.raises(ValueError, match="GOVCAT_HARVEST_DENY: 'ten' is not"):
        policy(deny="10.0.0.0/8, ten")


def test_the_fetcher_and_the_address_check_honour_the_settings(remote, monkeypatch):
    remote.serve("/c", b"ok", content_type="text/plain")
    monkeypatch.setenv("GOVCAT_HARVEST_DENY", "127.0.0.1/32")
    with pytest.raises(AddressRefused, match="denied network"):
        SafeFetcher().get(remote.url + "/c")
    with pytest.raises(AddressRefused, match="denied network"):
        check_address(remote.url + "/c")
    assert remote.requests == []
    monkeypatch.setenv("GOVCAT_HARVEST_DENY", "")
    monkeypatch.setenv("GOVCAT_HARVEST_ALLOW", "169.254.10.0/24")
    check_address("http://169.254.10.7/catalog.ttl")
    assert SafeFetcher().get(remote.url + "/c").body == b"ok"


def test_a_link_local_appliance_can_be_registered_once_allowed(db, world):
    with db.transaction() as session:
        with pytest.raises(Invalid):
            add_source(session, name="appliance", type="dcat", url="http://169.254.10.7/",
                       department=world.dept_a.credit_code)
        add_source(session, name="appliance", type="dcat", url="http://169.254.10.7/",
                   department=world.dept_a.credit_code, policy=policy(allow="169.254.10.0/24"))

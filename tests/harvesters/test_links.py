"""The link checker against servers that misbehave: every one gets a clear outcome, and nothing hangs."""
from __future__ import annotations

import ipaddress
import socket
import time

import pytest

from harvesters.http import AddressPolicy
from harvesters.links import LinkChecker
from tests.harvesters.link_server import LinkServer

LOOPBACK = AddressPolicy(allow=(ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128")),
                         public_only=True)


@pytest.fixture
def server():
    running = LinkServer()
    yield running
    running.stop()


@pytest.fixture
def checker():
    with LinkChecker(policy=LOOPBACK, connect_timeout=1, read_timeout=1, total_timeout=3,
                     max_redirects=5) as running:
        yield running


def test_a_live_link_is_asked_with_head_only(server, checker):
    result = checker.check(server.url + "/ok/file.csv")
    assert (result.ok, result.status, result.error, result.redirects) == (True, 200, None, 0)
    assert server.requests == [("HEAD", "/ok/file.csv")]


@pytest.mark.parametrize("path", ["/no-head/file.csv", "/head-drops/file.csv"])
def test_a_server_refusing_head_is_asked_for_one_byte(server, checker, path):
    result = checker.check(server.url + path)
    assert (result.ok, result.status) == (True, 206)
    assert [method for method, _path in server.requests] == ["HEAD", "GET"]


@pytest.mark.parametrize("status, words", [(404, "HTTP 404 Not Found"), (500, "HTTP 500 Internal Server Error"),
                                           (410, "HTTP 410 Gone")])
def test_error_answers_are_dead_with_their_status(server, checker, status, words):
    result = checker.check(f"{server.url}/status/{status}")
    assert (result.ok, result.status, result.error) == (False, status, words)
    assert [method for method, _path in server.requests] == ["HEAD", "GET"]     # HEAD may lie; GET confirms


def test_redirects_are_followed_and_recorded(server, checker):
    result = checker.check(server.url + "/redirect/3")
    assert (result.ok, result.redirects, result.final_url) == (True, 3, server.url + "/ok/landed")


def test_too_many_redirects_and_loops_end_with_their_reason(server, checker):
    many = checker.check(server.url + "/redirect/9")
    assert (many.ok, many.error, many.redirects) == (False, "more than 5 redirects", 5)
    loop = checker.check(server.url + "/loop/a")
    assert loop.ok is False and loop.error.startswith("redirect loop: back to") and loop.final_url.endswith("/loop/b")


def test_a_redirect_away_from_the_web_is_dead(server, checker):
    result = checker.check(server.url + "/to-ftp")
    assert result.ok is False and result.error == \
        "redirected to an address that is not http or https: ftp://files.example.gov.cn/data.csv"


def test_an_empty_file_answers_although_it_has_no_first_byte(server, checker):
    result = checker.check(server.url + "/empty")
    assert (result.ok, result.status) == (True, 416)


def test_a_slow_server_times_out(server, checker):
    result = checker.check(server.url + "/slow/5")
    assert (result.ok, result.error) == (False, "no answer within 1 s")
    assert result.elapsed_ms < 2500


def test_a_huge_body_is_never_downloaded(server, checker):
    started = time.monotonic()
    result = checker.check(server.url + "/huge")
    assert (result.ok, result.status) == (True, 200) and time.monotonic() - started < 2


def test_a_server_that_stops_after_its_headers_is_dead(server, checker):
    result = checker.check(server.url + "/hang-after-headers")
    assert (result.ok, result.status, result.error) == (False, 200, "HTTP 200 OK, then no data within 1 s")


def test_an_answer_trickling_in_is_cut_at_the_deadline(server, checker):
    result = checker.check(server.url + "/trickle")      # a byte every 0.2 s: every read is in time
    assert (result.ok, result.error) == (False, "slower than 3 s in all")
    assert result.elapsed_ms < 4000


def test_closed_connections_and_closed_ports_are_dead(server, checker):
    closed = checker.check(server.url + "/close")
    assert (closed.ok, closed.error) == (False, "the server closed the connection without an answer")
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    refused = checker.check(f"http://127.0.0.1:{port}/file.csv")
    assert (refused.ok, refused.error) == (False, "connection refused")


@pytest.mark.parametrize("url, reason", [
    ("http://10.1.2.3/data.csv", "10.1.2.3 is a private address"),
    ("http://192.168.0.5/data.csv", "192.168.0.5 is a private address"),
    ("http://169.254.169.254/latest/meta-data/", "a cloud metadata address"),
    ("http://[fe80::1]/data.csv", "a link-local address"),
])
def test_private_and_metadata_addresses_are_refused_without_a_request(checker, url, reason):
    result = checker.check(url)
    assert result.ok is False and result.error.startswith("address refused") and reason in result.error


def test_a_name_resolving_to_a_private_address_is_refused(checker, monkeypatch):
    real = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        if host == "intranet.example.gov.cn":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.20.30.40", 80))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    result = checker.check("http://intranet.example.gov.cn/data.csv")
    assert result.ok is False and "10.20.30.40 is a private address" in result.error


def test_a_redirect_to_a_private_address_is_refused(server, checker):
    result = checker.check(server.url + "/to-private")
    assert result.ok is False and "10.255.255.1 is a private address" in result.error
    assert (result.redirects, result.final_url) == (1, "http://10.255.255.1/data.csv")


def test_loopback_is_refused_unless_the_allow_list_names_it(server):
    with LinkChecker(policy=AddressPolicy(public_only=True)) as strict:
        result = strict.check(server.url + "/ok/file.csv")
    assert result.ok is False and "a loopback address" in result.error and server.requests == []
    refused = AddressPolicy.from_settings({"GOVCAT_HARVEST_ALLOW": "10.1.0.0/16"}, public_only=True)
    assert refused.refused_reason(ipaddress.ip_address("10.1.2.3")) is None
    assert refused.refused_reason(ipaddress.ip_address("10.2.0.1")) == "a private address"


@pytest.mark.parametrize("url, ok, error", [
    ("ftp://ftp.example.gov.cn/data.csv", None, "not checked: only http and https links are checked"),
    ("http://[::1", False, "not a valid address"),
    ("http://nonexistent.invalid/data.csv", False, "the host name does not resolve (nonexistent.invalid)"),
])
def test_addresses_that_cannot_be_asked_say_why(checker, url, ok, error):
    result = checker.check(url)
    assert (result.ok, result.error) == (ok, error)


def test_one_host_is_never_asked_more_than_its_limit_at_once(server):
    slow = [f"{server.url}/slow/0.2?{n}" for n in range(12)]
    with LinkChecker(policy=LOOPBACK, concurrency=8, per_host=3) as checker:
        assert all(result.ok for result in checker.check_all(slow))
    assert server.most_active == 3


def test_many_bad_links_at_once_all_end_in_time(server):
    bad = [server.url + path for path in ("/trickle", "/hang-after-headers", "/slow/9", "/loop/a", "/close",
                                         "/redirect/9", "/status/503")]
    good = [f"{server.url}/ok/{n}" for n in range(20)] + [server.url + "/huge"]
    started = time.monotonic()
    with LinkChecker(policy=LOOPBACK, concurrency=8, per_host=8, connect_timeout=1, read_timeout=1,
                     total_timeout=3) as checker:
        results = {r.url: r for r in checker.check_all(bad + good)}
    assert len(results) == len(bad) + len(good)
    assert not any(results[url].ok for url in bad) and all(results[url].ok for url in good)
    assert all(results[url].error for url in bad)
    assert time.monotonic() - started < 8


def test_hosts_are_checked_in_turn_up_to_the_global_limit(server):
    other = LinkServer()
    try:
        elsewhere = other.url.replace("127.0.0.1", "localhost")      # another host name, as a server sees it
        urls = [f"{server.url}/slow/0.3?{n}" for n in range(4)] + [f"{elsewhere}/slow/0.3?{n}" for n in range(4)]
        started = time.monotonic()
        with LinkChecker(policy=LOOPBACK, concurrency=4, per_host=2) as checker:
            assert all(r.ok for r in checker.check_all(urls))
        # Two hosts with two each at a time: 8 checks of 0.3 s in two rounds, not four.
        assert time.monotonic() - started < 1.1
        assert server.most_active == 2 and other.most_active == 2
    finally:
        other.stop()

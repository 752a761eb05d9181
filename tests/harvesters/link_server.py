"""A local web server that misbehaves on purpose, for the link checker's tests (and its benchmark).

Paths: ``/ok/…`` answers HEAD and ranged GET; ``/no-head/…`` refuses HEAD (405) and serves GET;
``/head-drops/…`` closes the connection on HEAD and serves GET; ``/status/N`` answers N to both;
``/redirect/N`` redirects N times then lands on /ok; ``/loop/a`` and ``/loop/b`` redirect to each other;
``/slow/S`` waits S seconds before answering; ``/huge`` refuses HEAD and sends 200 MB to GET, ignoring
the range; ``/hang-after-headers`` refuses HEAD and stops after the GET's headers; ``/trickle`` sends
its status line and headers a byte every 0.2 s; ``/close`` closes the connection without answering;
``/to-private`` redirects to a private address, ``/to-ftp`` to an ftp address; ``/empty`` refuses HEAD
and answers the one-byte range with 416, as a server does for an empty file.
"""
from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LinkHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_HEAD(self):
        self._answer(head=True)

    def do_GET(self):
        self._answer(head=False)

    def _answer(self, head: bool) -> None:
        server = self.server
        with server.lock:
            server.requests.append((self.command, self.path))
            server.active += 1
            server.most_active = max(server.most_active, server.active)
        try:
            self._route(head)
        finally:
            with server.lock:
                server.active -= 1

    def _route(self, head: bool) -> None:
        parts = self.path.split("?", 1)[0].strip("/").split("/")
        kind = parts[0]
        try:
            if kind == "ok":
                self._send(206 if not head and self.headers.get("Range") else 200, b"x")
            elif kind == "no-head":
                self._send(405 if head else 206, b"" if head else b"x")
            elif kind == "head-drops":
                if head:
                    self.close_connection = True
                    return
                self._send(206, b"x")
            elif kind == "status":
                self._send(int(parts[1]), b"status")
            elif kind == "redirect":
                left = int(parts[1])
                self._redirect(f"/redirect/{left - 1}" if left > 1 else "/ok/landed")
            elif kind == "loop":
                self._redirect("/loop/b" if parts[1] == "a" else "/loop/a")
            elif kind == "slow":
                time.sleep(float(parts[1]))
                self._send(200, b"x")
            elif kind == "huge":
                if head:
                    self._send(405, b"")
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(200 * 1024 * 1024))
                self.end_headers()
                chunk = b"#" * 65536
                for _ in range(200 * 16):
                    self.wfile.write(chunk)
            elif kind == "hang-after-headers":
                if head:
                    self._send(405, b"")
                    return
                self.send_response(200)
                self.send_header("Content-Length", "1000")
                self.end_headers()
                self.wfile.flush()
                time.sleep(30)
            elif kind == "trickle":
                for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 200:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(0.2)
            elif kind == "close":
                self.close_connection = True
            elif kind == "to-private":
                self._redirect("http://10.255.255.1/data.csv")
            elif kind == "to-ftp":
                self._redirect("ftp://files.example.gov.cn/data.csv")
            elif kind == "empty":
                self._send(405 if head else 416, b"")
            else:
                self._send(404, b"not here")
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class LinkServer:
    """The server in a thread of this process: ``url``, ``requests`` (method, path), ``stop()``."""

    def __init__(self):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), LinkHandler)
        self.server.daemon_threads = True
        self.server.requests = []
        self.server.lock = threading.Lock()
        self.server.active = self.server.most_active = 0      # requests being answered; the most at once
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def requests(self) -> list:
        return self.server.requests

    @property
    def most_active(self) -> int:
        return self.server.most_active

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

"""The load generator of the benchmark's HTTP mode (bench/over_http.py) against a small real HTTP server."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench.over_http import load


class _Server:
    """A threading HTTP/1.1 server on a free port that answers ``status`` and notes each request's client
    port (one per TCP connection) and Cookie header."""

    def __init__(self, status=200, keep_alive=True):
        self.ports, self.cookies = [], []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802 (the http.server name)
                outer.ports.append(self.client_address[1])
                outer.cookies.append(self.headers.get("Cookie"))
                body = b"<p>hola</p>"
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                if not keep_alive:
                    self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def test_keep_alive_connections_are_reused_and_only_the_window_is_timed():
    with _Server() as server:
        result = load(server.port, "/clientes", {"Cookie": "traza_session=abc"}, connections=3, seconds=0.6, warmup=0.2)
    assert result.ok and result.statuses[200] == len(result.samples) > 0
    assert len(result.samples) < len(server.ports)  # the warm-up's requests are sent but not counted
    assert len(set(server.ports)) == 3  # one connection per client, kept open
    assert set(server.cookies) == {"traza_session=abc"}
    assert result.rps == pytest.approx(len(result.samples) / 0.6)
    assert 0 < result.median_ms <= result.p95_ms < 600


def test_a_server_that_closes_each_connection_is_reconnected_to():
    with _Server(keep_alive=False) as server:
        result = load(server.port, "/", {}, connections=2, seconds=0.4, warmup=0.1)
    assert result.ok and len(result.samples) > 2
    assert len(set(server.ports)) > 2  # a new connection after each Connection: close


def test_answers_other_than_200_make_the_load_not_ok():
    with _Server(status=500) as server:
        result = load(server.port, "/", {}, connections=2, seconds=0.3, warmup=0.0)
    assert not result.ok and set(result.statuses) == {500}


def test_a_refused_connection_is_counted_not_raised():
    with _Server() as server:
        port = server.port
    result = load(port, "/", {}, connections=2, seconds=0.2, warmup=0.0)
    assert not result.ok and result.samples == [] and result.statuses["ConnectionRefusedError"] == 2

"""A small web site on 127.0.0.1 for the tests (there is no outside network)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    """What the site answers at one path."""

    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    #: Seconds to wait before answering at all.
    delay: float = 0.0
    #: Send the body in this many pieces, ``pause`` seconds apart (a page that trickles in).
    pieces: int = 1
    pause: float = 0.0
    #: Send a Content-Length header (without one, the body ends when the connection closes).
    length: bool = True


class _Handler(BaseHTTPRequestHandler):
    server: _Site

    def do_GET(self) -> None:
        route = self.server.routes.get(self.path.split("?")[0])
        if route is None:
            route = Route(b"<html><body><p>Not here.</p></body></html>", 404,
                          {"Content-Type": "text/html"})  # fmt: skip
        time.sleep(route.delay)
        try:
            self.send_response(route.status)
            for name, value in route.headers.items():
                self.send_header(name, value)
            if route.length:
                self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()
            step = max(1, -(-len(route.body) // route.pieces))
            for i in range(0, len(route.body), step):
                self.wfile.write(route.body[i : i + step])
                self.wfile.flush()
                time.sleep(route.pause)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as it should on slow or large pages

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Site(ThreadingHTTPServer):
    daemon_threads = True
    routes: dict[str, Route]


@contextmanager
def local_site(routes: dict[str, Route]) -> Iterator[str]:
    """Serve ``routes`` on a free loopback port; yields the base address."""
    site = _Site(("127.0.0.1", 0), _Handler)
    site.routes = routes
    thread = threading.Thread(target=site.serve_forever, name="local-site", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{site.server_address[1]}"
    finally:
        site.shutdown()
        site.server_close()


def html_route(markup: str) -> Route:
    return Route(markup.encode("utf-8"), headers={"Content-Type": "text/html; charset=utf-8"})

"""A stand-in HTTP server for the checks that need something to answer: the image's health check, and the nginx
configuration's routes to the API and the relays."""

from __future__ import annotations

import http.server
import json
import threading


class StubHandler(http.server.BaseHTTPRequestHandler):
    """GET /healthz → 200, /readyz → 503; remembers what it was asked (for the proxy checks)."""

    answers = {"/healthz": 200, "/readyz": 503}

    def do_GET(self):  # noqa: N802 - the standard library's name
        self.server.requests.append((self.path, dict(self.headers)))
        status = self.answers.get(self.path.split("?")[0], 200)
        body = json.dumps({"served_by": self.server.name, "path": self.path}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def stub_server(name: str) -> http.server.ThreadingHTTPServer:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), StubHandler)
    server.name, server.requests = name, []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server

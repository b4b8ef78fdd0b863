"""A real webhook receiver for the Python suites: Python's http.server in a thread on a free 127.0.0.1 port, recording
every POST (headers, raw body, when it came, how it was answered). What it answers is scripted: a list of statuses
for the next requests (200 once it runs out), a delay before each answer (a slow endpoint), holding every answer
until released (a delivery caught in flight), or a 2xx answer whose body never ends (until the sender hangs up).
Nothing here checks signatures: the tests do, with an independent implementation."""

from __future__ import annotations

import http.server
import json
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Received:
    """One request as it arrived, and the status it was answered with (None: held, never answered in time)."""

    headers: dict[str, str]
    body: bytes
    at: float
    status: int | None = None
    held: bool = False
    answered_at: float | None = None
    # An endless answer: how many body bytes were written before the sender hung up, and when it did.
    answer_bytes: int = 0
    hung_up_at: float | None = None

    @property
    def webhook_id(self) -> str:
        return self.headers.get("webhook-id", "")

    @property
    def json(self):
        return json.loads(self.body)

    @property
    def delivered(self) -> bool:
        """Answered with a 2xx, not held (a held request's sender may have died before the answer)."""
        return self.status is not None and 200 <= self.status < 300 and not self.held


@dataclass
class _Script:
    answers: list[int] = field(default_factory=list)
    delay: float = 0.0
    release: threading.Event = field(default_factory=threading.Event)


class WebhookReceiver:
    """Listens on http://127.0.0.1:<port>/hook until `close()` (or the end of a `with` block)."""

    HOLD_LIMIT_S = 60
    ENDLESS_LIMIT_S = 30

    def __init__(self, answers=(), delay: float = 0.0, redirect_to: str | None = None, endless: bool = False):
        """`redirect_to`: the Location of every 3xx answer; `endless`: a 2xx answer's body goes on (chunked, 16 KiB at
        a time) until the sender hangs up or ENDLESS_LIMIT_S pass."""
        self.lock = threading.Lock()
        self.requests: list[Received] = []
        self.script = _Script(answers=list(answers), delay=delay)
        self.script.release.set()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                request = Received({k.lower(): v for k, v in self.headers.items()}, body, time.monotonic())
                status = receiver._arrived(request)
                if endless and 200 <= status < 300:
                    return self.answer_endlessly(status, request)
                answer = b'{"ok":true}'
                self.send_response(status)
                if redirect_to and 300 <= status < 400:
                    self.send_header("Location", redirect_to)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def answer_endlessly(self, status: int, request: Received):
                self.send_response(status)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                chunk = b"x" * 16384
                frame = b"%x\r\n" % len(chunk) + chunk + b"\r\n"
                self.connection.settimeout(5)  # a sender that stops reading without hanging up
                deadline = time.monotonic() + receiver.ENDLESS_LIMIT_S
                try:
                    while time.monotonic() < deadline:
                        self.wfile.write(frame)
                        request.answer_bytes += len(chunk)
                except OSError:
                    pass
                request.hung_up_at = time.monotonic()
                self.close_connection = True

            def log_message(self, *args):
                pass

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                pass  # a sender that was killed mid-request: nobody to answer

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def _arrived(self, request: Received) -> int:
        with self.lock:
            self.requests.append(request)
            status = self.script.answers.pop(0) if self.script.answers else 200
            delay, release = self.script.delay, self.script.release
        request.held = not release.is_set()
        if request.held:
            release.wait(self.HOLD_LIMIT_S)
        if delay:
            time.sleep(delay)
        request.status, request.answered_at = status, time.monotonic()
        return status

    # --- scripting -------------------------------------------------------------------------------------------------

    def answer(self, statuses):
        """The statuses for the next requests, in order (200 after them)."""
        with self.lock:
            self.script.answers = list(statuses)

    def hold(self):
        """Every request from now on waits for `release()` before it is answered."""
        with self.lock:
            self.script.release = threading.Event()

    def release(self):
        with self.lock:
            self.script.release.set()

    # --- what came -------------------------------------------------------------------------------------------------

    def received(self) -> list[Received]:
        with self.lock:
            return list(self.requests)

    def delivered_ids(self) -> set[str]:
        return {request.webhook_id for request in self.received() if request.delivered}

    def by_id(self) -> dict[str, list[Received]]:
        grouped: dict[str, list[Received]] = {}
        for request in self.received():
            grouped.setdefault(request.webhook_id, []).append(request)
        return grouped

    def close(self):
        self.release()
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

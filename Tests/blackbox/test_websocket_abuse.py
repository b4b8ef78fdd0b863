"""WebSocket abuse against /ws on a live maestro-server, with raw sockets (wsraw.py): malformed frames (reserved
opcodes and bits, unmasked client frames, fragmented or oversized control frames, lying length fields, broken
fragmentation, invalid UTF-8), oversized frames (the server's limit is 65536 bytes), binary frames, broken close
frames, floods of pings, and broken upgrade requests.

Each abusive connection must end cleanly within a bounded time — a close frame with a code that names the
problem (1002 protocol error, 1003 unsupported data, 1007 invalid data, 1009 too big) or a TCP close — and the
server must stay up. Binary frames and ping floods are not protocol errors: for them a connection that keeps
working (it still answers a ping) is fine too. Meanwhile a well-behaved client on the same project keeps
receiving every event: changes are made through the API during the whole abuse, and the ids it received are
compared with the project's stream (XRANGE) at the end.
"""

from __future__ import annotations

import json
import os
import struct
import threading
import time

import pytest

from blackbox_env import USER_TOKEN, Api, wait_until
import wsraw

SUITE = "websocket-abuse"
PROJECT = "bbx-ws"
EVENTS_KEY = f"mae:{{{PROJECT}}}:events"
CLOSE_WAIT_S = 5
PROTOCOL = {1002}
ANY_CLOSE = None  # any close frame or a TCP close


class Observer(threading.Thread):
    """The well-behaved client: reads every message, answers pings, keeps the ids of the events it got."""

    def __init__(self, port: int, since: str):
        super().__init__(daemon=True)
        self.connection = wsraw.Connection("127.0.0.1", port, f"/ws?projectId={PROJECT}&since={since}&token={USER_TOKEN}")
        self.ids: list[str] = []
        self.other: list[dict] = []
        self.ended: str | None = None
        self.stopping = False

    def run(self):
        fragments = b""
        while not self.stopping:
            try:
                fin, opcode, payload = self.connection.read_frame(timeout=0.5)
            except TimeoutError:
                continue
            except (EOFError, OSError) as error:
                if not self.stopping:
                    self.ended = f"connection lost: {error!r}"
                return
            if opcode == wsraw.PING:
                self.connection.send_frame(wsraw.PONG, payload)
            elif opcode == wsraw.CLOSE:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                self.ended = f"closed by the server with {code} {payload[2:]!r}"
                return
            elif opcode in (wsraw.TEXT, wsraw.CONTINUATION):
                fragments += payload
                if fin:
                    message = json.loads(fragments)
                    fragments = b""
                    if message.get("id") and message.get("type") != "resync":
                        self.ids.append(message["id"])
                    else:
                        self.other.append(message)

    def stop(self):
        self.stopping = True
        self.join(timeout=5)
        self.connection.close()


class Writer(threading.Thread):
    """Changes through the API all along: creates tasks and moves them between statuses."""

    def __init__(self, api: Api):
        super().__init__(daemon=True)
        self.api = api
        self.stopping = threading.Event()
        self.changes = 0
        self.errors: list[str] = []

    def run(self):
        index = 0
        tasks: list[str] = []
        cycle = {"todo": "inprogress", "inprogress": "completed", "completed": "inprogress"}
        statuses: dict[str, str] = {}
        while not self.stopping.is_set():
            try:
                if index % 4 == 0 or not tasks:
                    task_id = f"ws-{index}"
                    self.api.create_task(f"Live task {index}", id=task_id)
                    tasks.append(task_id)
                    statuses[task_id] = "todo"
                else:
                    task_id = tasks[index % len(tasks)]
                    statuses[task_id] = cycle[statuses[task_id]]
                    self.api.set_status(task_id, statuses[task_id])
                self.changes += 1
            except Exception as error:  # noqa: BLE001 - reported by the final test
                self.errors.append(repr(error)[:300])
            index += 1
            self.stopping.wait(0.02)

    def stop(self):
        self.stopping.set()
        self.join(timeout=10)


@pytest.fixture(scope="module")
def live(server, redis):
    """The project with the observer connected (from the current cursor) and the writer running."""
    api = Api(server.base_url, PROJECT)
    api.create_task("First", id="ws-first")
    cursor = api.cursor()
    observer = Observer(server.port, cursor)
    observer.start()
    writer = Writer(api)
    writer.start()
    state = {"api": api, "cursor": cursor, "observer": observer, "writer": writer, "server": server, "redis": redis,
             "rss_before_kib": _rss_kib(server)}
    yield state
    writer.stop()
    observer.stop()


def _rss_kib(server) -> int | None:
    try:
        with open(f"/proc/{server.process.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _connect(server) -> wsraw.Connection:
    return wsraw.Connection("127.0.0.1", server.port, f"/ws?projectId={PROJECT}&token={USER_TOKEN}")


def _still_works(connection: wsraw.Connection) -> bool:
    """The connection answers a ping with its pong (skipping event messages)."""
    if not connection.send_frame(wsraw.PING, b"still-there"):
        return False
    deadline = time.monotonic() + CLOSE_WAIT_S
    while time.monotonic() < deadline:
        try:
            fin, opcode, payload = connection.read_frame(deadline - time.monotonic())
        except (TimeoutError, EOFError, OSError):
            return False
        if opcode == wsraw.PONG and payload == b"still-there":
            return True
        if opcode == wsraw.CLOSE:
            return False
    return False


def _lying_short(connection):
    # The header says 5 bytes; what follows the 5 bytes is not a frame (0xFF: every reserved bit, opcode 0xF).
    key = os.urandom(4)
    header = struct.pack("!BB", 0x81, 0x80 | 5) + key
    body = bytes(b ^ key[i % 4] for i, b in enumerate(b"hello"))
    connection.send(header + body + b"\xff" * 20)


def _lying_long_then_eof(connection):
    connection.send(wsraw.frame(wsraw.TEXT, b"0123456789", length=1000))
    connection.sock.shutdown(1)  # SHUT_WR: the promised 990 bytes never come


def _ping_flood(count: int, size: int):
    def act(connection):
        data = b"".join(wsraw.frame(wsraw.PING, (b"%d-" % i).ljust(size, b"p")[:size]) for i in range(count))
        connection.send(data + wsraw.frame(wsraw.PING, b"last"))
    return act


def _ping_flood_outcome(connection) -> tuple[str, int | None]:
    """Reads until the pong of the last ping (the server answered the flood) or a close."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            fin, opcode, payload = connection.read_frame(deadline - time.monotonic())
        except (TimeoutError, EOFError, OSError) as error:
            return ("eof" if isinstance(error, (EOFError, OSError)) else "timeout"), None
        if opcode == wsraw.PONG and payload == b"last":
            return "answered", None
        if opcode == wsraw.CLOSE:
            return "close", struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
    return "timeout", None


# name → (what the abusive client does, close codes that fit (None: any), whether a still-working connection is fine)
ABUSE = {
    "reserved opcode 0x3": (lambda c: c.send_frame(0x3, b"x"), PROTOCOL, False),
    "reserved control opcode 0xB": (lambda c: c.send_frame(0xB, b"x"), PROTOCOL, False),
    "RSV1 set without an extension": (lambda c: c.send_frame(wsraw.TEXT, b"hi", rsv=0b100), PROTOCOL, False),
    "RSV2+RSV3 set on a ping": (lambda c: c.send_frame(wsraw.PING, b"hi", rsv=0b011), PROTOCOL, False),
    "unmasked client frame": (lambda c: c.send_frame(wsraw.TEXT, b"hi", mask=False), PROTOCOL, False),
    "fragmented ping": (lambda c: c.send_frame(wsraw.PING, b"p", fin=False), PROTOCOL, False),
    "ping with 126-byte payload": (lambda c: c.send_frame(wsraw.PING, b"p" * 126), PROTOCOL, False),
    "close with 126-byte payload": (lambda c: c.send_frame(wsraw.CLOSE, struct.pack("!H", 1000) + b"r" * 124), PROTOCOL, False),
    "64-bit length with the top bit set": (
        lambda c: c.send(bytes([0x81, 0xFF]) + struct.pack("!Q", 1 << 63) + b"mask"), {1002, 1009}, False),
    # what follows claims 2^64-1 bytes with every reserved bit set: "too big" fits as well as "protocol error"
    "length field shorter than the data": (_lying_short, {1002, 1009}, False),
    "length field longer than the data, then EOF": (_lying_long_then_eof, ANY_CLOSE, False),
    "continuation without a message": (lambda c: c.send_frame(wsraw.CONTINUATION, b"x"), PROTOCOL, False),
    "new text frame inside a fragmented message": (
        lambda c: (c.send_frame(wsraw.TEXT, b"a", fin=False), c.send_frame(wsraw.TEXT, b"b")), PROTOCOL, False),
    "invalid UTF-8 in a text frame": (lambda c: c.send_frame(wsraw.TEXT, b"bad \xff\xfe bytes"), {1007, 1002}, False),
    "UTF-16 surrogate (CESU-8) in a text frame": (lambda c: c.send_frame(wsraw.TEXT, b"\xed\xa0\x80"), {1007, 1002}, False),
    "invalid UTF-8 across fragments": (
        lambda c: (c.send_frame(wsraw.TEXT, b"ok \xe2", fin=False), c.send_frame(wsraw.CONTINUATION, b"\x28 bad")),
        {1007, 1002}, False),
    "text frame of 65537 bytes": (lambda c: c.send_frame(wsraw.TEXT, b"a" * 65537), {1009}, False),
    "binary frame of 1 MiB": (lambda c: c.send_frame(wsraw.BINARY, os.urandom(1 << 20)), {1009}, False),
    "length field of 16 MiB, no data": (lambda c: c.send(wsraw.frame(wsraw.TEXT, b"", length=1 << 24)), {1009}, False),
    "small binary frame": (lambda c: c.send_frame(wsraw.BINARY, b"\x00\x01\x02"), {1003}, True),
    "fragmented binary message": (
        lambda c: (c.send_frame(wsraw.BINARY, b"\x00" * 1000, fin=False), c.send_frame(wsraw.CONTINUATION, b"\x01" * 1000)),
        {1003, 1009}, True),
    "close with code 999": (lambda c: c.send_frame(wsraw.CLOSE, wsraw.close_payload(999)), PROTOCOL, False),
    "close with reserved code 1005": (lambda c: c.send_frame(wsraw.CLOSE, wsraw.close_payload(1005)), PROTOCOL, False),
    "close with a 1-byte payload": (lambda c: c.send_frame(wsraw.CLOSE, b"\x03"), PROTOCOL, False),
    "close with an invalid UTF-8 reason": (
        lambda c: c.send_frame(wsraw.CLOSE, wsraw.close_payload(1000, b"\xff\xfe")), {1007, 1002}, False),
    "5000 pings at once": (_ping_flood(5000, 8), {1008}, True),
    "20000 pings of 125 bytes, pongs unread": (_ping_flood(20000, 125), {1008}, True),
}


@pytest.mark.parametrize("name", list(ABUSE))
def test_abusive_connection_is_closed_cleanly(live, figures, name):
    act, codes, may_stay_open = ABUSE[name]
    server = live["server"]
    connection = _connect(server)
    started = time.monotonic()
    failure = None
    try:
        act(connection)
        if name.startswith(("5000 pings", "20000 pings")):
            outcome, code = _ping_flood_outcome(connection)
            if outcome == "answered":
                outcome = "open" if _still_works(connection) else "answered, then dead"
        else:
            outcome, code, _ = connection.wait_closed(CLOSE_WAIT_S)
            if outcome == "timeout" and may_stay_open:
                outcome = "open" if _still_works(connection) else "neither closed nor working"
        elapsed = time.monotonic() - started
        if outcome == "close" and codes is not None and code not in codes:
            failure = f"closed with {code}, expected {sorted(codes)}"
        elif outcome == "open" and not may_stay_open:
            failure = "left open"
        elif outcome not in ("close", "eof", "open"):
            failure = f"{outcome} after {elapsed:.1f} s: not closed within {CLOSE_WAIT_S} s"
    finally:
        connection.close()
    if not server.alive():
        failure = (failure + "; " if failure else "") + f"server down: {server.exit_description()}"
    figures.case(SUITE, f"{name}: {failure}" if failure else None)
    assert failure is None, failure


HANDSHAKES = {
    # name: (path, extra headers or a special request, HTTP statuses that fit, whether a TCP close also fits)
    "no token": (f"/ws?projectId={PROJECT}", {}, {401}, False),
    "wrong token": (f"/ws?projectId={PROJECT}&token=wrong", {}, {403}, False),
    "bad since": (f"/ws?projectId={PROJECT}&since=not-an-id&token={USER_TOKEN}", {}, {400}, False),
    "bad project": (f"/ws?projectId=%7Bx%7D&token={USER_TOKEN}", {}, {400}, False),
    "foreign origin": (f"/ws?projectId={PROJECT}&token={USER_TOKEN}", {"Origin": "http://evil.example"}, {403}, False),
    "version 8": (f"/ws?projectId={PROJECT}&token={USER_TOKEN}", "version", {400, 426}, True),
    "no key": (f"/ws?projectId={PROJECT}&token={USER_TOKEN}", "nokey", {400}, True),
    "1 MiB header": (f"/ws?projectId={PROJECT}&token={USER_TOKEN}", {"X-Big": "b" * (1 << 20)}, {400, 431}, True),
}


@pytest.mark.parametrize("name", list(HANDSHAKES))
def test_bad_upgrade_is_refused(live, figures, name):
    """The upgrade is refused with the API's status (the document's 401/403/400 for /ws), or — for requests a
    WebSocket server may simply drop — the TCP connection is closed; never upgraded, never left hanging."""
    path, headers, statuses, drop_ok = HANDSHAKES[name]
    server = live["server"]
    handshake = None
    if headers in ("version", "nokey"):
        lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{server.port}", "Upgrade: websocket", "Connection: Upgrade"]
        if headers == "version":
            lines += ["Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 8"]
        else:
            lines += ["Sec-WebSocket-Version: 13"]
        handshake = ("\r\n".join(lines) + "\r\n\r\n").encode()
        headers = {}
    failure = None
    try:
        connection = wsraw.Connection("127.0.0.1", server.port, path, headers=headers, handshake=handshake,
                                      timeout=CLOSE_WAIT_S)
        connection.close()
        failure = "upgraded"
    except wsraw.HandshakeRefused as refused:
        if refused.status not in statuses:
            failure = f"answered HTTP {refused.status}, expected {sorted(statuses)}: {refused.head[:200]!r}"
    except (EOFError, ConnectionResetError, BrokenPipeError):
        if not drop_ok:
            failure = f"closed without an HTTP answer, expected {sorted(statuses)}"
    except (TimeoutError, OSError) as error:
        failure = f"neither answered nor closed within {CLOSE_WAIT_S} s ({error!r})"
    if not server.alive():
        failure = (failure + "; " if failure else "") + f"server down: {server.exit_description()}"
    figures.case(SUITE, f"upgrade {name}: {failure}" if failure else None)
    assert failure is None, failure


def test_well_behaved_client_received_every_event(live, figures):
    """Runs after the abuse (file order): the observer got exactly the stream's events since its cursor, in order."""
    writer, observer, redis = live["writer"], live["observer"], live["redis"]
    time.sleep(0.3)
    writer.stop()
    assert not writer.errors, f"API changes failed during the abuse: {writer.errors[:5]}"
    assert writer.changes >= 20, f"only {writer.changes} changes were made during the abuse"
    expected = redis.xrange_ids(EVENTS_KEY, after=live["cursor"])
    wait_until(lambda: len(observer.ids) >= len(expected) or observer.ended, 15,
               f"the observer to receive {len(expected)} events (has {len(observer.ids)})")
    time.sleep(0.2)
    figures.note(SUITE, "observer_events", len(observer.ids))
    figures.note(SUITE, "stream_events_during_abuse", len(expected))
    figures.note(SUITE, "api_changes_during_abuse", writer.changes)
    before, after = live["rss_before_kib"], _rss_kib(live["server"])
    if before and after:
        figures.note(SUITE, "server_rss_mib_before_after", f"{before // 1024}/{after // 1024}")
    assert observer.ended is None, f"the well-behaved client lost its connection: {observer.ended}"
    missed = [event_id for event_id in expected if event_id not in set(observer.ids)]
    assert observer.ids == expected, (
        f"observer got {len(observer.ids)} events, the stream has {len(expected)}; missed {missed[:5]}; "
        f"duplicated {len(observer.ids) - len(set(observer.ids))}; other messages {observer.other[:3]}")

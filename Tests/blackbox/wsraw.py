"""A raw WebSocket client (RFC 6455) over a plain socket, able to send frames no library would: reserved opcodes and
bits, unmasked frames, fragmented control frames, lying length fields, invalid UTF-8, oversized frames."""

from __future__ import annotations

import base64
import hashlib
import os
import socket
import struct
import time

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

CONTINUATION, TEXT, BINARY, CLOSE, PING, PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA


class HandshakeRefused(Exception):
    def __init__(self, status: int, head: bytes):
        super().__init__(f"upgrade refused with HTTP {status}: {head[:200]!r}")
        self.status = status
        self.head = head


def frame(opcode: int, payload: bytes = b"", *, fin: bool = True, rsv: int = 0, mask: bool = True,
          length: int | None = None, length_form: str | None = None) -> bytes:
    """One frame. `length` overrides the length field (a lie); `length_form` forces '7', '16' or '64' bit encoding."""
    declared = len(payload) if length is None else length
    first = (0x80 if fin else 0) | ((rsv & 0x7) << 4) | (opcode & 0xF)
    mask_bit = 0x80 if mask else 0
    form = length_form or ("7" if declared < 126 else "16" if declared < 65536 else "64")
    if form == "7":
        header = struct.pack("!BB", first, mask_bit | declared)
    elif form == "16":
        header = struct.pack("!BBH", first, mask_bit | 126, declared)
    else:
        header = struct.pack("!BBQ", first, mask_bit | 127, declared)
    if not mask:
        return header + payload
    key = os.urandom(4)
    return header + key + _mask(payload, key)


def _mask(payload: bytes, key: bytes) -> bytes:
    if not payload:
        return b""
    repeated = (key * (len(payload) // 4 + 1))[:len(payload)]
    return (int.from_bytes(payload, "big") ^ int.from_bytes(repeated, "big")).to_bytes(len(payload), "big")


def close_payload(code: int, reason: bytes = b"") -> bytes:
    return struct.pack("!H", code) + reason


class Connection:
    """An upgraded connection: `read_frame` and `wait_closed` read what the server sends, `send` writes raw bytes."""

    def __init__(self, host: str, port: int, path: str, headers: dict | None = None, timeout: float = 10,
                 handshake: bytes | None = None):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buffer = b""
        key = base64.b64encode(os.urandom(16)).decode()
        own_handshake = handshake is None
        if own_handshake:
            lines = [f"GET {path} HTTP/1.1", f"Host: {host}:{port}", "Upgrade: websocket", "Connection: Upgrade",
                     f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13"]
            lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
            handshake = ("\r\n".join(lines) + "\r\n\r\n").encode()
        self.sock.sendall(handshake)
        head = self._read_until(b"\r\n\r\n", deadline=time.monotonic() + timeout)
        status_line = head.split(b"\r\n", 1)[0]
        parts = status_line.split(b" ")
        status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
        if status != 101:
            self.close()
            raise HandshakeRefused(status, head)
        expected = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest())
        if own_handshake and b"sec-websocket-accept: " + expected.lower() not in head.lower():
            self.close()
            raise HandshakeRefused(status, head)

    def _read_until(self, marker: bytes, deadline: float) -> bytes:
        while marker not in self.buffer:
            self._fill(deadline)
        head, self.buffer = self.buffer.split(marker, 1)
        return head

    def _fill(self, deadline: float):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("no data from the server in time")
        self.sock.settimeout(remaining)
        data = self.sock.recv(65536)
        if not data:
            raise EOFError("the server closed the TCP connection")
        self.buffer += data

    def _take(self, count: int, deadline: float) -> bytes:
        while len(self.buffer) < count:
            self._fill(deadline)
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def read_frame(self, timeout: float) -> tuple[bool, int, bytes]:
        """(fin, opcode, payload) of the next frame; EOFError when the server closed TCP, TimeoutError after
        `timeout` seconds without a whole frame."""
        deadline = time.monotonic() + timeout
        first, second = self._take(2, deadline)
        length = second & 0x7F
        if length == 126:
            length = struct.unpack("!H", self._take(2, deadline))[0]
        elif length == 127:
            length = struct.unpack("!Q", self._take(8, deadline))[0]
        key = self._take(4, deadline) if second & 0x80 else None
        payload = self._take(length, deadline)
        if key:
            payload = _mask(payload, key)
        return bool(first & 0x80), first & 0x0F, payload

    def send(self, data: bytes) -> bool:
        """Writes raw bytes; False when the server had already closed the connection."""
        try:
            self.sock.settimeout(10)
            self.sock.sendall(data)
            return True
        except (BrokenPipeError, ConnectionResetError):
            return False

    def send_frame(self, opcode: int, payload: bytes = b"", **options) -> bool:
        return self.send(frame(opcode, payload, **options))

    def wait_closed(self, timeout: float) -> tuple[str, int | None, bytes]:
        """Reads (and drops) frames until the server closes: ('close', code, reason) for a close frame (answered
        with a close frame, as the protocol asks), ('eof', None, b'') for a TCP close without one, ('timeout',
        None, b'') when neither happened within `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return "timeout", None, b""
            try:
                fin, opcode, payload = self.read_frame(remaining)
            except TimeoutError:
                return "timeout", None, b""
            except (EOFError, ConnectionResetError):
                return "eof", None, b""
            if opcode == CLOSE:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                self.send_frame(CLOSE, payload[:2])
                return "close", code, payload[2:]

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

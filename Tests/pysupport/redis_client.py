"""The Redis protocol (RESP2) for the Python suites, with no client library: a command's encoding, one reply's parsing,
and a persistent connection. The black-box suites compare raw bytes (DUMP, invalid UTF-8), the browser tests want
text: a connection says which with `decode`."""

from __future__ import annotations

import socket


class RedisError(RuntimeError):
    """An error reply of redis-server, or a connection it closed ("connection closed by redis-server")."""


def encode_command(args) -> bytes:
    """One command as a RESP array of bulk strings; arguments are str, bytes or anything `str()` can write."""
    parts = [b"*%d\r\n" % len(args)]
    for arg in args:
        data = arg if isinstance(arg, bytes) else str(arg).encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(parts)


def read_reply(reader, decode: bool = False):
    """One reply from a buffered binary reader. An error reply comes back as a RedisError value (never raised, so a
    pipeline's later replies stay in step); bulk strings are bytes, or text with `decode` (invalid UTF-8 replaced)."""
    line = reader.readline()
    if not line:
        raise RedisError("connection closed by redis-server")
    kind, rest = line[:1], line[1:].rstrip(b"\r\n")
    if kind == b"+":
        return rest.decode()
    if kind == b"-":
        return RedisError(rest.decode(errors="replace"))
    if kind == b":":
        return int(rest)
    if kind == b"$":
        length = int(rest)
        if length < 0:
            return None
        data = reader.read(length + 2)[:-2]
        return data.decode(errors="replace") if decode else data
    if kind == b"*":
        count = int(rest)
        return None if count < 0 else [read_reply(reader, decode) for _ in range(count)]
    raise RedisError(f"unexpected reply {line!r}")


class RedisConnection:
    """One persistent connection; arguments are str or bytes."""

    def __init__(self, port: int, timeout: float = 10, host: str = "127.0.0.1", decode: bool = False,
                 buffering: int = -1):
        self.decode = decode
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.reader = self.sock.makefile("rb", buffering=buffering)

    def __call__(self, *args):
        """One command's reply; an error reply raises RedisError."""
        return self.pipeline([args])[0]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, commands) -> None:
        """Writes the commands without reading their replies (read them with `receive`, in order)."""
        self.sock.sendall(b"".join(encode_command(args) for args in commands))

    def receive(self, count: int) -> list:
        """The next `count` replies, error replies as RedisError values."""
        return [read_reply(self.reader, self.decode) for _ in range(count)]

    def pipeline(self, commands) -> list:
        """Sends every command at once, then reads every reply; an error reply comes back as a RedisError value (raised
        when it is the only command)."""
        commands = list(commands)
        self.send(commands)
        replies = self.receive(len(commands))
        if len(replies) == 1 and isinstance(replies[0], RedisError):
            raise replies[0]
        return replies

    def close(self):
        try:
            self.reader.close()
            self.sock.close()
        except OSError:
            pass

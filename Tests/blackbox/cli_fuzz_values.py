"""Random values for the CLI fuzzing, seeded: valid ids and notes, and invalid ids, statuses, notes, options and
session environments (each with the exit codes it must end with)."""

from __future__ import annotations

import random

from cli_fuzz_world import MAX_ARG, World, b

FORBIDDEN_CONTROLS = [chr(c) for c in range(1, 0x20) if c not in (0x09, 0x0A, 0x0D)] + ["\x7f"]  # NUL cannot be in argv
INVALID_UTF8 = [b"\xff", b"\xfe", b"\xc0\xaf", b"\xe0\x80\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\x80",
                b"\xc3", b"\xe2\x82", b"abc\xf0\x9f\x98", b"\xf8\x88\x80\x80\x80"]
BAD_ID_PIECES = ["{", "}", " ", "\n", "/", "\t", "\r", "é", "*", "?", "#", "%", "\"", "'", "\\", "\u00a0", "ǅ", "😀",
                 "{P}", "a/b", "\x1b[31m"]


class Values:
    """Random values from one seeded generator; the world gives the session whose token is broken on purpose."""

    def __init__(self, world: World, seed: int):
        self.world = world
        self.rng = random.Random(seed)

    # valid pieces

    def valid_id(self) -> str:
        alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-"
        text = "".join(self.rng.choice(alphabet) for _ in range(self.rng.randint(1, 40)))
        return "x" + text if text.startswith("-") else text

    def valid_notes(self) -> str:
        r = self.rng
        kind = r.randrange(9)
        if kind == 0:
            return "Need the staging API key"
        if kind == 1:
            return "línea 1\n\tlínea 2 — ünïcödé 漢字 😀 \u200f\u0645\u0631\u062d\u0628\u0627"
        if kind == 2:
            return "x" * 4096  # the limit exactly
        if kind == 3:
            return "é" * 2048  # 4096 bytes of two-byte characters
        if kind == 4:
            return "CRLF\r\nline\u0085NEL and C1 \u0090 are not C0 controls"
        if kind == 5:
            return "-1 tests fail; --verbose did not help"
        if kind == 6:
            return "".join(chr(r.choice([r.randint(0x20, 0x7e), r.randint(0xa0, 0x2fff), 0x0a, 0x09]))
                           for _ in range(r.randint(1, 300)))
        if kind == 7:
            return "{P} /tmp/x \"quoted\" 'single' $HOME `cmd` %s %n \\"
        return " ".join(r.choice(["ok", "done", "step", "42", "ñ"]) for _ in range(r.randint(1, 20)))

    # invalid pieces

    def invalid_id(self) -> bytes:
        r = self.rng
        kind = r.randrange(7)
        if kind == 0:
            return b""
        if kind == 1:
            return b("a" * r.choice([129, 200, 1000, MAX_ARG]))
        if kind == 2:
            return r.choice(INVALID_UTF8) + b("task")
        if kind == 3:
            return b("fz-0" + r.choice(BAD_ID_PIECES))
        base = self.valid_id()
        position = r.randint(0, len(base))
        return b(base[:position] + r.choice(BAD_ID_PIECES) + base[position:])

    def invalid_status(self) -> bytes:
        r = self.rng
        choices = [b"", b"Working", b"WORKING", b" working", b"working ", b"working\n", b"work\ning", b"todo",
                   b"inprogress", b"running", b"done", b"needs-input", b"needs input", b"in_progress", b"1",
                   b"queued,working", b"w\xc3\xb6rking", b"working\x01", b"\x1b[2Jworking",
                   b("s" * 300), b("x" * MAX_ARG), b"worki\xffng", b"null", b"--status", b"-"]
        return r.choice(choices)

    def invalid_notes(self) -> tuple[bytes, str]:
        r = self.rng
        kind = r.randrange(5)
        if kind == 0:
            text = self.valid_notes()[:4000]
            position = r.randint(0, len(text))
            return b(text[:position] + r.choice(FORBIDDEN_CONTROLS) + text[position:]), "notes-control"
        if kind == 1:
            text = b(self.valid_notes()[:3000])
            position = r.randint(0, len(text))
            # cut inside a multi-byte character would also be invalid; insert whole bad sequences
            return text[:position] + r.choice(INVALID_UTF8) + text[position:], "notes-utf8"
        if kind == 2:
            return b("n" * r.choice([4097, 5000, 65537, 100000, MAX_ARG])), "notes-size"
        if kind == 3:
            return b("x" * 4095 + "é"), "notes-size"  # 4097 bytes, 4096 characters
        return b("\x1b]0;pwned\x07 title change"), "notes-control"

    def unknown_option(self) -> list[bytes]:
        return self.rng.choice([[b"--bogus"], [b"--Status", b"working"], [b"--note", b"x"], [b"--notes-file", b"/etc/passwd"],
                                [b"--json=yes"], [b"--status-"], [b"--\xff"], [b"--force"], [b"--project", b"other"],
                                [b"--session", b"x"], [b"--=x"], [b"---status", b"working"]])

    def broken_env(self) -> tuple[dict, set[int], str]:
        r = self.rng
        kind = r.randrange(7)
        if kind == 0:
            return {b"MAESTRO_SESSION_ID": None}, {2}, "env-no-session"
        if kind == 1:
            return {b"MAESTRO_SESSION_TOKEN": b"mst_" + b"0" * 64}, {5}, "env-wrong-token"
        if kind == 2:
            return {b"MAESTRO_SESSION_TOKEN": r.choice([None, b""])}, {5}, "env-no-token"
        if kind == 3:
            return {b"MAESTRO_SESSION_ID": b"sess_does_not_exist"}, {4}, "env-unknown-session"
        if kind == 4:
            # an environment string is limited to 128 KiB too
            return {b"MAESTRO_SESSION_ID": self.invalid_id()[:1000] or b"{x}"}, {64}, "env-bad-session-id"
        if kind == 5:
            return {b"MAESTRO_PROJECT_ID": r.choice([b"{fz}", b"f z", b"fz/other", b"\xff", b"a" * 200])}, {64}, "env-bad-project"
        return {b"MAESTRO_SESSION_TOKEN": self.world.token.encode()[:-1] + b"\xff"}, {5, 64}, "env-token-bytes"

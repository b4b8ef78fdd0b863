"""Process helpers both Python suites share (Tests/browser and Tests/blackbox): free ports, waiting for a condition,
stopping a process, a clean environment, and private copies of the binaries under test."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, timeout: float, what: str, interval: float = 0.05):
    """Polls `predicate` until it returns something truthy; raises TimeoutError naming `what` otherwise."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except Exception as error:  # noqa: BLE001 - the condition is retried until the deadline
            last_error = error
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}" + (f" (last error: {last_error})" if last_error else ""))


def stop_process(process: subprocess.Popen | None, grace: float = 10.0):
    """SIGTERM, then SIGKILL after `grace` seconds; waits for the exit."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def clean_environment() -> dict[str, str]:
    """The test process's environment without any Maestro variable, so nothing leaks into what we start."""
    return {key: value for key, value in os.environ.items() if not key.startswith("MAESTRO_")}


class Binaries:
    """Copies of maestro-server and maestro (a rebuild in the checkout during the run does not disturb it)."""

    def __init__(self, source_dir: Path, work_dir: Path):
        self.dir = work_dir / "bin"
        self.dir.mkdir(parents=True, exist_ok=True)
        for name in ("maestro-server", "maestro"):
            source = source_dir / name
            if not source.is_file():
                raise FileNotFoundError(
                    f"{source} is missing: build first (swift build), or point MAESTRO_BIN_DIR at the binaries")
            shutil.copy2(source, self.dir / name)
        self.server = self.dir / "maestro-server"
        self.cli = self.dir / "maestro"

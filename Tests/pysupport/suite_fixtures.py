"""What every Python suite's conftest sets up the same way: where its artifacts go (and saying so), and a time limit
per test."""

from __future__ import annotations

import os
import signal
import tempfile
from pathlib import Path

import pytest


def artifacts_dir(variable: str, prefix: str) -> Path:
    """The directory the environment variable `variable` names (made if missing), else a new temporary one."""
    configured = os.environ.get(variable)
    path = Path(configured) if configured else Path(tempfile.mkdtemp(prefix=prefix))
    path.mkdir(parents=True, exist_ok=True)
    return path


def artifacts_fixture(path: Path, header: str, summary: str):
    """The session fixture `artifacts` (the directory `path`) and the hooks that print where it is: "<header>: <path>"
    above the run, "<summary>: <path>" after it. A conftest assigns all three to module names:
    `artifacts, pytest_report_header, pytest_terminal_summary = artifacts_fixture(ARTIFACTS, ..., ...)`."""

    @pytest.fixture(scope="session")
    def artifacts() -> Path:
        return path

    def pytest_report_header(config):
        return f"{header}: {path}"

    def pytest_terminal_summary(terminalreporter):
        terminalreporter.write_line(f"{summary}: {path}")

    return artifacts, pytest_report_header, pytest_terminal_summary


def time_limit_fixture(default_seconds: int):
    """An autouse fixture that fails a test running longer than its limit: `default_seconds`, or what its
    `@pytest.mark.time_limit(seconds)` says. Every wait inside the tests is bounded too; this catches the rest.
    A conftest assigns it to a module name: `time_limit = time_limit_fixture(90)`."""

    @pytest.fixture(autouse=True)
    def time_limit(request):
        marker = request.node.get_closest_marker("time_limit")
        limit = int(marker.args[0]) if marker else default_seconds

        def expired(signum, frame):
            raise TimeoutError(f"{request.node.name} ran longer than {limit} s")

        previous = signal.signal(signal.SIGALRM, expired)
        signal.alarm(limit)
        yield
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)

    return time_limit

"""Fixtures of the black-box "bad input" suites: one redis-server and one maestro-server for the whole run (each
suite works in its own projects), the copied binaries, a time limit per test, and the figures every suite records
(cases run, failures), written to <artifacts>/figures.json at the end of the run.

Environment:
  MAESTRO_BIN_DIR              where maestro-server and maestro are (default: <repo>/.build/debug)
  MAESTRO_BLACKBOX_ARTIFACTS   where logs and figures go (default: a new temporary directory)
"""

from __future__ import annotations

import json
import os
import signal
import tempfile
import threading
from pathlib import Path

import pytest
from hypothesis.configuration import set_hypothesis_home_dir

from blackbox_env import REPO_ROOT, MaestroServer, RedisServer
from maestro_processes import process_fixtures

DEFAULT_TIME_LIMIT_S = 90


def _artifacts_dir() -> Path:
    configured = os.environ.get("MAESTRO_BLACKBOX_ARTIFACTS")
    path = Path(configured) if configured else Path(tempfile.mkdtemp(prefix="maestro-blackbox-artifacts-"))
    path.mkdir(parents=True, exist_ok=True)
    return path


ARTIFACTS = _artifacts_dir()
# Hypothesis (under schemathesis) keeps its files with the artifacts, not in the checkout.
set_hypothesis_home_dir(ARTIFACTS / "hypothesis")


class Figures:
    """Per suite: how many cases ran and how many failed (a case is one request, one CLI run, one abusive
    connection), with a short description of each failure; saved as JSON after every update."""

    def __init__(self, path: Path):
        self.path = path
        self.lock = threading.Lock()
        self.suites: dict[str, dict] = {}

    def _suite(self, suite: str) -> dict:
        return self.suites.setdefault(suite, {"cases": 0, "failed_cases": 0, "failures": 0, "failed": []})

    def case(self, suite: str, failure: str | None = None, key: str | None = None):
        """One case ran; `failure` says what went wrong. Failures with the same `key` (a replay of one failing
        input while it is being minimised, say) count once in `failures`, every time in `failed_cases`."""
        with self.lock:
            entry = self._suite(suite)
            entry["cases"] += 1
            if failure is not None:
                entry["failed_cases"] += 1
                seen = entry.setdefault("_keys", [])
                key = key or failure
                if key not in seen:
                    seen.append(key)
                    entry["failures"] += 1
                    if len(entry["failed"]) < 100:
                        entry["failed"].append(failure[:2000])
            self._save()

    def note(self, suite: str, key: str, value):
        with self.lock:
            self._suite(suite)[key] = value
            self._save()

    def _save(self):
        public = {name: {key: value for key, value in entry.items() if not key.startswith("_")}
                  for name, entry in self.suites.items()}
        self.path.write_text(json.dumps(public, indent=2, sort_keys=True))


FIGURES = Figures(ARTIFACTS / "figures.json")


def pytest_configure(config):
    config.addinivalue_line("markers", "time_limit(seconds): this test's own time limit")


def pytest_report_header(config):
    return f"black-box artifacts (logs, figures): {ARTIFACTS}"


def pytest_terminal_summary(terminalreporter):
    terminalreporter.write_line(f"black-box logs and figures: {ARTIFACTS}")


@pytest.fixture(scope="session")
def figures() -> Figures:
    return FIGURES


@pytest.fixture(scope="session")
def artifacts() -> Path:
    return ARTIFACTS


work_dir, binaries, redis, server = process_fixtures("maestro-blackbox-", REPO_ROOT, RedisServer, MaestroServer)


@pytest.fixture(autouse=True)
def time_limit(request):
    """Fails a test that runs longer than its limit (every wait inside the tests is bounded too)."""
    marker = request.node.get_closest_marker("time_limit")
    limit = int(marker.args[0]) if marker else DEFAULT_TIME_LIMIT_S

    def expired(signum, frame):
        raise TimeoutError(f"{request.node.name} ran longer than {limit} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(limit)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)

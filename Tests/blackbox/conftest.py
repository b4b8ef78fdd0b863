"""Fixtures of the black-box "bad input" suites: one redis-server and one maestro-server for the whole run (each
suite works in its own projects), the copied binaries, a time limit per test, and the figures every suite records
(cases run, failures), written to <artifacts>/figures.json at the end of the run.

Environment:
  MAESTRO_BIN_DIR              where maestro-server and maestro are (default: <repo>/.build/debug)
  MAESTRO_BLACKBOX_ARTIFACTS   where logs and figures go (default: a new temporary directory)
"""

from __future__ import annotations

import pytest

# The CLI fuzzing's world asserts; rewritten, its failures show the values compared, as in a test module.
pytest.register_assert_rewrite("cli_fuzz_world")

from hypothesis.configuration import set_hypothesis_home_dir  # noqa: E402

from blackbox_env import REPO_ROOT, MaestroServer, RedisServer  # noqa: E402
from figures import Figures  # noqa: E402
from maestro_processes import process_fixtures  # noqa: E402
from suite_fixtures import artifacts_dir, artifacts_fixture, time_limit_fixture  # noqa: E402

DEFAULT_TIME_LIMIT_S = 90

ARTIFACTS = artifacts_dir("MAESTRO_BLACKBOX_ARTIFACTS", "maestro-blackbox-artifacts-")
# Hypothesis (under schemathesis) keeps its files with the artifacts, not in the checkout.
set_hypothesis_home_dir(ARTIFACTS / "hypothesis")
FIGURES = Figures(ARTIFACTS / "figures.json")


artifacts, pytest_report_header, pytest_terminal_summary = artifacts_fixture(
    ARTIFACTS, "black-box artifacts (logs, figures)", "black-box logs and figures")


@pytest.fixture(scope="session")
def figures() -> Figures:
    return FIGURES


work_dir, binaries, redis, server = process_fixtures("maestro-blackbox-", REPO_ROOT, RedisServer, MaestroServer)
time_limit = time_limit_fixture(DEFAULT_TIME_LIMIT_S)

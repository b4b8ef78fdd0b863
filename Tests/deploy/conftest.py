"""Fixtures of the deployment checks: `expect`, one check that counts as a case of the "deploy" figures (written to
<artifacts>/figures.json), redis-servers started from deploy/redis's files, and a time limit per test. Uses no
Maestro binary, only redis-server (and nginx, openssl, systemd-analyze, apt-cache when they are around).

Environment:
  MAESTRO_DEPLOY_ARTIFACTS   where the redis-servers' logs and the figures go (default: a new temporary directory)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from configured_redis import ConfiguredRedis
from figures import Figures
from suite_fixtures import artifacts_dir, artifacts_fixture, time_limit_fixture

SUITE = "deploy"
DEFAULT_TIME_LIMIT_S = 90

ARTIFACTS = artifacts_dir("MAESTRO_DEPLOY_ARTIFACTS", "maestro-deploy-artifacts-")
FIGURES = Figures(ARTIFACTS / "figures.json")


artifacts, pytest_report_header, pytest_terminal_summary = artifacts_fixture(
    ARTIFACTS, "deployment checks' artifacts (logs, figures)", "deployment checks' logs and figures")


@pytest.fixture(scope="session")
def figures() -> Figures:
    return FIGURES


time_limit = time_limit_fixture(DEFAULT_TIME_LIMIT_S)


@pytest.fixture
def expect(figures):
    """expect(condition, reason): one check; records a case in the "deploy" figures and fails with the reason."""

    def check(condition, reason: str):
        figures.case(SUITE, None if condition else reason)
        assert condition, reason

    return check


@pytest.fixture
def redis_servers(tmp_path, artifacts):
    """redis_servers(config, name, *overrides, port=, bind=) → a ConfiguredRedis of this test's, stopped after it."""
    started: list[ConfiguredRedis] = []

    def start(config: Path, name: str, *overrides: str, **options) -> ConfiguredRedis:
        instance = ConfiguredRedis(config, tmp_path / name, artifacts, *overrides, **options)
        started.append(instance)
        return instance

    yield start
    for instance in started:
        instance.stop()

"""The fixture of the `maestro mcp` tests: a project of each test's own (mcp_session.Project)."""

from __future__ import annotations

import pytest

# The tool-call helpers assert; rewritten, their failures show the values compared, as in a test module.
pytest.register_assert_rewrite("mcp_session")

from mcp_session import Project  # noqa: E402


@pytest.fixture
def project(server, redis, binaries, artifacts) -> Project:
    return Project(server, redis, binaries, artifacts)

"""Deterministic CLI cases behind the fuzzing's findings: `task queue` all or nothing, usage errors that quote bad
input escaped and cut, and unknown options before the subcommand refused as bad usage."""

from __future__ import annotations

import pytest

from blackbox_env import describe_difference
from cli_fuzz_world import MAX_ARG, Case, World, stderr_problems

ECHO_CASES = {
    "status with a line break": [b"task", b"update", b"fz-0", b"--status", b"work\ning"],
    "status with an escape sequence": [b"task", b"update", b"fz-0", b"--status", b"\x1b[2Jworking"],
    "status of 128 KiB": [b"task", b"update", b"fz-0", b"--status", b"s" * MAX_ARG],
    "unknown option with a line break": [b"task", b"update", b"fz-0", b"--status", b"working", b"--bo\ngus"],
    "unexpected argument with an escape sequence": [b"task", b"update", b"fz-0", b"--status", b"working", b"ex\x1b[31mtra"],
    "unknown command with a line break": [b"task", b"up\ndate"],
    "priority with a line break": [b"task", b"create", b"title", b"--priority", b"lo\nw"],
    # checked by the Redis function, whose message quotes with Lua's %q: a line break stays a line break
    "session task id with a line break": [b"session", b"create", b"--task", b"fz-0\nx"],
    "session task id with an escape sequence": [b"session", b"create", b"--task", b"fz\x1b[31m0"],
}


@pytest.fixture(scope="module")
def quiet_world(binaries, work_dir, artifacts):
    """For the parser's cases: the same with either backend."""
    world = World(binaries, work_dir, artifacts, "redis")
    yield world
    world.stop()


@pytest.fixture(scope="module", params=["redis", "http"])
def world_by_mode(request, binaries, work_dir, artifacts):
    world = World(binaries, work_dir, artifacts, request.param)
    yield world
    world.stop()


def test_queue_is_all_or_nothing(world_by_mode):
    """`maestro task queue A nope B` (nope does not exist) queues neither A nor B and changes nothing (README:
    "all or nothing"), on Redis and over HTTP alike."""
    before = world_by_mode.redis.snapshot()
    code, stdout, stderr, _ = world_by_mode.run(Case("queue", [b"task", b"queue", b"fz-2", b"nope-task", b"fz-3"], {4}))
    progress = {task: world_by_mode.progress(task) for task in ("fz-2", "fz-3")}
    assert code == 4, f"exit {code}: {stderr!r}"
    assert progress == {"fz-2": None, "fz-3": None}, f"queued although the command failed: {progress}"
    after = world_by_mode.redis.snapshot()
    assert after == before, f"Redis changed: {describe_difference(before, after)}"


@pytest.mark.parametrize("name", list(ECHO_CASES))
def test_usage_errors_do_not_echo_raw_input(quiet_world, name):
    """A usage error quotes the bad value escaped and cut (as the id checks already do), so the message stays one
    line and cannot drive the terminal."""
    before = quiet_world.redis.snapshot()
    code, stdout, stderr, _ = quiet_world.run(Case(name, ECHO_CASES[name], {64}))
    assert code == 64, f"exit {code}: {stderr[:300]!r}"
    assert quiet_world.redis.snapshot() == before
    problems = stderr_problems(stderr, code)
    assert not problems, problems


@pytest.mark.parametrize("argv", [[b"--bogus"], [b"--status", b"working", b"task", b"update", b"fz-0"],
                                  [b"task", b"--json", b"list"], [b"-x", b"task", b"show", b"fz-0"]],
                         ids=["maestro --bogus", "maestro --status working task update", "maestro task --json list",
                              "maestro -x task show"])
def test_unknown_option_before_the_subcommand_is_refused(quiet_world, argv):
    """`maestro --bogus` is bad usage (64) like `maestro task update --bogus`, not a successful help (0)."""
    code, stdout, stderr, _ = quiet_world.run(Case("root", argv, {64}))
    assert code == 64, f"exit {code}; stdout {stdout[:120]!r}; stderr {stderr[:200]!r}"
    assert not stderr_problems(stderr, code)

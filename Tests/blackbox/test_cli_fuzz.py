"""CLI argument fuzzing: the real `maestro` binary against a real redis-server (its own, with the function library
loaded by `maestro setup`), as a real session (spawned through POST /api/sessions), run a few hundred times with
random statuses, ids, notes, titles, option orders, unknown options and broken session environments — argv passed
as raw bytes, so invalid UTF-8 reaches the binary as it would from a shell.

Every refused case must:
  - exit with its documented code (2 no session, 3 refused transition or conflict, 4 unknown task or session,
    5 wrong or missing token, 64 bad usage or invalid input) — never 0, never 1 "unexpected failure", never a
    signal, never hang;
  - say why in one `error: ...` line on stderr (maybe after `warning:` lines, maybe followed by the usage lines),
    with no raw control character from the input in it, and print nothing on stdout;
  - change nothing: every key of the Redis database (DUMP of each, TTL presence, XLEN and last id of the streams)
    is the same before and after.
Valid commands are interleaved (a random walk of the state machine, with random valid notes and option orders):
each must exit 0 and leave exactly the status and notes it asked for.

One seeded run (module fixture) feeds four tests, one per property, so one broken property does not hide another.
Notes of 1 MiB cannot be passed: Linux refuses any single argument over 128 KiB (MAX_ARG_STRLEN) before the
binary starts, so the largest note is 131071 bytes, and 1 MiB is spread over eight task ids of `task queue`.

The commands are made by cli_fuzz_cases.py from the values of cli_fuzz_values.py and run in cli_fuzz_world.py's World;
the deterministic cases behind the fuzzing's findings are in test_cli_fuzz_findings.py.
"""

from __future__ import annotations

import time
from collections import Counter

import pytest

from blackbox_env import describe_difference
from cli_fuzz_cases import Generator
from cli_fuzz_world import RUN_TIMEOUT_S, Result, World, stderr_problems

SUITE = "cli-fuzz"
SEED = 4242
REFUSED_CASES = 640
HTTP_REFUSED_CASES = 240
VALID_EVERY = 4  # one valid command after every few refused ones


# --- running ---------------------------------------------------------------------------------------------------------

def _category(problems: list[str], changed: str | None) -> str:
    """What kind of failure, for counting distinct failures: the wrong exit code, the message, Redis changed."""
    kinds = []
    for problem in problems:
        if problem.startswith("exit"):
            kinds.append(problem.split(",")[0])
        elif problem.startswith(("killed", "did not finish")):
            kinds.append(problem.split(" ")[0])
        else:
            kinds.append(problem.split(":")[0].split(" (")[0])
    return ", ".join(sorted(set(kinds + (["Redis changed"] if changed else []))))

@pytest.fixture(scope="module", params=["redis", "http"])
def fuzz_run(request, binaries, work_dir, artifacts, figures):
    """The fuzzing, once with the CLI on Redis and once on the HTTP API (fewer cases: the same generator)."""
    mode = request.param
    world = World(binaries, work_dir, artifacts, mode)
    generator = Generator(world, SEED if mode == "redis" else SEED + 1)
    refused_target = REFUSED_CASES if mode == "redis" else HTTP_REFUSED_CASES
    results: list[Result] = []
    started = time.monotonic()
    try:
        before = world.redis.snapshot()
        refused = 0
        while refused < refused_target:
            if refused % VALID_EVERY == VALID_EVERY - 1 and (not results or not results[-1].case.valid):
                case = generator.next_valid()
            else:
                case = generator.next_refused()
                refused += 1
            code, stdout, stderr, seconds = world.run(case)
            problems, changed = [], None
            if code is None:
                problems.append(f"did not finish within {RUN_TIMEOUT_S} s")
            elif code < 0:
                problems.append(f"killed by signal {-code}")
            elif code not in case.expected:
                problems.append(f"exit {code}, expected {sorted(case.expected)}"
                                + (" (1 is 'unexpected failure')" if code == 1 else ""))
            if case.valid:
                if code == 0:
                    case.after()
                    if case.check:
                        task_id, status, notes = case.check
                        entry = world.progress(task_id)
                        if entry is None or entry["status"] != status or entry.get("notes") != notes:
                            problems.append(f"after exit 0, progress on {task_id} is {entry}, expected status "
                                            f"{status} with notes {notes!r}"[:500])
                after = world.redis.snapshot()
                if code == 0 and after == before:
                    problems.append("exit 0 but nothing changed in Redis")
            else:
                after = world.redis.snapshot()
                if after != before:
                    changed = describe_difference(before, after)
                if code is not None and code > 0:
                    problems += stderr_problems(stderr, code)
                    if stdout:
                        problems.append(f"printed on stdout although refused: {stdout[:200]!r}")
            before = after
            if mode == "http" and world.server.process.poll() is not None:
                problems.append(f"maestro-server died: {world.server.exit_description()}")
            result = Result(case, code, stdout, stderr, seconds, changed, problems)
            results.append(result)
            failure = key = None
            if problems or changed:
                failure = f"[{mode}] {case.label}: {'; '.join(problems + ([f'Redis changed: {changed}'] if changed else []))}"
                key = f"{mode} {case.label.split(':')[0]}: {_category(problems, changed)}"
            figures.case(SUITE, failure, key=key)
        figures.note(SUITE, f"{mode}_refused_cases", sum(1 for r in results if not r.case.valid))
        figures.note(SUITE, f"{mode}_valid_cases", sum(1 for r in results if r.case.valid))
        figures.note(SUITE, f"{mode}_seconds", round(time.monotonic() - started, 1))
        _write_log(results, artifacts, mode)
        yield results
    finally:
        world.stop()


def _write_log(results: list[Result], artifacts, mode: str):
    with open(artifacts / f"cli-fuzz-cases-{mode}.txt", "w") as log:
        for index, result in enumerate(results):
            argv = " ".join(repr(arg[:80]) + (f"…({len(arg)} bytes)" if len(arg) > 80 else "") for arg in result.case.argv)
            env = {key.decode(): (value[:40] if value else value) for key, value in result.case.env.items()}
            log.write(f"#{index} {result.case.label} exit={result.code} expected={sorted(result.case.expected)} "
                      f"{result.seconds * 1000:.0f}ms env={env}\n  maestro {argv}\n")
            if result.stderr:
                log.write(f"  stderr: {result.stderr[:300]!r}\n")
            for problem in result.problems + ([f"Redis changed: {result.changed}"] if result.changed else []):
                log.write(f"  PROBLEM: {problem}\n")


def _report(failing: list[Result], what: str) -> str:
    kinds = Counter(result.case.label.split(":")[0] + ":" + result.case.label.split(":")[1].split("+")[0]
                    for result in failing)
    lines = [f"{len(failing)} cases {what}; by kind: {dict(kinds)}"]
    seen = set()
    for result in failing:
        key = result.case.label
        if key in seen or len(seen) >= 12:
            continue
        seen.add(key)
        argv = [arg[:60] + (b"..." if len(arg) > 60 else b"") for arg in result.case.argv]
        lines.append(f"- {result.case.label}: maestro {argv} env={result.case.env and {k: (v or b'')[:30] for k, v in result.case.env.items()}}"
                     f" → exit {result.code}; stderr {result.stderr[:200]!r}; "
                     + "; ".join(result.problems + ([f"Redis changed: {result.changed}"] if result.changed else [])))
    return "\n".join(lines)


@pytest.mark.time_limit(240)
def test_refusals_exit_with_documented_codes(fuzz_run):
    failing = [r for r in fuzz_run if not r.case.valid and any(
        p.startswith(("exit", "killed", "did not finish")) for p in r.problems)]
    assert not failing, _report(failing, "did not exit with their documented code")


def test_refusals_change_nothing(fuzz_run):
    failing = [r for r in fuzz_run if not r.case.valid and r.changed]
    assert not failing, _report(failing, "changed Redis although refused")


def test_refusals_say_why_in_one_error_line(fuzz_run):
    failing = [r for r in fuzz_run if not r.case.valid and any(
        not p.startswith(("exit", "killed", "did not finish")) for p in r.problems)]
    assert not failing, _report(failing, "did not report a clean one-line error")


def test_valid_commands_interleaved_still_work(fuzz_run):
    valid = [r for r in fuzz_run if r.case.valid]
    assert len(valid) >= HTTP_REFUSED_CASES // VALID_EVERY - 5
    failing = [r for r in valid if r.problems]
    assert not failing, _report(failing, "of valid commands failed")


def test_enough_cases_ran(fuzz_run):
    labels = Counter(r.case.label.split(":")[0] for r in fuzz_run)
    assert len(fuzz_run) >= HTTP_REFUSED_CASES, labels
    for kind in ("update", "transition", "unknown-task", "queue", "create", "session", "read", "root", "env", "valid"):
        assert labels[kind] > 0, f"no {kind} case was generated: {labels}"

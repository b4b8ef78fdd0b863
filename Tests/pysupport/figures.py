"""The figures a suite records besides pass and fail: per group of checks, how many cases ran and how many failed
(a case is one request, one CLI run, one abusive connection, one check of a deployment file), with a short description
of each failure. Saved as JSON after every update, so a run cut short still leaves them.

Printed by the suite scripts:

    python3 Tests/pysupport/figures.py <figures.json> <name>=<label>...

one line per named group, in the order given ("<label>: not run" for a group that recorded nothing)."""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path


class Figures:
    """Cases run and failed per group, written to `path`."""

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


def print_figures(path: str, groups: list[tuple[str, str]]):
    """The figures of `path` for each (name, label) of `groups`: cases run and failures, what else was noted, and the
    first failures."""
    try:
        suites = json.load(open(path))
    except (OSError, ValueError):
        print("figures: none written")
        return
    print("figures:")
    for name, label in groups:
        entry = suites.get(name)
        if entry is None:
            print(f"  {label}: not run")
            continue
        extra = {key: value for key, value in entry.items()
                 if key not in ("cases", "failures", "failed_cases", "failed")}
        line = f"  {label}: {entry['cases']} cases run, {entry['failures']} failures"
        if entry.get("failed_cases", 0) != entry["failures"]:
            line += f" ({entry['failed_cases']} failing cases)"
        if extra:
            line += " — " + ", ".join(f"{key} {value}" for key, value in sorted(extra.items()))
        print(line)
        for failure in entry["failed"][:8]:
            print("      - " + failure.splitlines()[0][:200])


if __name__ == "__main__":
    print_figures(sys.argv[1], [tuple(argument.split("=", 1)) for argument in sys.argv[2:]])

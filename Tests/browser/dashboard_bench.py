"""The dashboard with a large project, measured (not a test; run it with scripts/dashboard-bench).

Seeds 100,000 tasks and 1,000 sessions straight into Redis through the function library, starts maestro-server, opens
the dashboard in headless Chromium and prints, each with its target:

  - time to usable: navigation start → the performance mark `maestro:usable` (the first screen of the list drawn and
    the page taking input again), and the time until every summary is loaded (`maestro:loaded`);
  - one update on screen while `--rate` updates a second stream in for `--seconds`: from the moment each update is
    committed (the millisecond of its event's stream id, Redis's clock) to the moment its row shows it (a
    MutationObserver on the rows' data-version, the clock of the same machine); as the reference in the same run,
    when a bare WebSocket client opened in the same page receives the same event; both and their ratio;
  - the longest main-thread task during that storm (PerformanceObserver 'longtask', which reports tasks over 50 ms;
    the longest gap between animation frames is shown too);
  - JS heap (performance.memory.usedJSHeapSize, Chromium with --enable-precise-memory-info) after loading and after
    the storm;
  - GET /api/export of the whole project: its time and size, and how much the server's memory grows meanwhile.

Environment: MAESTRO_BIN_DIR (default .build/release if it holds both binaries, else .build/debug), CHROMIUM,
CHROMEDRIVER."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

from maestro_env import REPO_ROOT, USER_TOKEN, Binaries, MaestroServer, RedisServer
from export_figures import measure_export
from seeding import Project, RedisPipe, seed_project

PROJECT = "bench"

# Installed before the page's own scripts: long tasks from the start.
OBSERVE_LONG_TASKS = """
window.__longTasks = [];
try {
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.__longTasks.push([entry.startTime, entry.duration]);
  }).observe({ type: 'longtask', buffered: true });
} catch (error) { window.__longTasks = null; }
"""

# Installed just before the storm: rows showing a new version, a bare WebSocket client, frame gaps.
START_STORM_PROBES = """
const done = arguments[arguments.length - 1];
const now = () => performance.timeOrigin + performance.now();
window.__rows = [];
window.__bare = [];
window.__frames = { last: performance.now(), maxGap: 0, running: true };
const observer = new MutationObserver((records) => {
  const at = now();
  for (const record of records) {
    const row = record.target;
    if (row.dataset && row.dataset.version) window.__rows.push([row.dataset.taskId, Number(row.dataset.version), at]);
  }
});
observer.observe(document.getElementById('task-list'), { subtree: true, attributes: true, attributeFilter: ['data-version'] });
window.__rowObserver = observer;
const frame = () => {
  const t = performance.now();
  window.__frames.maxGap = Math.max(window.__frames.maxGap, t - window.__frames.last);
  window.__frames.last = t;
  if (window.__frames.running) requestAnimationFrame(frame);
};
requestAnimationFrame(frame);
(async () => {
  const token = localStorage.getItem('maestro.token');
  const response = await fetch('/api/stream-tickets?projectId=' + encodeURIComponent(arguments[0]),
    { method: 'POST', headers: { Authorization: 'Bearer ' + token } });
  const { ticket } = await response.json();
  const url = new URL('/ws', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  url.search = '?projectId=' + encodeURIComponent(arguments[0]) + '&ticket=' + encodeURIComponent(ticket);
  const socket = new WebSocket(url);
  window.__bareSocket = socket;
  socket.onmessage = (message) => {
    const at = now();
    const event = JSON.parse(message.data);
    if (event.type === 'task:session_status') window.__bare.push([event.payload.taskId, Number(event.payload.version), at]);
  };
  socket.onopen = () => done(performance.now());
  socket.onerror = () => done(null);
})();
"""

STOP_STORM_PROBES = """
window.__rowObserver.disconnect();
window.__bareSocket.close();
window.__frames.running = false;
return JSON.stringify({ rows: window.__rows, bare: window.__bare, maxFrameGap: window.__frames.maxGap,
  longTasks: window.__longTasks });
"""

HEAP = """
const used = () => performance.memory ? performance.memory.usedJSHeapSize : null;
const before = used();
if (window.gc) { window.gc(); }
return [before, used(), Boolean(window.gc)];
"""


def say(text: str):
    print(f"dashboard-bench: {text}", file=sys.stderr, flush=True)


def load_average() -> str:
    try:
        return " ".join(f"{value:.1f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def binaries_dir() -> Path:
    configured = os.environ.get("MAESTRO_BIN_DIR")
    if configured:
        return Path(configured)
    release = REPO_ROOT / ".build" / "release"
    if all((release / name).is_file() for name in ("maestro-server", "maestro")):
        return release
    return REPO_ROOT / ".build" / "debug"


def chromium(width: int, height: int) -> webdriver.Chrome:
    options = Options()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--disable-extensions", "--no-first-run", "--lang=en-US", f"--window-size={width},{height}",
                     "--enable-precise-memory-info", "--js-flags=--expose-gc"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(30)
    return driver


def wait_for(predicate, timeout: float, what: str, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")


def mark(driver, name: str):
    entries = driver.execute_script("return performance.getEntriesByName(arguments[0]).map(e => e.startTime);", name)
    return entries[0] if entries else None


class Storm(threading.Thread):
    """Writes `rate` progress updates a second for `seconds`, in batches every 10 ms, through the function library;
    `screen` (task, session, token) get `needs_input` again with a new question, the others `working` with a new note.
    Records, for the updates of tasks on screen, (task id, version, commit time in ms)."""

    def __init__(self, port: int, project: str, screen, others, rate: int, seconds: float, screen_share: float):
        super().__init__(daemon=True)
        self.port, self.project, self.screen, self.others = port, project, screen, others
        self.rate, self.seconds, self.screen_share = rate, seconds, screen_share
        self.committed: list[tuple[str, int, int]] = []
        self.written = 0
        self.late_batches = 0
        self.error: Exception | None = None

    def run(self):
        try:
            self.write()
        except Exception as error:  # noqa: BLE001 - reported by the main thread
            self.error = error

    def write(self):
        tick = 0.01
        per_tick = self.rate * tick
        with RedisPipe(self.port) as pipe:
            library = Project(pipe, self.project)
            start = time.monotonic()
            owed = 0.0
            screen_owed = 0.0
            n = 0
            ticks = int(self.seconds / tick)
            for index in range(ticks):
                target = start + index * tick
                delay = target - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                elif delay < -tick:
                    self.late_batches += 1
                owed += per_tick
                count = int(owed)
                owed -= count
                screen_owed += count * self.screen_share
                commands, kinds = [], []
                for _ in range(count):
                    n += 1
                    if screen_owed >= 1:
                        screen_owed -= 1
                        task, session, token = self.screen[n % len(self.screen)]
                        commands.append(library.update_progress(task, session, token, "needs_input",
                                                                f"Question {n}: A or B?"))
                        kinds.append(task)
                    else:
                        task, session, token = self.others[n % len(self.others)]
                        commands.append(library.update_progress(task, session, token, "working", f"step {n}"))
                        kinds.append(None)
                if not commands:
                    continue
                for reply, task in zip(pipe.pipeline(commands), kinds):
                    self.written += 1
                    if task is not None:
                        body = json.loads(reply)
                        committed_ms = int(body["eventIds"][0].split("-")[0])
                        self.committed.append((task, int(body["version"]), committed_ms))


def shown_times(records):
    """task id → sorted [(version, time)] of the times a row (or a client) showed at least that version."""
    by_task: dict[str, list[tuple[int, float]]] = {}
    for task, version, at in records:
        by_task.setdefault(task, []).append((version, at))
    for entries in by_task.values():
        entries.sort(key=lambda entry: entry[1])
    return by_task


def first_at_least(entries, version: int):
    for seen, at in entries or ():
        if seen >= version:
            return at
    return None


def latencies(committed, records):
    by_task = shown_times(records)
    values, missing = [], 0
    for task, version, committed_ms in committed:
        at = first_at_least(by_task.get(task), version)
        if at is None:
            missing += 1
        else:
            values.append(at - committed_ms)
    return values, missing


def percentile(values, fraction: float):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


def run(args) -> int:
    bin_dir = binaries_dir()
    say(f"binaries: {bin_dir}" + (" (debug build: the server is slower than a release build)"
                                  if bin_dir.name == "debug" else ""))
    work = Path(tempfile.mkdtemp(prefix="maestro-dashboard-bench-"))
    binaries = Binaries(bin_dir, work)
    redis = RedisServer(work, work)
    server = MaestroServer(binaries, redis, work, work).start()
    driver = None
    rows: list[tuple[str, str, str, bool]] = []
    load_at_start = load_average()
    try:
        started = time.monotonic()
        with RedisPipe(redis.port) as pipe:
            seeded = seed_project(Project(pipe, PROJECT), args.tasks, sessions=args.sessions,
                                  needs_input=args.needs_input, blocked=args.blocked, progress=say)
        say(f"seeded {args.tasks:,} tasks and {args.sessions:,} sessions in {time.monotonic() - started:.0f} s")

        driver = chromium(1280, 900)
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": OBSERVE_LONG_TASKS})
        driver.get(f"{server.base_url}/?project={PROJECT}#token={USER_TOKEN}&/tasks")
        usable = wait_for(lambda: mark(driver, "maestro:usable"), 60, "the first screen (maestro:usable)")
        first_rows = driver.execute_script("return document.querySelectorAll('#task-list > li').length;")
        loaded = wait_for(lambda: mark(driver, "maestro:loaded"), 300, "every summary (maestro:loaded)", 0.2)
        held = driver.execute_script("return window.maestroDashboard.store.tasks.size;")
        say(f"usable after {usable:.0f} ms ({first_rows} rows on the first screen); {held:,} summaries after "
            f"{loaded / 1000:.1f} s")
        time.sleep(1)
        heap_loaded = driver.execute_script(HEAP)

        # The rows on screen now: their tasks get the on-screen updates.
        on_screen = driver.execute_script("""
            return [...document.querySelectorAll('#task-list > li')].filter((row) => {
              const box = row.getBoundingClientRect();
              return box.top >= 0 && box.bottom <= window.innerHeight;
            }).map((row) => row.dataset.taskId);""")
        asking = {link.task_id: link for link in seeded.with_status("needs_input")}
        screen = [(tid, asking[tid].session_id, asking[tid].token) for tid in on_screen if tid in asking]
        others = [(link.task_id, link.session_id, link.token) for link in seeded.with_status("working")]
        if not screen:
            raise RuntimeError(f"no task needing input on the first screen (rows: {on_screen})")
        probes_at = driver.execute_async_script(START_STORM_PROBES, PROJECT)
        if probes_at is None:
            raise RuntimeError("the bare WebSocket client could not connect")
        storm_start = driver.execute_script("return performance.now();")
        storm = Storm(redis.port, PROJECT, screen, others, args.rate, args.seconds, args.screen_share)
        storm.start()
        storm.join(args.seconds + 60)
        if storm.error:
            raise storm.error
        time.sleep(2)  # the last events reach the page
        storm_end = driver.execute_script("return performance.now();")
        probes = json.loads(driver.execute_script(STOP_STORM_PROBES))
        heap_storm = driver.execute_script(HEAP)

        app, app_missing = latencies(storm.committed, probes["rows"])
        bare, bare_missing = latencies(storm.committed, probes["bare"])
        long_tasks = probes["longTasks"]
        storm_long = [duration for start, duration in (long_tasks or []) if storm_start <= start <= storm_end]
        longest = max(storm_long) if storm_long else None

        mb = 1024 * 1024
        achieved = storm.written / args.seconds
        export = measure_export(server, PROJECT)
        say(f"export: {export.bytes / mb:.0f} MB in {export.seconds:.1f} s, server RSS "
            f"{export.rss_before / 1024:.0f} → peak {export.rss_peak / 1024:.0f} MiB")
        rows = [
            ("time to usable (navigation → first screen)", f"{usable:.0f} ms", "≤ 1500 ms", usable <= 1500),
            (f"all {held:,} summaries loaded", f"{loaded / 1000:.1f} s", "(reported)", None),
            (f"update on screen, p95 ({len(app)} updates)", f"{percentile(app, 0.95):.0f} ms", "≤ 100 ms",
             percentile(app, 0.95) <= 100),
            ("update on screen, median", f"{statistics.median(app):.0f} ms" if app else "n/a", "(reported)", None),
            ("bare WebSocket client, p95 (reference)", f"{percentile(bare, 0.95):.0f} ms", "(reference)", None),
            ("bare WebSocket client, median (reference)", f"{statistics.median(bare):.0f} ms" if bare else "n/a",
             "(reference)", None),
            ("ratio dashboard / bare client, p95", f"{percentile(app, 0.95) / max(percentile(bare, 0.95), 1):.2f}",
             "(reported)", None),
            ("ratio dashboard / bare client, median",
             f"{statistics.median(app) / max(statistics.median(bare), 1):.2f}" if app and bare else "n/a",
             "(reported)", None),
            ("longest main-thread task during the storm",
             "none over 50 ms" if longest is None else f"{longest:.0f} ms", "≤ 50 ms",
             (longest is None or longest <= 50) if long_tasks is not None else None),
            ("longest gap between frames during the storm", f"{probes['maxFrameGap']:.0f} ms", "(reported)", None),
            ("JS heap after loading", f"{heap_loaded[0] / mb:.1f} MB", "≤ 150 MB", heap_loaded[0] <= 150 * mb),
            ("JS heap after the storm", f"{heap_storm[0] / mb:.1f} MB", "≤ 150 MB", heap_storm[0] <= 150 * mb),
            (f"GET /api/export, the whole project ({export.bytes / mb:.0f} MB)", f"{export.seconds:.1f} s",
             "(reported)", None),
            ("server memory growth while streaming it", f"{export.growth_mib:.0f} MiB", "≤ 64 MiB",
             export.growth_mib <= 64),
        ]
        print()
        print(f"Dashboard with {args.tasks:,} tasks and {args.sessions:,} sessions; storm: {achieved:.0f} updates/s "
              f"for {args.seconds:g} s ({len(storm.committed)} on the {len(screen)} tasks on screen); "
              f"binaries: {bin_dir}")
        width = max(len(row[0]) for row in rows)
        print(f"{'measure':<{width}}  {'value':>16}  {'target':>10}  result")
        for name, value, target, met in rows:
            verdict = "" if met is None else ("met" if met else "MISSED")
            print(f"{name:<{width}}  {value:>16}  {target:>10}  {verdict}")
        notes = []
        if app_missing or bare_missing:
            notes.append(f"updates never seen: {app_missing} by the rows, {bare_missing} by the bare client")
        if heap_loaded[2]:
            notes.append(f"heap after a forced GC: {heap_loaded[1] / mb:.1f} MB after loading, "
                         f"{heap_storm[1] / mb:.1f} MB after the storm")
        if storm.late_batches:
            notes.append(f"the writer fell behind its schedule {storm.late_batches} times")
        if long_tasks is None:
            notes.append("this browser reports no long tasks")
        for note in notes:
            print(f"note: {note}")
        print(f"note: load average {load_at_start} at the start, {load_average()} at the end "
              f"({os.cpu_count()} cores): other work on the machine slows every figure")
        print(f"total run time {time.monotonic() - started:.0f} s (seeding included)")
        return 0 if all(met is not False for *_, met in rows) else 1
    finally:
        if driver:
            driver.quit()
        server.stop()
        redis.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--sessions", type=int, default=1_000)
    parser.add_argument("--needs-input", type=int, default=60, help="sessions asking a question (top of the list)")
    parser.add_argument("--blocked", type=int, default=40)
    parser.add_argument("--rate", type=int, default=500, help="updates a second during the storm")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--screen-share", type=float, default=0.1,
                        help="the share of the updates that go to the tasks on screen")
    return run(parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())

"""GET /api/export of a whole project, measured: how long it takes and how much the server's resident memory grows
meanwhile (a streamed export holds one page at a time, never the project)."""
from __future__ import annotations

import threading
import time
import urllib.request

from maestro_env import USER_TOKEN


class ExportFigures:
    def __init__(self, seconds: float, size: int, rss_before: int, rss_peak: int):
        self.seconds, self.bytes, self.rss_before, self.rss_peak = seconds, size, rss_before, rss_peak

    @property
    def growth_mib(self) -> float:
        return max(0, self.rss_peak - self.rss_before) / 1024


def resident_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def measure_export(server, project: str) -> ExportFigures:
    """Streams GET /api/export of `project` and samples the server's resident memory every 20 ms meanwhile."""
    pid = server.process.pid
    before = resident_kib(pid)
    peak = [before]
    done = threading.Event()

    def sample():
        while not done.wait(0.02):
            peak[0] = max(peak[0], resident_kib(pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    request = urllib.request.Request(f"{server.base_url}/api/export?projectId={project}",
                                     headers={"Authorization": f"Bearer {USER_TOKEN}"})
    started = time.monotonic()
    size = 0
    with urllib.request.urlopen(request, timeout=600) as response:
        while chunk := response.read(1 << 16):
            size += len(chunk)
    seconds = time.monotonic() - started
    done.set()
    sampler.join()
    return ExportFigures(seconds, size, before, peak[0])

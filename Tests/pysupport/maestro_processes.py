"""Process helpers both Python suites share (Tests/browser and Tests/blackbox): free ports, waiting for a condition,
stopping a process, a clean environment, and private copies of the binaries under test."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

DASHBOARD_DIR = Path(__file__).resolve().parents[2] / "Dashboard"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, timeout: float, what: str, interval: float = 0.05):
    """Polls `predicate` until it returns something truthy; raises TimeoutError naming `what` otherwise."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except Exception as error:  # noqa: BLE001 - the condition is retried until the deadline
            last_error = error
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}" + (f" (last error: {last_error})" if last_error else ""))


def stop_process(process: subprocess.Popen | None, grace: float = 10.0):
    """SIGTERM, then SIGKILL after `grace` seconds; waits for the exit."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def clean_environment() -> dict[str, str]:
    """The test process's environment without any Maestro variable, so nothing leaks into what we start."""
    return {key: value for key, value in os.environ.items() if not key.startswith("MAESTRO_")}


class Binaries:
    """Copies of maestro-server and maestro (a rebuild in the checkout during the run does not disturb it)."""

    def __init__(self, source_dir: Path, work_dir: Path):
        self.dir = work_dir / "bin"
        self.dir.mkdir(parents=True, exist_ok=True)
        for name in ("maestro-server", "maestro"):
            source = source_dir / name
            if not source.is_file():
                raise FileNotFoundError(
                    f"{source} is missing: build first (swift build), or point MAESTRO_BIN_DIR at the binaries")
            shutil.copy2(source, self.dir / name)
        self.server = self.dir / "maestro-server"
        self.cli = self.dir / "maestro"


class RedisProcess:
    """A private redis-server without persistence on a free port; subclasses say how to talk to it (`ping`)."""

    def __init__(self, work_dir: Path, log_dir: Path, name: str = "redis"):
        self.dir = work_dir / f"{name}-{time.monotonic_ns()}"
        self.dir.mkdir(parents=True)
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}"
        self.log = open(log_dir / f"{name}-{self.port}.log", "wb")
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.dir), "--maxmemory-policy", "noeviction"],
            stdout=self.log, stderr=subprocess.STDOUT, env=clean_environment())
        wait_until(self.ping, 10, f"redis-server on port {self.port}")

    def ping(self) -> bool:
        raise NotImplementedError

    def stop(self):
        stop_process(self.process, grace=5)
        self.log.close()


class MaestroServer:
    """maestro-server against a Redis (anything with a `url`), with the given user token and the Dashboard/ of this
    checkout; can be stopped and started again on the same port. Its first start asks for any free port (`--port 0`)
    and reads the one it got from the server's log, so no other process can take the port between picking and
    binding."""

    LISTENING = re.compile(rb"listening on 127\.0\.0\.1:(\d+)")

    def __init__(self, binaries: Binaries, redis, work_dir: Path, log_dir: Path, user_token: str, tls=None,
                 extra_args=(), extra_env=None):
        """`tls` (a tls_material.CertificateAuthority) serves HTTPS and WSS with its server certificate; `extra_args`
        and `extra_env` go to every start."""
        self.extra_args = list(extra_args)
        self.extra_env = dict(extra_env or {})
        self.binaries = binaries
        self.redis = redis
        self.user_token = user_token
        self.tls = tls
        self.port: int | None = None  # known once started
        # Each server gets a directory and a log of its own (a port comes free again when an earlier server stops).
        work_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir = Path(tempfile.mkdtemp(prefix="server-", dir=work_dir))
        self.log_path = log_dir / f"maestro-{self.data_dir.name}.log"
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        if self.port is None:
            raise RuntimeError("maestro-server has not started yet: its port is not known")
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def start(self):
        env = clean_environment()
        env.update({"MAESTRO_REDIS_URL": self.redis.url, "MAESTRO_USER_TOKEN": self.user_token, "LOG_LEVEL": "info"})
        env.update(self.extra_env)
        log = open(self.log_path, "ab")
        log_start = log.tell()
        args = [str(self.binaries.server), "--host", "127.0.0.1", "--port", str(self.port or 0),
                "--data-dir", str(self.data_dir)]
        if DASHBOARD_DIR.is_dir():
            args += ["--dashboard-dir", str(DASHBOARD_DIR)]
        if self.tls:
            args += ["--tls-cert", str(self.tls.server_cert), "--tls-key", str(self.tls.server_key)]
        args += self.extra_args
        self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env)
        log.close()

        def ready():
            if self.process.poll() is not None:
                raise RuntimeError(f"maestro-server exited with {self.process.returncode}; see {self.log_path}")
            if self.port is None:
                with open(self.log_path, "rb") as written:
                    written.seek(log_start)
                    match = self.LISTENING.search(written.read())
                if match is None:
                    return False
                self.port = int(match.group(1))
            with urllib.request.urlopen(f"{self.base_url}/readyz", timeout=2, context=self.ssl_context()) as response:
                return response.status == 200

        wait_until(ready, 30, f"maestro-server ({self.log_path.name}) to be ready", interval=0.1)
        return self

    def alive(self) -> bool:
        """The process is running and answers /healthz with 200."""
        if self.process is None or self.process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=5, context=self.ssl_context()) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def ssl_context(self):
        """What a client needs to trust this server (None over plain HTTP)."""
        return self.tls.client_context() if self.tls else None

    def exit_description(self) -> str:
        if self.process is None:
            return "not started"
        code = self.process.poll()
        if code is None:
            return "running but not answering /healthz"
        return f"exited with {code}" + (f" (signal {-code})" if code < 0 else "") + f"; see {self.log_path}"

    def stop(self):
        stop_process(self.process)
        self.process = None

    def restart(self):
        self.stop()
        return self.start()


def webhook_delivery_args(allow_private: bool = True, retry_schedule: str = "300ms,300ms,300ms",
                          lease_s: float | None = None, timeout_s: float | None = None,
                          delivering: bool = True) -> list[str]:
    """maestro-server arguments for a server that delivers webhooks in a test: a retry schedule of moments instead of
    a day, receivers on 127.0.0.1 allowed (`allow_private`), and with `lease_s` a short lease, so a killed server's
    deliveries are taken over within seconds (the request timeout then defaults to half of it: a lease must outlast
    it); `timeout_s` a request timeout of its own; `delivering=False` turns delivery off (`--no-webhook-delivery`)."""
    args = ["--webhook-retry-schedule", retry_schedule] + ([] if delivering else ["--no-webhook-delivery"])
    if allow_private:
        args.append("--allow-private-webhook-targets")
    if lease_s is not None:
        args += ["--webhook-lease", str(lease_s)]
        timeout_s = timeout_s or max(1, lease_s / 2)
    if timeout_s is not None:
        args += ["--webhook-timeout", str(timeout_s)]
    return args


def process_fixtures(prefix: str, repo_root: Path, redis_server, maestro_server):
    """The session fixtures both suites use — a work directory, copies of the binaries (from MAESTRO_BIN_DIR,
    else the checkout's .build/debug), a redis-server and a maestro-server — built from the suite's own Redis and
    server classes. A conftest assigns them to module names: `work_dir, binaries, redis, server = ...`."""
    import shutil as _shutil
    import tempfile

    import pytest

    @pytest.fixture(scope="session")
    def work_dir():
        path = Path(tempfile.mkdtemp(prefix=prefix))
        yield path
        _shutil.rmtree(path, ignore_errors=True)

    @pytest.fixture(scope="session")
    def binaries(work_dir) -> Binaries:
        source = Path(os.environ.get("MAESTRO_BIN_DIR") or repo_root / ".build" / "debug")
        return Binaries(source, work_dir)

    @pytest.fixture(scope="session")
    def redis(work_dir, artifacts):
        instance = redis_server(work_dir, artifacts)
        yield instance
        instance.stop()

    @pytest.fixture(scope="session")
    def server(binaries, redis, work_dir, artifacts):
        instance = maestro_server(binaries, redis, work_dir, artifacts).start()
        yield instance
        instance.stop()

    return work_dir, binaries, redis, server

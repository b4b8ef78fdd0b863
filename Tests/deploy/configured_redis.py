"""redis-servers started from deploy/redis's configuration files, and a reader of those files."""

from __future__ import annotations

import subprocess
from pathlib import Path

from deploy_files import placeholder_password
from maestro_processes import clean_environment, free_port, stop_process, wait_until
from redis_client import RedisConnection, RedisError


class ConfiguredRedis:
    """redis-server started from one of deploy/redis's files, with what only a test changes given on the command line
    (port, bind, dir, aclfile, ...); the rest comes from the file."""

    def __init__(
        self,
        config: Path,
        work_dir: Path,
        log_dir: Path,
        *overrides: str,
        port: int | None = None,
        bind: str = "127.0.0.1",
    ):
        self.port = port or free_port()
        self.dir = work_dir
        self.dir.mkdir(parents=True, exist_ok=True)
        self.log_path = log_dir / f"deploy-redis-{self.port}.log"
        self.args = [
            "redis-server",
            str(config),
            "--port",
            str(self.port),
            "--bind",
            *bind.split(),
            "--dir",
            str(self.dir),
            "--daemonize",
            "no",
            "--logfile",
            "",
            *overrides,
        ]
        self.process = None
        self.start()

    def start(self):
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(self.args, stdout=log, stderr=subprocess.STDOUT, env=clean_environment())
        wait_until(
            self._answers, 15, f"redis-server {' '.join(self.args[1:2])} on port {self.port} (log: {self.log_path})"
        )

    def _answers(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError(
                f"redis-server exited with {self.process.returncode}: {self.log_path.read_text()[-2000:]}"
            )
        connection = RedisConnection(self.port, timeout=2)
        try:
            connection("PING")
            return True
        except RedisError as error:  # NOAUTH: up, and refusing anonymous clients as it should
            return "NOAUTH" in str(error)
        finally:
            connection.close()

    def login(self, user: str, password: str | None = None) -> RedisConnection:
        connection = RedisConnection(self.port)
        connection("AUTH", user, password or placeholder_password(user))
        return connection

    def config(self, connection: RedisConnection, name: str) -> str | None:
        reply = connection("CONFIG", "GET", name)
        return reply[1].decode() if reply else None

    def stop(self):
        stop_process(self.process, grace=10)


def config_directives(path: Path) -> list[tuple[str, str]]:
    """(directive, arguments) of a redis.conf, in order."""
    directives = []
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, rest = line.partition(" ")
            directives.append((name.lower(), rest.strip()))
    return directives

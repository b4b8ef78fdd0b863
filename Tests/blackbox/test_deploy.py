"""The deployment files of deploy/ (issue 9, item 5), checked as far as this machine can without Docker, Kubernetes or
network: the Redis configurations run in real redis-servers (settings, users, AOF restart, a two-node cluster that
replicates with the maestro-replica login), render-acl.sh and the image's health check run for real, every YAML file
is parsed and cross-checked (and validated against the Kubernetes and Compose schemas when those packages are
installed), the systemd units go through `systemd-analyze verify`, the Dockerfile through a small parser, and the
nginx configuration through nginx itself when an nginx binary is around.

Facts are taken from the sources, not restated: the environment variables maestro-server and the CLI read are parsed
from Sources/, its flags from MaestroServerCommand.swift. Each check counts as one case of the "deploy" figures.
Uses no Maestro binary (none of conftest's binary or server fixtures), only redis-server.

Environment: NGINX  an nginx binary for the proxy checks (default: `nginx` on PATH, /usr/sbin/nginx)."""

from __future__ import annotations

import base64
import hashlib
import http.server
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from blackbox_env import REPO_ROOT, RedisConnection, RedisError
from maestro_processes import clean_environment, free_port, stop_process, wait_until

DEPLOY = REPO_ROOT / "deploy"
K8S = DEPLOY / "k8s"
SUITE = "deploy"
ROLES = {"all", "api", "relay"}
# Flags the deployment files use that maestro-server gains on main in this same issue (`--role all|api|relay`). Once
# MaestroServerCommand.swift declares them they are simply found there; until then they are accepted from this list.
PENDING_FLAGS: set[str] = set()
CONTAINER_PORT = 8080


# --- Facts from the sources -----------------------------------------------------------------------------------------


def _sources(*folders: str) -> str:
    return "\n".join(path.read_text() for folder in folders for path in sorted((REPO_ROOT / folder).glob("*.swift")))


SERVER_ENV = set(
    re.findall(r'environment\["([A-Z_]+)"\]', _sources("Sources/MaestroServerMain", "Sources/MaestroServer"))
)
CLI_ENV = set(re.findall(r'"(MAESTRO_[A-Z_]+)"', _sources("Sources/MaestroCLI")))


def _server_flags() -> set[str]:
    source = (REPO_ROOT / "Sources/MaestroServerMain/MaestroServerCommand.swift").read_text()
    flags = set()
    for match in re.finditer(r"@(?:Option|Flag)\b(.*?)\bvar (\w+)", source, re.S):
        custom = re.search(r'customLong\("([^"]+)"\)', match.group(1))
        flags.add("--" + (custom.group(1) if custom else re.sub(r"(?<!^)([A-Z])", r"-\1", match.group(2)).lower()))
    return flags


SERVER_FLAGS = _server_flags()
ACL_LINES = [line.split() for line in (DEPLOY / "users.acl").read_text().splitlines() if line.strip()]
ACL_USERS = [words[1] for words in ACL_LINES]
PLACEHOLDER_ROLES = sorted({m for words in ACL_LINES for w in words for m in re.findall(r"^>change-me-([a-z]+)$", w)})


def placeholder_password(user: str) -> str:
    return "change-me-" + user.removeprefix("maestro-")


@pytest.fixture
def expect(figures):
    """expect(condition, reason): one check; records a case in the "deploy" figures and fails with the reason."""

    def check(condition, reason: str):
        figures.case(SUITE, None if condition else reason)
        assert condition, reason

    return check


def test_the_sources_still_say_what_these_checks_rely_on(expect):
    for name in ("MAESTRO_REDIS_URL", "MAESTRO_USER_TOKEN", "MAESTRO_DASHBOARD_DIR", "MAESTRO_DATA_DIR", "LOG_LEVEL"):
        expect(name in SERVER_ENV, f"maestro-server no longer reads {name} (found {sorted(SERVER_ENV)})")
    expect({"--host", "--port"} <= SERVER_FLAGS, f"maestro-server flags parsed from the source: {sorted(SERVER_FLAGS)}")
    expect("MAESTRO_REDIS_URL" in CLI_ENV, f"the CLI's variables parsed from the source: {sorted(CLI_ENV)}")
    expect(
        ACL_USERS[0] == "default" and "off" in ACL_LINES[0],
        f"users.acl must turn the default user off first, has {' '.join(ACL_LINES[0])}",
    )


# --- Redis, run for real --------------------------------------------------------------------------------------------


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


@pytest.fixture
def redis_servers(tmp_path, artifacts):
    started: list[ConfiguredRedis] = []

    def start(config: Path, name: str, *overrides: str, **options) -> ConfiguredRedis:
        instance = ConfiguredRedis(config, tmp_path / name, artifacts, *overrides, **options)
        started.append(instance)
        return instance

    yield start
    for instance in started:
        instance.stop()


def config_directives(path: Path) -> list[tuple[str, str]]:
    """(directive, arguments) of a redis.conf, in order."""
    directives = []
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, rest = line.partition(" ")
            directives.append((name.lower(), rest.strip()))
    return directives


def test_production_redis_config_file(expect):
    directives = config_directives(DEPLOY / "redis/maestro.conf")
    names = [name for name, _ in directives]
    duplicates = sorted(
        {name for name in names if names.count(name) > 1 and name not in ("client-output-buffer-limit",)}
    )
    expect(not duplicates, f"maestro.conf sets {duplicates} twice (the last one silently wins)")
    values = dict(directives)
    expect(
        values.get("aclfile", "").startswith("/"),
        "aclfile must be an absolute path (redis-server's working directory is not the repository): "
        f"{values.get('aclfile')}",
    )
    expect(values.get("save") == '""', f'RDB snapshots must be off (save ""), found save {values.get("save")}')
    bind = values.get("bind", "").split()
    expect(
        bind and not {"*", "0.0.0.0", "::", "-::*"} & set(bind),
        f"the shipped bind must not listen on every interface: bind {' '.join(bind)}",
    )
    include = [rest for name, rest in directives if name == "include"]
    expect(not include, f"the base file includes nothing (maestro-cluster.conf includes it): include {include}")


def test_production_redis_config_runs(redis_servers, tmp_path, expect):
    redis = redis_servers(DEPLOY / "redis/maestro.conf", "single", "--aclfile", str(DEPLOY / "users.acl"))
    anonymous = RedisConnection(redis.port)
    try:
        anonymous("PING")
        expect(False, "an anonymous client could run PING: the default user must be off")
    except RedisError as error:
        expect("NOAUTH" in str(error), f"an anonymous PING must be refused with NOAUTH, got {error}")
    finally:
        anonymous.close()
    admin = redis.login("maestro-admin")
    expected = {
        "appendonly": "yes",
        "appendfsync": ("everysec", "always"),
        "maxmemory-policy": "noeviction",
        "save": "",
        "protected-mode": "yes",
        "aof-use-rdb-preamble": "yes",
        "appenddirname": "appendonlydir",
        "timeout": "0",
        "masteruser": "maestro-replica",
        "enable-debug-command": "no",
        "enable-module-command": "no",
        "enable-protected-configs": "no",
        "aclfile": str(DEPLOY / "users.acl"),
        "no-appendfsync-on-rewrite": "no",
    }
    for name, wanted in expected.items():
        value = redis.config(admin, name)
        allowed = wanted if isinstance(wanted, tuple) else (wanted,)
        expect(
            value in allowed,
            f"CONFIG GET {name} is {value!r}, the production file should make it {' or '.join(allowed)}",
        )
    persistence = admin("INFO", "persistence").decode()
    expect("aof_enabled:1" in persistence, "INFO persistence does not report aof_enabled:1")

    users = sorted(entry.decode().split()[1] for entry in admin("ACL", "LIST"))
    expect(users == sorted(ACL_USERS), f"ACL LIST has {users}, users.acl defines {sorted(ACL_USERS)}")
    for user in ACL_USERS[1:]:
        connection = redis.login(user)
        expect(connection("PING") == "PONG", f"{user} cannot PING after logging in with its placeholder password")
        connection.close()
    replica = redis.login("maestro-replica")
    for command in (("GET", "mae:{p}:seq"), ("FCALL_RO", "maestro_version", "0"), ("CONFIG", "GET", "dir")):
        try:
            replica(*command)
            expect(False, f"maestro-replica may run {command[0]}: it should only PING, REPLCONF and PSYNC")
        except RedisError as error:
            expect("NOPERM" in str(error), f"maestro-replica's {command[0]} refused, but not by the ACL: {error}")
    replica.close()

    # What is acknowledged survives a restart through the AOF alone; no dump.rdb ever appears.
    admin("SET", "mae:{deploy}:probe", "kept")
    try:
        admin("SHUTDOWN")
    except RedisError as error:  # it closes the connection instead of answering
        expect("connection closed" in str(error), f"SHUTDOWN failed: {error}")
    redis.process.wait(timeout=10)
    expect(
        not (redis.dir / "dump.rdb").exists(), "a dump.rdb appeared: the production file must not write RDB snapshots"
    )
    aof_files = sorted(path.name for path in (redis.dir / "appendonlydir").glob("*"))
    expect(any(name.endswith(".manifest") for name in aof_files), f"no AOF manifest in appendonlydir: {aof_files}")
    redis.start()
    admin = redis.login("maestro-admin")
    expect(
        admin("GET", "mae:{deploy}:probe") == b"kept", "a key written before SHUTDOWN is gone after the restart (AOF)"
    )
    admin.close()


def _non_loopback_ipv4() -> str | None:
    try:
        output = subprocess.run(["hostname", "-I"], capture_output=True, text=True, timeout=5).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return None
    return next(
        (
            address
            for address in output
            if re.fullmatch(r"\d+\.\d+\.\d+\.\d+", address) and not address.startswith("127.")
        ),
        None,
    )


def test_protected_mode_lets_maestro_users_in_from_another_address(redis_servers, expect):
    address = _non_loopback_ipv4()
    if address is None:
        pytest.skip("this machine has no non-loopback IPv4 address to connect from")
    redis = redis_servers(
        DEPLOY / "redis/maestro.conf", "remote", "--aclfile", str(DEPLOY / "users.acl"), bind=f"127.0.0.1 {address}"
    )
    connection = RedisConnection(redis.port, timeout=5, host=address)
    try:
        try:
            connection("PING")
            expect(False, f"an anonymous client from {address} could PING")
        except RedisError as error:
            expect("NOAUTH" in str(error), f"an anonymous client from {address} got {error}, expected NOAUTH")
        connection("AUTH", "maestro-relay", placeholder_password("maestro-relay"))
        expect(
            connection("PING") == "PONG",
            f"maestro-relay from {address} is refused: protected mode must not lock out logged-in users",
        )
    finally:
        connection.close()


def test_cluster_config(redis_servers, tmp_path, expect):
    source = DEPLOY / "redis/maestro-cluster.conf"
    directives = config_directives(source)
    expect(
        directives and directives[0] == ("include", "/etc/redis/maestro.conf"),
        f"maestro-cluster.conf must start by including /etc/redis/maestro.conf, starts with {directives[:1]}",
    )
    # The installed path points at the repository's base file here; nothing else changes.
    copy = tmp_path / "maestro-cluster.conf"
    copy.write_text(
        source.read_text().replace("include /etc/redis/maestro.conf", f"include {DEPLOY / 'redis/maestro.conf'}", 1)
    )

    bus_ports = [free_port(), free_port()]
    # Diskless sync normally waits 5 s for more replicas to join: not worth waiting for in a test.
    nodes = [
        redis_servers(
            copy,
            f"node{index}",
            "--aclfile",
            str(DEPLOY / "users.acl"),
            "--cluster-port",
            str(bus_ports[index]),
            "--repl-diskless-sync-delay",
            "0",
        )
        for index in (0, 1)
    ]
    admins = [node.login("maestro-admin") for node in nodes]
    primary, replica = admins
    expect("cluster_enabled:1" in primary("INFO", "cluster").decode(), "INFO cluster does not say cluster_enabled:1")
    expected = {
        "cluster-require-full-coverage": "no",
        "cluster-allow-pubsubshard-when-down": "yes",
        "cluster-allow-reads-when-down": "no",
        "cluster-node-timeout": "5000",
        "cluster-config-file": "nodes.conf",
        # From the included base file:
        "appendonly": "yes",
        "maxmemory-policy": "noeviction",
        "save": "",
        "masteruser": "maestro-replica",
    }
    for name, wanted in expected.items():
        value = nodes[0].config(primary, name)
        expect(value == wanted, f"cluster node: CONFIG GET {name} is {value!r}, expected {wanted!r}")

    # A primary with every slot and a replica that logs in as maestro-replica (masterauth from the base file).
    primary("CLUSTER", "ADDSLOTSRANGE", "0", "16383")
    primary_id = primary("CLUSTER", "MYID").decode()
    primary("CLUSTER", "MEET", "127.0.0.1", str(nodes[1].port), str(bus_ports[1]))
    wait_until(lambda: primary_id.encode() in replica("CLUSTER", "NODES"), 20, "the second node to meet the first")
    replica("CLUSTER", "REPLICATE", primary_id)
    for node, name in ((primary, "primary"), (replica, "replica")):
        wait_until(lambda: b"cluster_state:ok" in node("CLUSTER", "INFO"), 20, f"cluster_state:ok on the {name}")
    primary("SET", "mae:{deploy}:probe", "replicated")
    primary(
        "FUNCTION", "LOAD", "#!lua name=deployprobe\nredis.register_function('deployprobe', function() return 1 end)"
    )
    try:
        wait_until(
            lambda: "master_link_status:up" in replica("INFO", "replication").decode(),
            30,
            "the replica's link to its primary (masteruser maestro-replica)",
        )
        linked = True
    except TimeoutError:
        linked = False
    expect(
        linked,
        "the cluster replica never replicated: maestro-replica's login or permissions do not suffice "
        f"(see {nodes[1].log_path})",
    )
    reader = nodes[1].login("maestro-admin")
    reader("READONLY")
    wait_until(lambda: reader("GET", "mae:{deploy}:probe") == b"replicated", 10, "the key on the replica")
    try:
        wait_until(
            lambda: "deployprobe" in json.dumps(_decode(replica("FUNCTION", "LIST"))), 10, "the function library"
        )
        functions_replicated = True
    except TimeoutError:
        functions_replicated = False
    expect(functions_replicated, "a function library loaded on the primary did not reach its replica")
    reader.close()


def _decode(value):
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    if isinstance(value, list):
        return [_decode(item) for item in value]
    return value


def _render_acl(tmp_path: Path, passwords: dict[str, str], name: str = "users.acl"):
    output = tmp_path / name
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **passwords}
    result = subprocess.run(
        ["sh", str(DEPLOY / "redis/render-acl.sh"), str(DEPLOY / "users.acl"), str(output)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=30,
    )
    return result, output


def test_render_acl(redis_servers, tmp_path, expect):
    passwords = {
        f"REDIS_{role.upper()}_PASSWORD": hashlib.sha256(role.encode()).hexdigest()[:32] for role in PLACEHOLDER_ROLES
    }
    expect(
        sorted(PLACEHOLDER_ROLES) == sorted(user.removeprefix("maestro-") for user in ACL_USERS[1:]),
        f"every Maestro user in users.acl has a change-me placeholder password: roles {PLACEHOLDER_ROLES}",
    )
    result, output = _render_acl(tmp_path, passwords)
    expect(result.returncode == 0, f"render-acl.sh failed: {result.stderr}")
    text = output.read_text()
    expect(
        "change-me" not in text and ">" not in text,
        "the rendered ACL still holds a placeholder or a clear-text password",
    )
    expect(
        oct(output.stat().st_mode & 0o777) == "0o600",
        f"the rendered ACL is mode {oct(output.stat().st_mode & 0o777)}, not 0600",
    )
    for role in PLACEHOLDER_ROLES:
        digest = hashlib.sha256(passwords[f"REDIS_{role.upper()}_PASSWORD"].encode()).hexdigest()
        expect(
            f"user maestro-{role} on #{digest} " in text,
            f"maestro-{role}'s line does not carry the SHA-256 of its password",
        )
    redis = redis_servers(DEPLOY / "redis/maestro.conf", "rendered", "--aclfile", str(output))
    server = redis.login("maestro-server", passwords["REDIS_SERVER_PASSWORD"])
    expect(server("PING") == "PONG", "maestro-server cannot log in with the password render-acl.sh was given")
    try:
        redis.login("maestro-server")
        expect(False, "the placeholder password still works after rendering")
    except RedisError as error:
        expect("WRONGPASS" in str(error), f"the placeholder password was refused oddly: {error}")

    refusals = {
        "a missing password": (
            {k: v for k, v in passwords.items() if k != "REDIS_AGENT_PASSWORD"},
            "REDIS_AGENT_PASSWORD",
        ),
        "a placeholder password": ({**passwords, "REDIS_RELAY_PASSWORD": "change-me-relay-but-longer"}, "placeholder"),
        "a short password": ({**passwords, "REDIS_ADMIN_PASSWORD": "short"}, "shorter than 16"),
    }
    for index, (case, (environment, message)) in enumerate(refusals.items()):
        result, output = _render_acl(tmp_path, environment, f"refused-{index}.acl")
        expect(
            result.returncode != 0 and message in result.stderr and not output.exists(),
            f"render-acl.sh with {case}: exit {result.returncode}, stderr {result.stderr!r}, wrote {output.exists()}",
        )


# --- Compose -----------------------------------------------------------------------------------------------------


def _compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def _command(value) -> list[str]:
    return value if isinstance(value, list) else shlex.split(value or "")


def _flag(command: list[str], name: str) -> str | None:
    for index, word in enumerate(command):
        if word == name and index + 1 < len(command):
            return command[index + 1]
        if word.startswith(name + "="):
            return word.split("=", 1)[1]
    return None


def _check_server_command(expect, where: str, command: list[str], role: str, port: int | None = None):
    expect(command[:1] == ["maestro-server"], f"{where} does not run maestro-server: {command}")
    expect(_flag(command, "--role") == role, f"{where} must run `--role {role}`, runs {command}")
    flags = {word.split("=")[0] for word in command[1:] if word.startswith("--")}
    unknown = flags - SERVER_FLAGS - PENDING_FLAGS
    expect(
        not unknown, f"{where} passes {sorted(unknown)}, which maestro-server does not have ({sorted(SERVER_FLAGS)})"
    )
    if port is not None:
        expect(_flag(command, "--port") == str(port), f"{where} must listen on port {port}: {command}")


def _url(url: str):
    """A redis:// URL split, with compose's ${...} and Kubernetes' $(...) references standing in for the password."""
    return urlsplit(re.sub(r"\$\{[^}]*\}|\$\([A-Z_]+\)", "secret", url))


def _redis_user(url: str) -> str | None:
    return _url(url).username


def _env(service: dict) -> dict[str, str]:
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    return {key: str(value) for key, value in environment.items()}


def test_compose_file(expect):
    compose = _compose()
    services = compose.get("services", {})
    servers = {name: s for name, s in services.items() if _command(s.get("command"))[:1] == ["maestro-server"]}
    relays = sorted(name for name, s in servers.items() if _flag(_command(s.get("command")), "--role") == "relay")
    apis = sorted(name for name, s in servers.items() if _flag(_command(s.get("command")), "--role") == "api")
    expect(apis == ["api"], f"compose must have one API service `api` running --role api, has {apis}")
    expect(len(relays) >= 2, f"compose must have two relay services (--role relay), has {relays}")
    expect({"redis", "setup", "proxy"} <= set(services), f"compose services: {sorted(services)}")

    users = {"api": "maestro-server", **{relay: "maestro-relay" for relay in relays}}
    for name, service in servers.items():
        command = _command(service.get("command"))
        _check_server_command(
            expect, f"compose service {name}", command, "relay" if name in relays else "api", CONTAINER_PORT
        )
        expect(_flag(command, "--host") == "0.0.0.0", f"compose service {name} must listen on 0.0.0.0 in its container")
        environment = _env(service)
        unknown = set(environment) - SERVER_ENV
        expect(not unknown, f"compose service {name} sets {sorted(unknown)}, which maestro-server never reads")
        for required in ("MAESTRO_REDIS_URL", "MAESTRO_USER_TOKEN"):
            expect(required in environment, f"compose service {name} lacks {required}")
        url = environment.get("MAESTRO_REDIS_URL", "")
        expect(
            _redis_user(url) == users[name],
            f"compose service {name} logs in to Redis as {_redis_user(url)}, not {users[name]}",
        )
        expect(
            _url(url).hostname == "redis" and (_url(url).port or 6379) == 6379,
            f"compose service {name} points at {url}, not the redis service on 6379",
        )
        expect("${" in url.split("@")[0], f"compose service {name} has a literal password in MAESTRO_REDIS_URL")
        test = service.get("healthcheck", {}).get("test", [])
        expect(
            test[:2] == ["CMD", "maestro-healthcheck"]
            and test[2:3] == [str(CONTAINER_PORT)]
            and test[3:4] in (["/readyz"], ["/healthz"]),
            f"compose service {name}'s healthcheck: {test}",
        )
        depends = service.get("depends_on", {})
        expect(
            depends.get("setup", {}).get("condition") == "service_completed_successfully",
            f"compose service {name} must start after `setup` completed, depends_on {depends}",
        )
        expect(
            service.get("build", {}).get("dockerfile") == "deploy/docker/Dockerfile"
            and (DEPLOY / service["build"].get("context", ".") / service["build"]["dockerfile"]).resolve().is_file(),
            f"compose service {name} must build deploy/docker/Dockerfile from the repository root: "
            f"{service.get('build')}",
        )

    setup = services.get("setup", {})
    expect(
        _command(setup.get("command")) == ["maestro", "setup"], f"setup runs {setup.get('command')}, not maestro setup"
    )
    expect(
        _redis_user(_env(setup).get("MAESTRO_REDIS_URL", "")) == "maestro-admin", "setup must log in as maestro-admin"
    )
    expect(set(_env(setup)) <= CLI_ENV, f"setup sets {sorted(set(_env(setup)) - CLI_ENV)}, which the CLI never reads")
    expect(setup.get("restart") == "no", 'setup is a one-shot service: restart must be "no"')
    expect(
        setup.get("depends_on", {}).get("redis", {}).get("condition") == "service_healthy",
        f"setup must wait for a healthy redis, depends_on {setup.get('depends_on')}",
    )

    redis = services.get("redis", {})
    mounts = {
        volume.split(":")[1]: volume.split(":")[0] for volume in redis.get("volumes", []) if volume.startswith("./")
    }
    for target, source in mounts.items():
        expect((DEPLOY / source).is_file(), f"compose mounts {source} into redis, which does not exist in deploy/")
    sources_by_name = {Path(source).name: target for target, source in mounts.items()}
    entry = " ".join(_command(redis.get("entrypoint")))
    for name in ("maestro.conf", "users.acl", "render-acl.sh"):
        expect(
            name in sources_by_name and sources_by_name[name] in entry,
            f"redis must mount deploy's {name} and use it in its entrypoint ({entry})",
        )
    for role in PLACEHOLDER_ROLES:
        expect(
            f"REDIS_{role.upper()}_PASSWORD" in _env(redis), f"redis's environment lacks REDIS_{role.upper()}_PASSWORD"
        )
    expect("--aclfile" in entry and "--dir /data" in entry, f"redis's entrypoint must set aclfile and dir: {entry}")

    proxy = services.get("proxy", {})
    for volume in proxy.get("volumes", []):
        expect(
            (DEPLOY / volume.split(":")[0]).is_file(), f"compose mounts {volume.split(':')[0]} into the proxy: missing"
        )
    expect({"api", *relays} <= set(proxy.get("depends_on", {})), "the proxy must wait for api and the relays")
    upstreams = nginx_upstreams((DEPLOY / "nginx/compose.conf").read_text())
    expect(
        upstreams.get("maestro_api") == [f"api:{CONTAINER_PORT}"],
        f"nginx compose.conf's maestro_api is {upstreams.get('maestro_api')}",
    )
    expect(
        sorted(upstreams.get("maestro_relay", [])) == [f"{relay}:{CONTAINER_PORT}" for relay in relays],
        f"nginx compose.conf's maestro_relay is {upstreams.get('maestro_relay')}, the relays are {relays}",
    )

    raw = (DEPLOY / "compose.yaml").read_text()
    used = set(re.findall(r"\$\{([A-Z_]+)", raw))
    example = env_file(DEPLOY / "compose.env.example")
    expect(used == set(example), f"compose uses {sorted(used)}; compose.env.example defines {sorted(example)}")
    expect(
        all(value.startswith("change-me") for key, value in example.items() if "PASSWORD" in key or "TOKEN" in key),
        "compose.env.example must hold placeholders only",
    )
    ignored = (REPO_ROOT / ".gitignore").read_text().split()
    expect("/deploy/.env" in ignored, "deploy/.env (the filled-in secrets) is not in .gitignore")


def test_compose_matches_the_compose_specification(expect):
    try:
        import jsonschema
        from importlib import resources

        schema = json.loads(
            (resources.files("check_jsonschema.builtin_schemas.vendor") / "compose-spec.json").read_text()
        )
    except (ImportError, FileNotFoundError, ModuleNotFoundError) as error:
        pytest.skip(f"the Compose specification's schema is not installed (pip install check-jsonschema): {error}")
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(_compose())]
    expect(not errors, f"compose.yaml does not match the Compose specification: {errors[:5]}")


def env_file(path: Path) -> dict[str, str]:
    pairs = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            pairs[key.strip()] = value.strip()
    return pairs


# --- Kubernetes -----------------------------------------------------------------------------------------------------


def _manifests() -> list[tuple[str, dict]]:
    documents = []
    for path in sorted(K8S.glob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text()):
            if document is not None:
                documents.append((path.name, document))
    return documents


def _labels_match(selector: dict, labels: dict) -> bool:
    return bool(selector) and all(labels.get(key) == value for key, value in selector.items())


def _containers(workload: dict) -> list[dict]:
    spec = workload["spec"]["template"]["spec"]
    return spec.get("initContainers", []) + spec.get("containers", [])


def _check_env(expect, where: str, container: dict, readable: set[str], config_maps: dict[str, dict]):
    names = [item["name"] for item in container.get("env", [])]
    for index, item in enumerate(container.get("env", [])):
        for reference in re.findall(r"\$\(([A-Z_]+)\)", item.get("value", "")):
            expect(reference in names[:index], f"{where}: {item['name']} uses $({reference}) before it is defined")
    referenced = {
        ref for item in container.get("env", []) for ref in re.findall(r"\$\(([A-Z_]+)\)", item.get("value", ""))
    }
    unknown = set(names) - readable - referenced
    expect(not unknown, f"{where} sets {sorted(unknown)}, which it never reads (and no other variable uses)")
    for source in container.get("envFrom", []):
        name = source.get("configMapRef", {}).get("name")
        expect(name in config_maps, f"{where} loads ConfigMap {name}, which no manifest defines")
        unknown = set(config_maps.get(name, {}).get("data", {})) - readable
        expect(not unknown, f"{where} loads {sorted(unknown)} from ConfigMap {name}, which it never reads")


def test_kubernetes_manifests(expect):
    documents = _manifests()
    by_kind: dict[str, list[dict]] = {}
    for _, document in documents:
        by_kind.setdefault(document.get("kind"), []).append(document)
    for kind, count in (
        ("Namespace", 1),
        ("ConfigMap", 2),
        ("Secret", 1),
        ("StatefulSet", 1),
        ("Service", 3),
        ("Deployment", 2),
        ("PodDisruptionBudget", 2),
        ("Job", 1),
        ("Ingress", 1),
    ):
        expect(
            len(by_kind.get(kind, [])) >= count,
            f"deploy/k8s has {len(by_kind.get(kind, []))} {kind}, expected {count}+",
        )

    kustomization = next((d for _, d in documents if d.get("kind") == "Kustomization"), {})
    listed = set(kustomization.get("resources", []))
    files = {path.name for path in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    expect(
        listed == files - {"secret.example.yaml"},
        f"kustomization.yaml lists {sorted(listed)}; it should list every manifest but the Secret template "
        f"({sorted(files)})",
    )

    secret = by_kind["Secret"][0]
    expect(
        all(str(value).startswith("change-me") for value in secret.get("stringData", {}).values())
        and not secret.get("data"),
        "the Secret template must hold change-me placeholders only",
    )
    secret_keys = set(secret.get("stringData", {}))
    config_maps = {d["metadata"]["name"]: d for d in by_kind["ConfigMap"]}
    workloads = by_kind["Deployment"] + by_kind["StatefulSet"] + by_kind["Job"]
    for workload in workloads:
        for container in _containers(workload):
            for item in container.get("env", []):
                ref = item.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    expect(
                        ref.get("name") == secret["metadata"]["name"] and ref.get("key") in secret_keys,
                        f"{workload['metadata']['name']} reads secret key {ref} that the template does not define",
                    )
    namespaces = {
        d["metadata"].get("namespace") for _, d in documents if d.get("kind") not in ("Namespace", "Kustomization")
    }
    expect(namespaces == {by_kind["Namespace"][0]["metadata"]["name"]}, f"manifests use namespaces {namespaces}")

    redis_config = config_maps.get("maestro-redis", {}).get("data", {})
    for key, path in (
        ("maestro.conf", "redis/maestro.conf"),
        ("users.acl", "users.acl"),
        ("render-acl.sh", "redis/render-acl.sh"),
    ):
        expect(
            redis_config.get(key) == (DEPLOY / path).read_text(),
            f"ConfigMap maestro-redis's {key} differs from deploy/{path}: paste the file into configmap.yaml again",
        )

    services = {d["metadata"]["name"]: d for d in by_kind["Service"]}
    redis_service = next((s for s in services.values() if any(p.get("port") == 6379 for p in s["spec"]["ports"])), None)
    expect(redis_service is not None, "no Service exposes Redis on 6379")
    roles = {}
    for deployment in by_kind["Deployment"]:
        name = deployment["metadata"]["name"]
        template = deployment["spec"]["template"]
        expect(
            _labels_match(deployment["spec"]["selector"]["matchLabels"], template["metadata"]["labels"]),
            f"Deployment {name}'s selector does not match its pod labels",
        )
        container = template["spec"]["containers"][0]
        command = container.get("command", []) + container.get("args", [])
        role = _flag(command, "--role")
        roles[role] = deployment
        ports = {p.get("name"): p["containerPort"] for p in container.get("ports", [])}
        expect(role in ("api", "relay"), f"Deployment {name} must run --role api or --role relay: {command}")
        _check_server_command(expect, f"Deployment {name}", command, role, ports.get("http"))
        expect(_flag(command, "--host") == "0.0.0.0", f"Deployment {name} must listen on 0.0.0.0")
        for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
            get = container.get(probe, {}).get("httpGet", {})
            expect(get.get("path") == path, f"Deployment {name}'s {probe} must GET {path}, gets {get.get('path')}")
            expect(
                get.get("port") in ports or get.get("port") in ports.values(),
                f"Deployment {name}'s {probe} port {get.get('port')} is not one of its container ports {ports}",
            )
        resources = container.get("resources", {})
        expect(
            {"cpu", "memory"} <= set(resources.get("requests", {})) and "memory" in resources.get("limits", {}),
            f"Deployment {name} must request cpu and memory and limit memory: {resources}",
        )
        security = {**template["spec"].get("securityContext", {}), **container.get("securityContext", {})}
        expect(
            security.get("runAsNonRoot") is True and security.get("runAsUser", 0) != 0,
            f"Deployment {name} must run as a non-root user: {security}",
        )
        _check_env(expect, f"Deployment {name}", container, SERVER_ENV, config_maps)
        url = next(
            (item.get("value", "") for item in container.get("env", []) if item["name"] == "MAESTRO_REDIS_URL"), ""
        )
        wanted_user = {"api": "maestro-server", "relay": "maestro-relay"}.get(role)
        expect(
            _redis_user(url) == wanted_user,
            f"Deployment {name} logs in to Redis as {_redis_user(url)}, not {wanted_user}",
        )
        expect(
            redis_service and _url(url).hostname == redis_service["metadata"]["name"] and _url(url).port == 6379,
            f"Deployment {name}'s MAESTRO_REDIS_URL {url} does not name the Redis Service",
        )
        expect(
            "MAESTRO_USER_TOKEN" in {item["name"] for item in container.get("env", [])},
            f"Deployment {name} lacks MAESTRO_USER_TOKEN (api and relays must share it)",
        )
        pdbs = [
            p
            for p in by_kind["PodDisruptionBudget"]
            if _labels_match(p["spec"]["selector"]["matchLabels"], template["metadata"]["labels"])
        ]
        expect(
            len(pdbs) == 1 and pdbs[0]["spec"].get("minAvailable", 0) < deployment["spec"]["replicas"],
            f"Deployment {name} needs one PodDisruptionBudget with minAvailable below its "
            f"{deployment['spec']['replicas']} replicas",
        )
    expect(
        set(roles) == {"api", "relay"}, f"the Deployments run roles {sorted(map(str, roles))}, expected api and relay"
    )

    workload_pods = [
        (w["metadata"]["name"], w["spec"]["template"]) for w in by_kind["Deployment"] + by_kind["StatefulSet"]
    ]
    service_roles = {}
    for name, service in services.items():
        matches = [
            (workload, template)
            for workload, template in workload_pods
            if _labels_match(service["spec"].get("selector", {}), template["metadata"]["labels"])
        ]
        expect(len(matches) == 1, f"Service {name} selects {[m[0] for m in matches]}, expected exactly one workload")
        if len(matches) != 1:
            continue
        ports = {
            p.get("name"): p["containerPort"] for c in matches[0][1]["spec"]["containers"] for p in c.get("ports", [])
        }
        for port in service["spec"]["ports"]:
            target = port.get("targetPort", port["port"])
            expect(
                target in ports or target in ports.values(),
                f"Service {name} targets port {target}; the pods have {ports}",
            )
        for role, deployment in roles.items():
            if deployment["metadata"]["name"] == matches[0][0]:
                service_roles[role] = name
    relay_service = services.get(service_roles.get("relay"), {})
    expect(
        relay_service.get("spec", {}).get("sessionAffinity", "None") == "None",
        "the relay Service must not use session affinity (clients resume on any relay)",
    )

    routes = {}
    for ingress in by_kind["Ingress"]:
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                backend = path["backend"]["service"]
                service = services.get(backend["name"])
                expect(
                    service is not None,
                    f"Ingress {ingress['metadata']['name']} routes {path['path']} to missing Service {backend['name']}",
                )
                port = backend["port"].get("name", backend["port"].get("number"))
                expect(
                    service and any(port in (p.get("name"), p["port"]) for p in service["spec"]["ports"]),
                    f"Ingress routes {path['path']} to port {port}, which Service {backend['name']} does not have",
                )
                routes[path["path"]] = backend["name"]
    for path, role in (("/", "api"), ("/ws", "relay"), ("/events", "relay")):
        expect(
            routes.get(path) == service_roles.get(role),
            f"the Ingress must send {path} to the {role} Service ({service_roles.get(role)}), "
            f"sends it to {routes.get(path)}",
        )

    job = by_kind["Job"][0]
    container = job["spec"]["template"]["spec"]["containers"][0]
    expect(
        container.get("command") == ["maestro", "setup"], f"the Job runs {container.get('command')}, not maestro setup"
    )
    _check_env(expect, "the setup Job", container, CLI_ENV, config_maps)
    url = next((item.get("value", "") for item in container.get("env", []) if item["name"] == "MAESTRO_REDIS_URL"), "")
    expect(_redis_user(url) == "maestro-admin", f"the setup Job logs in as {_redis_user(url)}, not maestro-admin")

    statefulset = by_kind["StatefulSet"][0]
    redis = statefulset["spec"]["template"]["spec"]["containers"][0]
    init = statefulset["spec"]["template"]["spec"].get("initContainers", [{}])[0]
    rendered = init.get("command", [])[-1:]
    expect(
        rendered and _flag(redis.get("command", []), "--aclfile") == rendered[0],
        f"Redis must load the ACL its init container renders ({rendered}), "
        f"loads {_flag(redis.get('command', []), '--aclfile')}",
    )
    init_env = {item["name"] for item in init.get("env", [])}
    expect(
        {f"REDIS_{role.upper()}_PASSWORD" for role in PLACEHOLDER_ROLES} <= init_env,
        f"the render-acl init container lacks passwords: has {sorted(init_env)}",
    )
    expect(
        redis.get("readinessProbe") and redis.get("livenessProbe"),
        "the Redis container needs readiness and liveness probes",
    )


def test_kubernetes_manifests_match_the_kubernetes_schemas(expect):
    try:
        import kubernetes_validate
    except ImportError as error:
        pytest.skip(f"kubernetes-validate is not installed (pip install kubernetes-validate): {error}")
    version = "1.30.0"  # the oldest Kubernetes these manifests are written for
    try:
        kubernetes_validate.validate({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "probe"}}, version)
    except kubernetes_validate.SchemaNotFoundError:
        version = kubernetes_validate.latest_version()  # a newer kubernetes-validate that dropped 1.30's schemas
    for name, document in _manifests():
        if document.get("kind") == "Kustomization":
            continue
        try:
            kubernetes_validate.validate(document, version, strict=True)
            problem = None
        except kubernetes_validate.ValidationError as error:
            problem = str(error).splitlines()[0]
        expect(
            problem is None,
            f"{name}: {document.get('kind')} {document['metadata'].get('name')} is not valid "
            f"Kubernetes {version}: {problem}",
        )


# --- systemd ------------------------------------------------------------------------------------------------------


def unit_file(path: Path) -> dict[str, dict[str, list[str]]]:
    """Sections → key → values (a key may repeat), as systemd reads a unit."""
    sections: dict[str, dict[str, list[str]]] = {}
    current = None
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        key, separator, value = line.partition("=")
        assert current is not None and separator, f"{path.name}: not a unit file line: {line}"
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


UNITS = {"maestro-server.service": ("api", "maestro-server"), "maestro-relay.service": ("relay", "maestro-relay")}


def test_systemd_units(expect):
    ports = {}
    for name, (role, redis_user) in UNITS.items():
        unit = unit_file(DEPLOY / "systemd" / name)
        service = unit.get("Service", {})
        exec_start = service.get("ExecStart", [])
        expect(len(exec_start) == 1, f"{name} must have one ExecStart, has {exec_start}")
        command = shlex.split(exec_start[0]) if exec_start else []
        expect(
            command[:1] == ["/usr/local/bin/maestro-server"],
            f"{name} runs {command[:1]}, not /usr/local/bin/maestro-server",
        )
        _check_server_command(expect, name, ["maestro-server", *command[1:]], role)
        ports[name] = _flag(command, "--port")
        expect(
            service.get("Restart", [""])[-1] in ("always", "on-failure"),
            f"{name} must restart: Restart={service.get('Restart')}",
        )
        user = service.get("User", ["root"])[-1]
        expect(user not in ("root", "0", ""), f"{name} must run as an unprivileged user, runs as {user}")
        expect(
            unit.get("Install", {}).get("WantedBy") == ["multi-user.target"],
            f"{name} must be WantedBy=multi-user.target",
        )
        environment = {pair.split("=", 1)[0] for value in service.get("Environment", []) for pair in shlex.split(value)}
        expect(
            environment <= SERVER_ENV,
            f"{name} sets {sorted(environment - SERVER_ENV)}, which maestro-server never reads",
        )
        env_files = service.get("EnvironmentFile", [])
        expect(len(env_files) == 1, f"{name} must read one EnvironmentFile, reads {env_files}")
        example = DEPLOY / "systemd" / (Path(env_files[0].lstrip("-")).name + ".example") if env_files else None
        expect(
            example is not None and example.is_file(),
            f"{name}'s EnvironmentFile has no template {example} in deploy/systemd",
        )
        if example and example.is_file():
            variables = env_file(example)
            expect(
                set(variables) <= SERVER_ENV, f"{example.name} sets {sorted(set(variables) - SERVER_ENV)}, never read"
            )
            expect(
                {"MAESTRO_REDIS_URL", "MAESTRO_USER_TOKEN"} <= set(variables),
                f"{example.name} lacks the Redis URL or the token",
            )
            expect(
                _redis_user(variables.get("MAESTRO_REDIS_URL", "")) == redis_user,
                f"{example.name} logs in to Redis as {_redis_user(variables.get('MAESTRO_REDIS_URL', ''))}, "
                f"not {redis_user}",
            )
            secrets = [
                variables.get("MAESTRO_USER_TOKEN", ""),
                urlsplit(variables.get("MAESTRO_REDIS_URL", "")).password or "",
            ]
            expect(
                all(secret.startswith("change-me") for secret in secrets), f"{example.name} must hold placeholders only"
            )
    expect(len(set(ports.values())) == len(ports), f"the units listen on the same port: {ports}")
    upstreams = nginx_upstreams((DEPLOY / "nginx/maestro-site.conf").read_text())
    expect(
        upstreams.get("maestro_api") == [f"127.0.0.1:{ports['maestro-server.service']}"]
        and upstreams.get("maestro_relay") == [f"127.0.0.1:{ports['maestro-relay.service']}"],
        f"nginx maestro-site.conf's upstreams {upstreams} do not match the units' ports {ports}",
    )


def test_systemd_units_pass_systemd_analyze_verify(tmp_path, expect):
    analyze = shutil.which("systemd-analyze")
    system_units = next(
        (path for path in (Path("/usr/lib/systemd/system"), Path("/lib/systemd/system")) if path.is_dir()), None
    )
    if analyze is None or system_units is None:
        pytest.skip("systemd-analyze (or the system's units) is not installed here")
    # A scratch root with the system's units and a stand-in executable at the units' ExecStart path, so that only
    # what is wrong with our units is reported.
    root = tmp_path / "root"
    shutil.copytree(system_units, root / "usr/lib/systemd/system", symlinks=True)
    binary = root / "usr/local/bin/maestro-server"
    binary.parent.mkdir(parents=True)
    binary.write_text("#!/bin/sh\n")
    binary.chmod(0o755)
    (root / "etc/systemd/system").mkdir(parents=True)
    for name in UNITS:
        shutil.copy(DEPLOY / "systemd" / name, root / "etc/systemd/system" / name)
    for name in UNITS:
        result = subprocess.run(
            [analyze, "verify", "--man=no", f"--root={root}", name], capture_output=True, text=True, timeout=60
        )
        complaints = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
        expect(
            result.returncode == 0 and not complaints,
            f"systemd-analyze verify {name}: exit {result.returncode}: {complaints}",
        )


# --- Dockerfile and the image's health check ----------------------------------------------------------------------


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    instructions, pending = [], ""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#") or (not stripped and not pending):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        instruction, _, arguments = (pending + stripped).partition(" ")
        instructions.append((instruction.upper(), " ".join(arguments.split())))
        pending = ""
    return instructions


def test_dockerfile(expect):
    instructions = dockerfile_instructions((DEPLOY / "docker/Dockerfile").read_text())
    stages: list[list[tuple[str, str]]] = []
    preamble = []
    for instruction, arguments in instructions:
        if instruction == "FROM":
            stages.append([(instruction, arguments)])
        elif stages:
            stages[-1].append((instruction, arguments))
        else:
            preamble.append((instruction, arguments))
    expect(len(stages) >= 2, f"the Dockerfile must be a multi-stage build, has {len(stages)} stage(s)")
    build, runtime = stages[0], stages[-1]
    arguments = dict(
        argument.split("=", 1) for instruction, argument in preamble if instruction == "ARG" and "=" in argument
    )
    version = arguments.get("SWIFT_VERSION", "")
    base = build[0][1].replace("${SWIFT_VERSION}", version)
    expect(
        re.fullmatch(r"swift:6\.\d+(\.\d+)?-bookworm AS build", base, re.I) is not None,
        f"the build stage must be FROM swift:6.x-bookworm AS build, is FROM {base}",
    )
    tools = re.search(r"swift-tools-version:\s*(\d+)\.(\d+)", (REPO_ROOT / "Package.swift").read_text())
    expect(
        tools and tuple(map(int, version.split(".")[:2])) >= (int(tools.group(1)), int(tools.group(2))),
        f"SWIFT_VERSION {version} is older than Package.swift's swift-tools-version",
    )
    runs = " ".join(arguments for instruction, arguments in build if instruction == "RUN")
    for product in ("maestro-server", "maestro"):
        expect(
            re.search(rf"swift build -c release --static-swift-stdlib --product {product}(\s|$)", runs) is not None,
            f"the build stage must run `swift build -c release --static-swift-stdlib --product {product}`",
        )
    expect("libhiredis-dev" in runs, "the build stage must install libhiredis-dev")

    expect(runtime[0][1] == "debian:bookworm-slim AS runtime", f"the runtime stage is FROM {runtime[0][1]}")
    runtime_runs = " ".join(arguments for instruction, arguments in runtime if instruction == "RUN")
    expect(
        "libhiredis0.14" in runtime_runs.split(), "the runtime stage must install libhiredis0.14 (Debian 12's hiredis)"
    )
    users = [arguments for instruction, arguments in runtime if instruction == "USER"]
    expect(
        users and users[-1].split(":")[0] not in ("root", "0") and users[-1].split(":")[0].isdigit(),
        f"the image must end as a numeric non-root USER (Kubernetes' runAsNonRoot checks it), has USER {users}",
    )
    exposed = [arguments for instruction, arguments in runtime if instruction == "EXPOSE"]
    expect(exposed == [str(CONTAINER_PORT)], f"the image must EXPOSE {CONTAINER_PORT}, exposes {exposed}")
    checks = [arguments for instruction, arguments in runtime if instruction == "HEALTHCHECK"]
    health = re.fullmatch(r"((?:--[a-z-]+=\S+ )*)CMD (.*)", checks[0]) if checks else None
    health_command = json.loads(health.group(2)) if health and health.group(2).startswith("[") else []
    expect(
        health_command == ["maestro-healthcheck", str(CONTAINER_PORT), "/healthz"],
        f"HEALTHCHECK must run maestro-healthcheck {CONTAINER_PORT} /healthz, runs {checks}",
    )
    cmd = [json.loads(arguments) for instruction, arguments in runtime if instruction == "CMD"]
    expect(
        cmd
        and cmd[-1][:1] == ["maestro-server"]
        and _flag(cmd[-1], "--host") == "0.0.0.0"
        and _flag(cmd[-1], "--port") == str(CONTAINER_PORT),
        f"CMD must run maestro-server on 0.0.0.0:{CONTAINER_PORT}: {cmd}",
    )

    environment = {}
    for instruction, arguments in runtime:
        if instruction == "ENV":
            environment.update(pair.split("=", 1) for pair in shlex.split(arguments))
    expect(set(environment) <= SERVER_ENV, f"the image sets {sorted(set(environment) - SERVER_ENV)}, never read")
    copies = {}
    for instruction, arguments in runtime:
        if instruction == "COPY":
            words = [word for word in arguments.split() if not word.startswith("--chmod")]
            if words[0].startswith("--from"):
                continue
            for source in words[:-1]:
                expect((REPO_ROOT / source).exists(), f"the Dockerfile copies {source}, which is not in the repository")
                copies[source] = words[-1]
    expect(
        environment.get("MAESTRO_DASHBOARD_DIR") == copies.get("Dashboard"),
        f"MAESTRO_DASHBOARD_DIR ({environment.get('MAESTRO_DASHBOARD_DIR')}) must be where Dashboard/ is copied "
        f"({copies.get('Dashboard')})",
    )
    expect(
        copies.get("deploy/docker/healthcheck.sh") == "/usr/local/bin/maestro-healthcheck",
        "the image must install deploy/docker/healthcheck.sh as /usr/local/bin/maestro-healthcheck",
    )

    ignored = [
        line.strip()
        for line in (DEPLOY / "docker/Dockerfile.dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    needed = ["Package.swift", "Sources", "Plugins", "Tests", "Dashboard", "deploy"]
    expect(
        not [path for path in needed if path in ignored or path + "/" in ignored],
        f"Dockerfile.dockerignore leaves out something the build needs: {ignored}",
    )


class _Stub(http.server.BaseHTTPRequestHandler):
    """GET /healthz → 200, /readyz → 503; remembers what it was asked (for the proxy checks)."""

    answers = {"/healthz": 200, "/readyz": 503}

    def do_GET(self):  # noqa: N802 - the standard library's name
        self.server.requests.append((self.path, dict(self.headers)))
        status = self.answers.get(self.path.split("?")[0], 200)
        body = json.dumps({"served_by": self.server.name, "path": self.path}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def _stub_server(name: str) -> http.server.ThreadingHTTPServer:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Stub)
    server.name, server.requests = name, []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_image_healthcheck_script(expect):
    script = DEPLOY / "docker/healthcheck.sh"
    expect(os.access(script, os.X_OK), "deploy/docker/healthcheck.sh must be executable")
    stub = _stub_server("maestro")
    try:
        port = stub.server_address[1]
        run = lambda *args: subprocess.run(["bash", str(script), *args], capture_output=True, text=True, timeout=20)
        healthy = run(str(port), "/healthz")
        expect(healthy.returncode == 0, f"healthcheck on a 200 /healthz exited {healthy.returncode}: {healthy.stderr}")
        unready = run(str(port), "/readyz")
        expect(
            unready.returncode == 1 and "503" in unready.stderr,
            f"healthcheck on a 503 /readyz: {unready.returncode} {unready.stderr!r}",
        )
        closed = run(str(free_port()), "/healthz")
        expect(closed.returncode != 0, "healthcheck on a closed port succeeded")
    finally:
        stub.shutdown()


def test_runtime_package_exists_in_debian(expect):
    apt_cache = shutil.which("apt-cache")
    if apt_cache is None:
        pytest.skip("apt-cache is not installed here")
    result = subprocess.run([apt_cache, "show", "libhiredis0.14"], capture_output=True, text=True, timeout=60)
    if result.returncode != 0 or "Package: libhiredis0.14" not in result.stdout:
        pytest.skip(
            f"apt's package lists here do not know libhiredis0.14 (no apt-get update?): {result.stderr.strip()[:200]}"
        )
    dev = subprocess.run([apt_cache, "show", "libhiredis-dev"], capture_output=True, text=True, timeout=60).stdout
    expect(
        "libhiredis0.14 (=" in dev,
        "libhiredis-dev (what the build stage compiles against) does not depend on libhiredis0.14",
    )


# --- nginx --------------------------------------------------------------------------------------------------------


def nginx_upstreams(text: str) -> dict[str, list[str]]:
    return {
        name: re.findall(r"^\s*server\s+(\S+?)(?:\s[^;]*)?;", body, re.M)
        for name, body in re.findall(r"upstream\s+(\w+)\s*\{(.*?)\}", text, re.S)
    }


def nginx_locations(text: str) -> dict[str, str]:
    return {path: body for path, body in re.findall(r"location\s+(?:=\s+)?(\S+)\s*\{(.*?)\}", text, re.S)}


def test_nginx_routes(expect):
    locations = nginx_locations((DEPLOY / "nginx/maestro-locations.conf").read_text())
    for path, upstream in (("/", "maestro_api"), ("/ws", "maestro_relay"), ("/events", "maestro_relay")):
        body = locations.get(path, "")
        expect(f"proxy_pass http://{upstream};" in body, f"nginx must send {path} to {upstream}")
        expect(
            "proxy_set_header Host $http_host;" in body,
            f"nginx's {path} must pass Host with its port ($http_host): the servers check WebSocket origins against it",
        )
    expect(
        "proxy_set_header Upgrade $http_upgrade;" in locations.get("/ws", "")
        and 'proxy_set_header Connection "upgrade";' in locations.get("/ws", ""),
        "nginx's /ws must pass the WebSocket upgrade",
    )
    expect("proxy_buffering off;" in locations.get("/events", ""), "nginx must not buffer /events (server-sent events)")
    for name in ("compose.conf", "maestro-site.conf"):
        text = (DEPLOY / "nginx" / name).read_text()
        expect(
            "include /etc/nginx/snippets/maestro-locations.conf;" in text, f"{name} must include maestro-locations.conf"
        )
        expect(set(nginx_upstreams(text)) == {"maestro_api", "maestro_relay"}, f"{name} must define both upstreams")


def test_nginx_logs_no_query_strings(expect):
    """Stream URLs carry a ticket (or an old client's token): no access log may record a query string."""
    for name in ("compose.conf", "maestro-site.conf"):
        text = (DEPLOY / "nginx" / name).read_text()
        formats = re.findall(r"log_format\s+(\S+)((?:\s+'[^']*')+)\s*;", text)
        expect([f for f, _ in formats] == ["maestro_no_query"], f"{name} must define one log format, maestro_no_query")
        for _, body in formats:
            for variable in ("$request ", "$request\"", "$request_uri", "$args", "$query_string", "$arg_"):
                expect(variable not in body, f"{name}'s log format records {variable.strip()}")
        servers = text.count("server {")
        expect(
            len(re.findall(r"access_log\s+\S+\s+maestro_no_query;", text)) == servers,
            f"every server block of {name} must log with maestro_no_query",
        )


def _nginx() -> str | None:
    configured = os.environ.get("NGINX")
    if configured:
        return configured
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)


def _nginx_prefix(tmp_path: Path, server_conf: str) -> Path:
    prefix = tmp_path / "nginx"
    (prefix / "logs").mkdir(parents=True)
    (prefix / "snippets").mkdir()
    shutil.copy(DEPLOY / "nginx/maestro-locations.conf", prefix / "snippets/maestro-locations.conf")
    server_conf = server_conf.replace("/etc/nginx/snippets/", f"{prefix}/snippets/")
    temporary = " ".join(
        f"{kind}_temp_path {prefix}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (prefix / "nginx.conf").write_text(
        f"daemon off;\nmaster_process off;\npid {prefix}/nginx.pid;\nerror_log {prefix}/logs/error.log;\nevents {{}}\n"
        f"http {{\n{temporary}\naccess_log off;\n{server_conf}\n}}\n"
    )
    return prefix


def test_nginx_accepts_the_site_configuration(tmp_path, expect):
    nginx, openssl = _nginx(), shutil.which("openssl")
    if nginx is None or openssl is None:
        pytest.skip(
            "no nginx here (set NGINX to an nginx binary)" if nginx is None else "no openssl to make a certificate"
        )
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=maestro.example.com",
            "-keyout",
            str(tmp_path / "key.pem"),
            "-out",
            str(tmp_path / "cert.pem"),
        ],
        capture_output=True,
        check=True,
        timeout=60,
    )
    site = (DEPLOY / "nginx/maestro-site.conf").read_text()
    site = site.replace("/etc/ssl/certs/maestro.example.com.pem", str(tmp_path / "cert.pem"))
    site = site.replace("/etc/ssl/private/maestro.example.com.key", str(tmp_path / "key.pem"))
    prefix = _nginx_prefix(tmp_path, site)
    result = subprocess.run(
        [nginx, "-t", "-p", str(prefix), "-c", str(prefix / "nginx.conf")], capture_output=True, text=True, timeout=30
    )
    expect(result.returncode == 0, f"nginx -t refuses maestro-site.conf: {result.stderr}")


def test_nginx_routes_the_compose_services(tmp_path, expect):
    nginx = _nginx()
    if nginx is None:
        pytest.skip("no nginx here (set NGINX to an nginx binary)")
    api, relay_1, relay_2 = _stub_server("api"), _stub_server("relay-1"), _stub_server("relay-2")
    port = free_port()
    conf = (DEPLOY / "nginx/compose.conf").read_text()
    for name, stub in (("api", api), ("relay-1", relay_1), ("relay-2", relay_2)):
        conf = conf.replace(f"server {name}:{CONTAINER_PORT};", f"server 127.0.0.1:{stub.server_address[1]};")
    conf = conf.replace(f"listen {CONTAINER_PORT};", f"listen 127.0.0.1:{port};").replace(
        f"listen [::]:{CONTAINER_PORT};", ""
    )
    prefix = _nginx_prefix(tmp_path, conf)
    process = subprocess.Popen(
        [nginx, "-p", str(prefix), "-c", str(prefix / "nginx.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until(
            lambda: socket.create_connection(("127.0.0.1", port), timeout=1).close() or True, 15, "nginx to listen"
        )

        def get(path: str, headers: dict | None = None) -> tuple[int, dict]:
            connection = socket.create_connection(("127.0.0.1", port), timeout=10)
            fields = {"Host": f"localhost:{port}", "Connection": "close", **(headers or {})}
            lines = [f"GET {path} HTTP/1.1", *(f"{key}: {value}" for key, value in fields.items())]
            connection.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
            reader = connection.makefile("rb")
            status = int(reader.readline().split()[1])
            length = 0
            while line := reader.readline().strip():
                name, _, value = line.decode().partition(":")
                length = int(value) if name.lower() == "content-length" else length
            body = reader.read(length)  # the WebSocket request leaves the connection open: read just the body
            reader.close()
            connection.close()
            return status, json.loads(body) if body.startswith(b"{") else {}

        status, body = get("/api/tasks?projectId=p")
        expect(status == 200 and body.get("served_by") == "api", f"/api/tasks through the proxy: {status} {body}")
        websocket = {
            "Upgrade": "websocket",
            "Connection": "Upgrade",
            "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": base64.b64encode(os.urandom(16)).decode(),
            "Origin": f"http://localhost:{port}",
        }
        status, body = get("/ws?projectId=p", websocket)
        expect(body.get("served_by", "").startswith("relay"), f"/ws through the proxy reached {body}")
        relay = relay_1 if body.get("served_by") == "relay-1" else relay_2
        seen = relay.requests[-1][1] if relay.requests else {}
        expect(
            seen.get("Host") == f"localhost:{port}",
            f"the relay got Host {seen.get('Host')!r}, not the browser's "
            f"localhost:{port}: WebSocket origins would be refused",
        )
        expect(
            seen.get("Upgrade", "").lower() == "websocket" and seen.get("Connection", "").lower() == "upgrade",
            f"the relay did not get the WebSocket upgrade headers: {seen}",
        )
        status, body = get("/events?projectId=p")
        expect(body.get("served_by", "").startswith("relay"), f"/events through the proxy reached {body}")
        # A relay that is gone: the next connection goes to the other one.
        relay_1.shutdown()
        relay_1.server_close()
        served = {get("/ws?projectId=p", websocket)[1].get("served_by") for _ in range(4)}
        expect(served == {"relay-2"}, f"with relay-1 gone, /ws reached {served}")
    finally:
        stop_process(process, grace=5)
        for stub in (api, relay_2):
            stub.shutdown()

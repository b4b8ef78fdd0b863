"""deploy/systemd: the units read as systemd reads them and cross-checked (roles, users, environment files and their
templates, the ports nginx's site configuration proxies to), then `systemd-analyze verify`."""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from deploy_files import (DEPLOY, SERVER_ENV, check_server_command, env_file, flag_value, nginx_upstreams,
                          redis_url_user)


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
        check_server_command(expect, name, ["maestro-server", *command[1:]], role)
        ports[name] = flag_value(command, "--port")
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
                redis_url_user(variables.get("MAESTRO_REDIS_URL", "")) == redis_user,
                f"{example.name} logs in to Redis as {redis_url_user(variables.get('MAESTRO_REDIS_URL', ''))}, "
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

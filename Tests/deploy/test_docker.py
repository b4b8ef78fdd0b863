"""deploy/docker: the Dockerfile through a small parser (stages, base images, products, user, port, health check,
environment, what it copies), the image's health check script run against a stand-in server, and the runtime's
hiredis package in Debian's lists."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess

import pytest

from deploy_files import CONTAINER_PORT, DEPLOY, REPO_ROOT, SERVER_ENV, flag_value
from http_stub import stub_server
from maestro_processes import free_port


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
        and flag_value(cmd[-1], "--host") == "0.0.0.0"
        and flag_value(cmd[-1], "--port") == str(CONTAINER_PORT),
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


def test_image_healthcheck_script(expect):
    script = DEPLOY / "docker/healthcheck.sh"
    expect(os.access(script, os.X_OK), "deploy/docker/healthcheck.sh must be executable")
    stub = stub_server("maestro")
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

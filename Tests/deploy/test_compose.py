"""deploy/compose.yaml, parsed and cross-checked against the sources, the other deployment files and
compose.env.example, and validated against the Compose specification (check-jsonschema's copy)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from deploy_files import (CLI_ENV, CONTAINER_PORT, DEPLOY, PLACEHOLDER_ROLES, REPO_ROOT, SERVER_ENV,
                          check_server_command, command_words, env_file, flag_value, nginx_upstreams, redis_url,
                          redis_url_user)


def _compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def _env(service: dict) -> dict[str, str]:
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    return {key: str(value) for key, value in environment.items()}


def test_compose_file(expect):
    compose = _compose()
    services = compose.get("services", {})
    servers = {name: s for name, s in services.items() if command_words(s.get("command"))[:1] == ["maestro-server"]}
    relays = sorted(name for name, s in servers.items() if flag_value(command_words(s.get("command")), "--role") == "relay")
    apis = sorted(name for name, s in servers.items() if flag_value(command_words(s.get("command")), "--role") == "api")
    expect(apis == ["api"], f"compose must have one API service `api` running --role api, has {apis}")
    expect(len(relays) >= 2, f"compose must have two relay services (--role relay), has {relays}")
    expect({"redis", "setup", "proxy"} <= set(services), f"compose services: {sorted(services)}")

    users = {"api": "maestro-server", **{relay: "maestro-relay" for relay in relays}}
    for name, service in servers.items():
        command = command_words(service.get("command"))
        check_server_command(
            expect, f"compose service {name}", command, "relay" if name in relays else "api", CONTAINER_PORT
        )
        expect(flag_value(command, "--host") == "0.0.0.0", f"compose service {name} must listen on 0.0.0.0 in its container")
        environment = _env(service)
        unknown = set(environment) - SERVER_ENV
        expect(not unknown, f"compose service {name} sets {sorted(unknown)}, which maestro-server never reads")
        for required in ("MAESTRO_REDIS_URL", "MAESTRO_USER_TOKEN"):
            expect(required in environment, f"compose service {name} lacks {required}")
        url = environment.get("MAESTRO_REDIS_URL", "")
        expect(
            redis_url_user(url) == users[name],
            f"compose service {name} logs in to Redis as {redis_url_user(url)}, not {users[name]}",
        )
        expect(
            redis_url(url).hostname == "redis" and (redis_url(url).port or 6379) == 6379,
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
        command_words(setup.get("command")) == ["maestro", "setup"], f"setup runs {setup.get('command')}, not maestro setup"
    )
    expect(
        redis_url_user(_env(setup).get("MAESTRO_REDIS_URL", "")) == "maestro-admin", "setup must log in as maestro-admin"
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
    entry = " ".join(command_words(redis.get("entrypoint")))
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

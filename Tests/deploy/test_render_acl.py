"""deploy/redis/render-acl.sh, run for real: the ACL it renders from the passwords it is given, loaded into a real
redis-server, and its refusals."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

from deploy_files import ACL_USERS, DEPLOY, PLACEHOLDER_ROLES
from redis_client import RedisError


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

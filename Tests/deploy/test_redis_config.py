"""deploy/redis/maestro.conf with deploy/users.acl, read and run in real redis-servers: the settings, the users and
what each may do, an acknowledged key surviving a restart through the AOF alone, protected mode from another
address."""

from __future__ import annotations

import re
import subprocess

import pytest

from configured_redis import config_directives
from deploy_files import ACL_USERS, DEPLOY, placeholder_password
from redis_client import RedisConnection, RedisError


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

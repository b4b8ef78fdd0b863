"""deploy/redis/maestro-cluster.conf: two real redis-servers from it form a cluster whose replica replicates data and
functions, logging in as maestro-replica."""

from __future__ import annotations

import json

from configured_redis import config_directives
from deploy_files import DEPLOY
from maestro_processes import free_port, wait_until


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

"""The facts the deployment checks take from the sources (deploy_files.py) are still there to take."""

from __future__ import annotations

from deploy_files import ACL_LINES, ACL_USERS, CLI_ENV, SERVER_ENV, SERVER_FLAGS


def test_the_sources_still_say_what_these_checks_rely_on(expect):
    for name in ("MAESTRO_REDIS_URL", "MAESTRO_USER_TOKEN", "MAESTRO_DASHBOARD_DIR", "MAESTRO_DATA_DIR", "LOG_LEVEL"):
        expect(name in SERVER_ENV, f"maestro-server no longer reads {name} (found {sorted(SERVER_ENV)})")
    expect({"--host", "--port"} <= SERVER_FLAGS, f"maestro-server flags parsed from the source: {sorted(SERVER_FLAGS)}")
    expect("MAESTRO_REDIS_URL" in CLI_ENV, f"the CLI's variables parsed from the source: {sorted(CLI_ENV)}")
    expect(
        ACL_USERS[0] == "default" and "off" in ACL_LINES[0],
        f"users.acl must turn the default user off first, has {' '.join(ACL_LINES[0])}",
    )

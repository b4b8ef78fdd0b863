"""What the deployment checks know of the repository: where deploy/ is, facts taken from the sources rather than
restated (the environment variables maestro-server and the CLI read, parsed from Sources/; the server's flags, from
MaestroServerCommand.swift; the users of users.acl), and readers of what several kinds of deployment file share
(command lines and their flags, redis:// URLs, env files, nginx upstreams)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parents[2]
DEPLOY = REPO_ROOT / "deploy"
K8S = DEPLOY / "k8s"
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


# --- Readers shared by the checks of several kinds of file ---------------------------------------------------------


def command_words(value) -> list[str]:
    return value if isinstance(value, list) else shlex.split(value or "")


def flag_value(command: list[str], name: str) -> str | None:
    for index, word in enumerate(command):
        if word == name and index + 1 < len(command):
            return command[index + 1]
        if word.startswith(name + "="):
            return word.split("=", 1)[1]
    return None


def check_server_command(expect, where: str, command: list[str], role: str, port: int | None = None):
    expect(command[:1] == ["maestro-server"], f"{where} does not run maestro-server: {command}")
    expect(flag_value(command, "--role") == role, f"{where} must run `--role {role}`, runs {command}")
    flags = {word.split("=")[0] for word in command[1:] if word.startswith("--")}
    unknown = flags - SERVER_FLAGS - PENDING_FLAGS
    expect(
        not unknown, f"{where} passes {sorted(unknown)}, which maestro-server does not have ({sorted(SERVER_FLAGS)})"
    )
    if port is not None:
        expect(flag_value(command, "--port") == str(port), f"{where} must listen on port {port}: {command}")


def redis_url(url: str):
    """A redis:// URL split, with compose's ${...} and Kubernetes' $(...) references standing in for the password."""
    return urlsplit(re.sub(r"\$\{[^}]*\}|\$\([A-Z_]+\)", "secret", url))


def redis_url_user(url: str) -> str | None:
    return redis_url(url).username


def env_file(path: Path) -> dict[str, str]:
    pairs = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            pairs[key.strip()] = value.strip()
    return pairs


def nginx_upstreams(text: str) -> dict[str, list[str]]:
    return {
        name: re.findall(r"^\s*server\s+(\S+?)(?:\s[^;]*)?;", body, re.M)
        for name, body in re.findall(r"upstream\s+(\w+)\s*\{(.*?)\}", text, re.S)
    }

"""deploy/nginx: the routes and the access logs read from the files, then, when an nginx binary is around, `nginx -t`
on the site configuration and real requests routed through compose.conf to stand-in servers.

Environment: NGINX  an nginx binary for the proxy checks (default: `nginx` on PATH, /usr/sbin/nginx)."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from deploy_files import CONTAINER_PORT, DEPLOY, nginx_upstreams
from http_stub import stub_server
from maestro_processes import free_port, stop_process, wait_until


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
    api, relay_1, relay_2 = stub_server("api"), stub_server("relay-1"), stub_server("relay-2")
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

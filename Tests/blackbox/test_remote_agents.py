"""The remote agent path, with real processes: maestro-server serving HTTPS with a test CA's certificate, the real
`maestro` CLI trusting it through MAESTRO_CA_FILE, and refusing (exit 6, nothing sent) a self-signed certificate, a
certificate for another name, and no CA at all; a proxy's 502 retried like a broken connection; retries with an
idempotency key; the user token refused in URLs."""

from __future__ import annotations

import http.server
import json
import subprocess
import threading
import time

import pytest

from blackbox_env import USER_TOKEN, Api, MaestroServer, clean_environment
from maestro_processes import free_port, stop_process, wait_until
from tls_material import CertificateAuthority

SUITE = "remote-agents"
PROJECT = "remote"


@pytest.fixture(scope="module")
def certificates(work_dir) -> CertificateAuthority:
    return CertificateAuthority(work_dir / "tls")


@pytest.fixture(scope="module")
def https_server(binaries, redis, work_dir, artifacts, certificates):
    instance = MaestroServer(binaries, redis, work_dir, artifacts, tls=certificates).start()
    yield instance
    instance.stop()


def cli(binaries, *args: str, url: str, ca_file=None, extra: dict | None = None) -> subprocess.CompletedProcess:
    env = clean_environment()
    env.update({"MAESTRO_URL": url, "MAESTRO_PROJECT_ID": PROJECT, "MAESTRO_USER_TOKEN": USER_TOKEN,
                "MAESTRO_CONNECT_TIMEOUT": "2"})
    env.pop("SSL_CERT_FILE", None)
    if ca_file:
        env["MAESTRO_CA_FILE"] = str(ca_file)
    env.update(extra or {})
    return subprocess.run([str(binaries.cli), *args], env=env, capture_output=True, text=True, timeout=30)


def test_agent_over_https_with_the_operator_ca(binaries, https_server, certificates, figures):
    url = f"https://localhost:{https_server.port}"
    created = cli(binaries, "session", "create", "--name", "remote", "--json", url=url, ca_file=certificates.ca)
    assert created.returncode == 0, created.stderr
    spawned = json.loads(created.stdout)
    assert spawned["env"]["MAESTRO_URL"] == url and "MAESTRO_REDIS_URL" not in spawned["env"]
    session = {"MAESTRO_SESSION_ID": spawned["session"]["id"], "MAESTRO_SESSION_TOKEN": spawned["token"]}
    task = cli(binaries, "task", "create", "Over HTTPS", url=url, ca_file=certificates.ca).stdout.strip()
    for args in (["task", "queue", task], ["task", "update", task, "--status", "working"],
                 ["task", "update", task, "--status", "blocked", "--notes", "-h"], ["task", "show", task]):
        result = cli(binaries, *args, url=url, ca_file=certificates.ca, extra=session)
        figures.case(SUITE, None if result.returncode == 0 else f"{args}: {result.stderr}")
        assert result.returncode == 0, f"{args}: {result.stderr}"
    shown = json.loads(cli(binaries, "task", "show", task, "--json", url=url, ca_file=certificates.ca,
                           extra=session).stdout)
    assert shown["sessionProgress"][0]["status"] == "blocked" and shown["sessionProgress"][0]["notes"] == "-h"
    # By address too: the certificate names 127.0.0.1.
    by_address = cli(binaries, "task", "list", url=f"https://127.0.0.1:{https_server.port}", ca_file=certificates.ca)
    assert by_address.returncode == 0, by_address.stderr


def test_untrusted_or_mismatched_certificates_are_refused(binaries, https_server, certificates, figures):
    url = f"https://localhost:{https_server.port}"
    cases = {
        "no CA for the server's certificate": dict(url=url),
        "an unreadable CA file": dict(url=url, ca_file=certificates.dir / "missing.pem"),
        "a CA file without the server's CA": dict(url=url, ca_file=certificates.self_signed_cert),
    }
    for name, arguments in cases.items():
        result = cli(binaries, "task", "list", **arguments)
        failure = None if result.returncode == 6 and result.stderr.startswith("error: ") else result.stderr
        figures.case(SUITE, failure and f"{name}: exit {result.returncode}: {failure}")
        assert result.returncode == 6, f"{name}: {result.returncode} {result.stderr}"
        assert "MAESTRO_CA_FILE" in result.stderr, f"{name}: {result.stderr}"


@pytest.mark.parametrize("certificate", ["self-signed", "wrong name"])
def test_nothing_is_sent_to_an_untrusted_server(binaries, certificates, work_dir, certificate):
    """An impostor (openssl s_server, printing whatever it receives) never sees the request or the token."""
    cert, key = ((certificates.self_signed_cert, certificates.self_signed_key) if certificate == "self-signed"
                 else (certificates.other_cert, certificates.other_key))
    port = free_port()
    received = work_dir / f"impostor-{port}.out"
    with open(received, "wb") as out:
        impostor = subprocess.Popen(["openssl", "s_server", "-accept", str(port), "-cert", str(cert), "-key", str(key),
                                     "-quiet"], stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: _listening(port), 10, "openssl s_server")
        # With the test CA trusted, only the wrong name is left to refuse; self-signed is refused either way.
        result = cli(binaries, "session", "create", url=f"https://localhost:{port}", ca_file=certificates.ca)
        assert result.returncode == 6, result.stderr
        assert "not trusted" in result.stderr, result.stderr
        time.sleep(0.3)
    finally:
        stop_process(impostor, grace=2)
    seen = received.read_bytes()
    assert USER_TOKEN.encode() not in seen and b"Authorization" not in seen and b"POST" not in seen, seen[:300]


def _listening(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


class _BadGateway(http.server.BaseHTTPRequestHandler):
    hits = 0

    def _answer(self):
        type(self).hits += 1
        body = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
        self.send_response(502)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = _answer

    def log_message(self, *args):
        pass


def test_a_proxy_without_a_server_is_exit_6_after_retries(binaries, figures):
    proxy = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _BadGateway)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{proxy.server_address[1]}"
        result = cli(binaries, "task", "list", url=url)
        figures.case(SUITE, None if result.returncode == 6 else f"502: exit {result.returncode} {result.stderr}")
        assert result.returncode == 6 and "502" in result.stderr, result.stderr
        assert _BadGateway.hits == 3, "a read is retried like a broken connection"
    finally:
        proxy.shutdown()


def test_idempotent_retries_over_the_api(https_server, certificates):
    api = Api(https_server.base_url, PROJECT, ssl_context=certificates.client_context())
    key = {"Idempotency-Key": "spawn-remote-1"}
    status, first = api.request("POST", "/api/sessions", {"name": "retried"}, headers=key)
    status_again, again = api.request("POST", "/api/sessions", {"name": "retried"}, headers=key)
    assert (status, status_again) == (201, 201)
    first, again = json.loads(first), json.loads(again)
    assert first["session"]["id"] == again["session"]["id"], "the retry names the same session"
    # The token the retry returned is the one that works now.
    task = api.create_task("Retried spawn")
    queued = Api(https_server.base_url, PROJECT, token=again["token"], ssl_context=certificates.client_context())
    assert queued.request("POST", f"/api/sessions/{again['session']['id']}/queue", {"taskIds": [task["id"]]})[0] == 200
    conflict, body = api.request("POST", "/api/sessions", {"name": "another"}, headers=key)
    assert conflict == 409 and "idempotency key reused with other arguments" in body, body
    # The token never in a URL: refused on the API, accepted only on the streams.
    assert api.request("GET", f"/api/tasks?token={USER_TOKEN}", token="")[0] == 401

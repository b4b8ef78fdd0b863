"""The dashboard over HTTPS: its live stream is a WSS connection to the same port, opened with a stream ticket."""

from maestro_env import Api, MaestroServer, USER_TOKEN
from tls_material import CertificateAuthority


def test_dashboard_live_over_wss(browser, binaries, redis, work_dir, artifacts, agents):
    certificates = CertificateAuthority(work_dir / "browser-tls")
    server = MaestroServer(binaries, redis, work_dir, artifacts, tls=certificates).start()
    try:
        api = Api(server.base_url, "wss-project", ssl_context=certificates.client_context())
        task = api.create_task("Rotate the signing keys")
        # Chromium trusts exactly the test server's key, as it would a certificate from a real CA.
        page = browser(base_url=server.base_url, project_id="wss-project",
                       chromium_arguments=(f"--ignore-certificate-errors-spki-list={certificates.spki_hash()}",))
        page.wait_row(task["id"])
        assert page.driver.execute_script("return location.protocol;") == "https:"
        sockets = page.driver.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name).filter(n => new URL(n).pathname === '/ws');")
        assert sockets == [] or all(url.startswith("wss://") and "ticket=" in url for url in sockets), sockets

        agent = agents(api, "tls-agent")
        agent.queue(task["id"])
        agent.update(task["id"], "working")
        page.wait_row_state(task["id"], status="inprogress", aggregate="working")
        assert USER_TOKEN not in page.driver.current_url
    finally:
        server.stop()

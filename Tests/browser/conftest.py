"""Fixtures of the dashboard's end-to-end tests: one redis-server and one maestro-server for the whole run (each
test works in its own project, so tests never see each other's data), headless Chromium windows, agents using
the real CLI, a time limit per test, and screenshots of every window at the end of every test.

Environment:
  MAESTRO_BIN_DIR             where maestro-server and maestro are (default: <repo>/.build/debug)
  MAESTRO_BROWSER_ARTIFACTS   where screenshots and logs go (default: a new temporary directory)
  MAESTRO_UPDATE_SCREENSHOTS  1: also write the documentation screenshot into docs/screenshots/
  CHROMIUM, CHROMEDRIVER      the browser and driver (default: /usr/bin/chromium, /usr/bin/chromedriver)
"""

from __future__ import annotations

import os
import re

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

from maestro_env import REPO_ROOT, USER_TOKEN, Agent, Api, MaestroServer, RedisServer, stop_process
from maestro_processes import process_fixtures
from pages import Dashboard
from suite_fixtures import artifacts_dir, artifacts_fixture, time_limit_fixture

TEST_TIME_LIMIT_S = 90

ARTIFACTS = artifacts_dir("MAESTRO_BROWSER_ARTIFACTS", "maestro-browser-artifacts-")


artifacts, pytest_report_header, pytest_terminal_summary = artifacts_fixture(
    ARTIFACTS, "dashboard artifacts (screenshots, server logs)", "screenshots and logs")


work_dir, binaries, redis, server = process_fixtures("maestro-browser-", REPO_ROOT, RedisServer, MaestroServer)


@pytest.fixture
def own_server(binaries, redis, work_dir, artifacts):
    """A server of this test's own, which it may stop and start."""
    instance = MaestroServer(binaries, redis, work_dir, artifacts).start()
    yield instance
    instance.stop()


@pytest.fixture
def project(request) -> str:
    """A project id of this test's own."""
    name = re.sub(r"[^A-Za-z0-9]+", "-", request.node.name).strip("-")[:60]
    return f"t-{name}"


@pytest.fixture
def api(server, project) -> Api:
    return Api(server.base_url, project)


@pytest.fixture
def agents(binaries, redis):
    """agents(api, name) → an Agent of that project."""

    made: list[Agent] = []

    def make(api: Api, name: str) -> Agent:
        agent = Agent(binaries, redis, api, name)
        made.append(agent)
        return agent

    yield make
    for agent in made:
        for process in agent.supervisors:
            stop_process(process)


time_limit = time_limit_fixture(TEST_TIME_LIMIT_S)


def chromium_options(width: int, height: int, arguments: tuple[str, ...] = ()) -> Options:
    options = Options()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for argument in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--disable-extensions",
        "--no-first-run",
        "--lang=en-US",
        f"--window-size={width},{height}",
        *arguments,
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return options


@pytest.fixture
def browser(request, server, project, artifacts):
    """browser(width=1280, height=900, base_url=server, project=project, token=...) → a Dashboard in a new
    headless Chromium window, open on the project (with #token=, which the page then removes)."""
    windows: list[Dashboard] = []

    def open_window(width: int = 1280, height: int = 900, base_url: str | None = None, project_id: str | None = None,
                    token: str | None = USER_TOKEN, path: str = "#/tasks",
                    chromium_arguments: tuple[str, ...] = ()) -> Dashboard:
        service = Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
        driver = webdriver.Chrome(service=service, options=chromium_options(width, height, chromium_arguments))
        # Exact viewport size: a headless window is never narrower than 500 px by itself.
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
        driver.set_page_load_timeout(20)
        driver.set_script_timeout(10)
        page = Dashboard(driver, base_url or server.base_url, project_id or project)
        windows.append(page)
        page.open(token=token, path=path)
        return page

    yield open_window

    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name)
    for index, page in enumerate(windows, start=1):
        try:
            page.driver.save_screenshot(str(artifacts / f"{name}-window{index}.png"))
            logs = page.driver.get_log("browser")
            (artifacts / f"{name}-window{index}-console.log").write_text(
                "\n".join(f"{entry['level']} {entry['message']}" for entry in logs))
        except Exception:  # noqa: BLE001 - a broken window must not hide the test's own result
            pass
        finally:
            page.driver.quit()

"""The fleet page (#/fleet): every session across projects with host, lifecycle, heartbeat age, work and stale work;
filters (project, host, lifecycle, stale work only) and totals by host and by project; live from each project's
event stream; links into a session's own project. And a late heartbeat, there and on the session's card."""

import os
import signal
import socket

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from maestro_env import Api, make_heartbeat_late, make_stale, wait_until
from test_page import CONTRAST_CHECK


def fleet_row(page, session_id):
    rows = page.find_all(f'#fleet-sessions tr[data-session-id="{session_id}"]')
    return rows[0] if rows else None


def wait_fleet_row(page, session_id, what="", **attributes):
    """Waits for the session's row, with these data attributes (lifecycle="active", stale="1", …) when given."""

    def matches(driver):
        row = fleet_row(page, session_id)
        if row is None:
            return None
        return row if all(row.get_attribute(f"data-{k}") == v for k, v in attributes.items()) else None

    return page.wait(matches, what or f"the fleet row of {session_id} with {attributes}")


def wait_no_fleet_row(page, session_id):
    page.wait(lambda d: fleet_row(page, session_id) is None, f"{session_id} to leave the fleet")


def set_filter(page, name, value):
    Select(page.find(f"#fleet-{name}")).select_by_value(value)


def totals_row(page, table, key):
    rows = page.find_all(f'#fleet-{table} tbody tr[data-key="{key}"]')
    return rows[0] if rows else None


def test_fleet_lists_filters_and_follows_every_project_live(browser, api, server, project, agents, redis):
    other = Api(server.base_url, f"{project}-b")
    indexing = api.create_task("Index the wiki")
    review = other.create_task("Review the schema change")
    alpha = agents(api, "fleet-alpha")
    beta = agents(other, "fleet-beta")
    supervisor = alpha.supervise()  # active, on this host, heartbeating
    alpha.queue(indexing["id"])
    alpha.update(indexing["id"], "working")
    beta.queue(review["id"])
    wait_until(lambda: api.session(alpha.session_id).get("lastHeartbeat"), 15, "alpha's first heartbeat")

    page = browser(path="#/fleet")
    row = wait_fleet_row(page, alpha.session_id, lifecycle="active")
    assert row.get_attribute("data-project") == project
    assert socket.gethostname() in row.find_element(By.CSS_SELECTOR, "[data-role=host]").text
    assert "1 working" in row.find_element(By.CSS_SELECTOR, "[data-role=work]").text
    assert "Index the wiki" in row.find_element(By.CSS_SELECTOR, "[data-role=tasks]").text
    row = wait_fleet_row(page, beta.session_id, lifecycle="spawning")
    assert row.get_attribute("data-project") == other.project
    assert "1 queued" in row.find_element(By.CSS_SELECTOR, "[data-role=work]").text
    assert "not known" in row.find_element(By.CSS_SELECTOR, "[data-role=host]").text
    # Totals by project and by host.
    assert totals_row(page, "projects", project).find_element(By.CSS_SELECTOR, "[data-role=sessions]").text == "1"
    assert totals_row(page, "projects", other.project).find_element(By.CSS_SELECTOR, "[data-lifecycle=spawning]").text == "1"
    assert totals_row(page, "hosts", socket.gethostname()) is not None
    # The heartbeat age ticks in the page between reads.
    age = lambda: fleet_row(page, alpha.session_id).find_element(By.CSS_SELECTOR, "[data-role=heartbeat]").text
    first = age()
    assert first.endswith("ago")
    page.wait(lambda d: age() != first, "the heartbeat age to tick")
    page.wait(lambda d: page.find("#fleet-view").get_attribute("data-live") == "true", "every project live")
    assert page.driver.execute_script(CONTRAST_CHECK) == []

    # Filters: a project, a lifecycle, a host (from the totals), stale work only.
    set_filter(page, "project", other.project)
    wait_no_fleet_row(page, alpha.session_id)
    assert fleet_row(page, beta.session_id) is not None
    assert totals_row(page, "projects", project) is None
    set_filter(page, "project", "")
    wait_fleet_row(page, alpha.session_id)
    set_filter(page, "lifecycle", "spawning")
    wait_no_fleet_row(page, alpha.session_id)
    assert fleet_row(page, beta.session_id) is not None
    set_filter(page, "lifecycle", "")
    wait_fleet_row(page, alpha.session_id)
    totals_row(page, "hosts", socket.gethostname()).find_element(By.CSS_SELECTOR, "button").click()
    page.wait(lambda d: Select(page.find("#fleet-host")).first_selected_option.get_attribute("value")
              == socket.gethostname(), "the host filter to be set")
    wait_no_fleet_row(page, beta.session_id)
    set_filter(page, "host", "")
    wait_fleet_row(page, beta.session_id)
    page.find("#fleet-stale").click()
    wait_no_fleet_row(page, alpha.session_id)
    wait_no_fleet_row(page, beta.session_id)

    # Live: alpha's work goes stale (it appears under "stale work only"); beta reports (another project's stream).
    make_stale(api, redis, indexing["id"], alpha.session_id)
    row = wait_fleet_row(page, alpha.session_id, stale="1")
    assert "1 stale" in row.find_element(By.CSS_SELECTOR, "[data-role=work]").text
    page.find("#fleet-stale").click()
    wait_fleet_row(page, beta.session_id)
    beta.update(review["id"], "working")
    beta.update(review["id"], "blocked", notes="Need the DBA's approval")
    page.wait(lambda d: "1 blocked" in fleet_row(page, beta.session_id).find_element(
        By.CSS_SELECTOR, "[data-role=work]").text, "beta's block to show")
    assert totals_row(page, "projects", project).find_element(By.CSS_SELECTOR, "[data-role=stale]").text == "1"
    assert "with stale work" in page.find("#fleet-summary").text

    # A late heartbeat: "unresponsive since …" in the fleet and on the session's card, beside its lifecycle (still
    # active: the system fails it only when the lease runs out), until the supervisor heartbeats again.
    card_css = f'#session-list li[data-session-id="{alpha.session_id}"]'
    os.kill(supervisor.pid, signal.SIGSTOP)
    try:
        assert make_heartbeat_late(redis, project, alpha.session_id)
        row = wait_fleet_row(page, alpha.session_id, unresponsive="true")
        assert "Unresponsive since" in row.text
        assert row.get_attribute("data-lifecycle") == "active"
        page.go("#/sessions")
        card = page.wait_css(f'{card_css}[data-unresponsive="true"]')
        note = card.find_element(By.CSS_SELECTOR, "[data-role=unresponsive]")
        assert "Unresponsive since" in note.text and "no heartbeat for" in note.text
        assert card.get_attribute("data-status") == "active"
    finally:
        os.kill(supervisor.pid, signal.SIGCONT)
    page.wait_css(f'{card_css}[data-unresponsive="false"]')
    assert not page.find_all(f"{card_css} [data-role=unresponsive]")
    page.go("#/fleet")
    wait_fleet_row(page, alpha.session_id, "alpha to be responsive again", unresponsive="false")

    # At 400 px the tables scroll inside their boxes, not the page.
    page.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                {"width": 400, "height": 800, "deviceScaleFactor": 1, "mobile": False})
    page.wait(lambda d: page.viewport_width() <= 400, "the narrow window")
    assert page.page_width() <= page.viewport_width(), "the fleet scrolls sideways at 400 px"
    page.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

    # A task link opens the task in its own project.
    fleet_row(page, beta.session_id).find_element(By.CSS_SELECTOR, "[data-role=tasks] a").click()
    page.wait_detail(review["id"])
    assert f"project={other.project}" in page.driver.current_url
    page.wait_css("#task-detail .banner-blocked")
    assert page.find("#project-input").get_attribute("value") == other.project


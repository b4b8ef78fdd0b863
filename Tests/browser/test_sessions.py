"""The sessions view: lifecycle, host and heartbeat of a supervised agent (`maestro run`), and stop and restart
from the page, offered only where the lifecycle allows them."""

import subprocess

from selenium.webdriver.common.by import By

from maestro_env import clean_environment


def test_stop_and_restart_a_session_from_the_sessions_view(browser, api, binaries, redis, project):
    task = api.create_task("Index the search corpus")
    env = clean_environment()
    env.update({"MAESTRO_REDIS_URL": redis.url, "MAESTRO_AGENT_REDIS_URL": redis.url, "MAESTRO_PROJECT_ID": project})
    supervisor = subprocess.Popen(
        [str(binaries.cli), "run", "--name", "indexer", "--task", task["id"], "--stop-grace", "2", "--heartbeat-ttl",
         "6", "--", "sleep", "300"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        page = browser(path="#/sessions")
        card = page.wait_text("#session-list li", "indexer")
        session_id = card.get_attribute("data-session-id")
        card = page.wait_session_status(session_id, "active")
        page.wait(lambda d: "not known" not in page.session_card(session_id).text
                  and "none yet" not in page.session_card(session_id).text, "the host and heartbeat")
        card = page.session_card(session_id)
        assert "Index the search corpus" in card.text
        assert "Active" in card.find_element(By.CSS_SELECTOR, "[data-role=lifecycle]").text
        assert [b.get_attribute("data-action") for b in card.find_elements(By.CSS_SELECTOR, ".row-actions button")] == ["stop"]

        card.find_element(By.CSS_SELECTOR, "button[data-action=stop]").click()
        card = page.wait_session_status(session_id, "stopped")
        assert api.session(session_id)["status"] == "stopped"
        page.wait(lambda d: [b.get_attribute("data-action") for b in
                             page.session_card(session_id).find_elements(By.CSS_SELECTOR, ".row-actions button")]
                  == ["restart"], "only Restart to be offered")

        page.session_card(session_id).find_element(By.CSS_SELECTOR, "button[data-action=restart]").click()
        # The supervisor starts the agent again: spawning, then active.
        page.wait_session_status(session_id, "active", timeout=20)
        assert api.session(session_id)["status"] == "active"
        assert supervisor.poll() is None, supervisor.stderr.read() if supervisor.stderr else ""
        page.wait(lambda d: page.session_card(session_id).find_elements(By.CSS_SELECTOR, "button[data-action=stop]"),
                  "Stop to be offered again")
        # The Sessions tab counts active sessions.
        assert "1 active" in page.find("#nav-sessions").text
    finally:
        supervisor.terminate()
        try:
            supervisor.wait(timeout=10)
        except subprocess.TimeoutExpired:
            supervisor.kill()
            supervisor.wait(timeout=5)


def test_spawn_a_session_from_the_dashboard(browser, api):
    task = api.create_task("Translate the help pages")
    page = browser(path="#/sessions")
    page.find("#spawn-session summary").click()
    page.find("#session-name").send_keys("translator")
    page.wait(lambda d: len(page.find_all("#session-tasks option")) == 1, "the task choices")
    page.find("#session-tasks option").click()
    page.find("#spawn-session-form button[type=submit]").click()
    env = page.wait_css("#spawn-session-result pre", "the new session's environment")
    assert "MAESTRO_SESSION_ID=sess_" in env.text
    assert "MAESTRO_SESSION_TOKEN=" in env.text
    card = page.wait_text("#session-list li", "translator")
    assert card.get_attribute("data-status") == "spawning"
    assert "Translate the help pages" in card.text
    # Spawning sessions can be neither stopped nor restarted by a user.
    assert card.find_elements(By.CSS_SELECTOR, ".row-actions button") == []
    assert api.task(task["id"])["sessionIds"] == [card.get_attribute("data-session-id")]

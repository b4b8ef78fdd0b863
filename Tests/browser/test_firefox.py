"""The dashboard in Firefox too (the issue asks for current Chromium and Firefox): loading, the live stream, a
question from an agent and the answer typed in Firefox reaching it. Skipped where Firefox is not installed
(`apt-get install firefox-esr`); Debian packages no geckodriver, so this drives Firefox over Marionette."""

from urllib.parse import quote

import pytest

from maestro_env import USER_TOKEN
from marionette import Firefox, firefox_binary

pytestmark = pytest.mark.skipif(firefox_binary() is None, reason="Firefox is not installed")


def test_dashboard_in_firefox(server, api, agents, project, artifacts):
    task = api.create_task("Works in Firefox")
    agent = agents(api, "gecko")
    agent.queue(task["id"])
    agent.update(task["id"], "working")
    firefox = Firefox()
    try:
        firefox.navigate(f"{server.base_url}/?project={quote(project)}#token={quote(USER_TOKEN)}&/tasks/{task['id']}")
        firefox.wait_for("document.querySelector('#connection').dataset.state === 'live'", "the live connection")
        firefox.wait_for(f"document.querySelector('#task-list li[data-task-id=\"{task['id']}\"][data-status=inprogress]')",
                         "the task row")
        assert "token=" not in firefox.script("return location.href;")

        agent.update(task["id"], "needs_input", notes="Ship on Friday?")
        firefox.wait_for("document.querySelector('#task-detail .prompt')", "the prompt, live")
        assert firefox.script("return document.title;").startswith("(1)")
        waiting = agent.wait_for_answer(task["id"], timeout=30)
        try:
            firefox.type("#task-detail .prompt textarea", "Yes, after the freeze")
            firefox.click("#task-detail .prompt button[type=submit]")
            output, errors = waiting.communicate(timeout=25)
        finally:
            if waiting.poll() is None:
                waiting.kill()
        assert output.strip() == "Yes, after the freeze", errors
        firefox.wait_for("document.querySelector('#task-detail .prompt-answered:not([hidden])')", "the stored answer")

        firefox.click("#task-detail .transitions button[data-target=completed]")
        firefox.wait_for("document.querySelector('#task-detail').dataset.status === 'completed'", "the new status")
        assert api.task(task["id"])["status"] == "completed"
        firefox.screenshot(artifacts / "test_dashboard_in_firefox.png")
    finally:
        firefox.quit()

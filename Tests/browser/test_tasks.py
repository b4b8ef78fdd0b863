"""Tasks in the dashboard: creating them, the status control, and what agents report on them (working, blocked,
needs_input with the user's answer going back to the agent)."""

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select


def test_create_task_in_the_ui(browser, api):
    page = browser()
    parent = api.create_task("Ship the payments rewrite")
    page.wait_row(parent["id"])

    page.find("#create-task summary").click()
    page.find("#new-title").send_keys("Write the migration guide")
    page.find("#new-description").send_keys("Cover v1 → v2 for every endpoint.")
    Select(page.find("#new-priority")).select_by_visible_text("High")
    page.wait(lambda d: len(Select(page.find("#new-parent")).options) == 2, "the parent choices")
    Select(page.find("#new-parent")).select_by_value(parent["id"])
    page.find("#create-task-submit").click()

    row = page.wait_text("#task-list li", "Write the migration guide")
    assert row.get_attribute("data-status") == "todo"
    assert "To Do" in row.text
    assert "No sessions" in row.text
    created = next(task for task in api.tasks() if task["title"] == "Write the migration guide")
    assert created["priority"] == "high"
    assert created["parentId"] == parent["id"]
    assert created["description"] == "Cover v1 → v2 for every endpoint."
    # The form is ready for the next task.
    assert page.find("#new-title").get_attribute("value") == ""

    # A title is required: nothing is sent without one.
    page.find("#create-task-submit").click()
    assert len(api.tasks()) == 2


def test_status_control_offers_only_allowed_transitions(browser, api):
    task = api.create_task("Tidy the release checklist")
    page = browser()
    page.open_task(task["id"])

    expected = {
        "todo": ["inprogress", "completed", "cancelled"],
        "inprogress": ["completed", "todo", "cancelled"],
        "completed": ["inprogress"],
        "cancelled": ["todo"],
    }
    # todo → completed → inprogress → cancelled → todo → inprogress → todo: every status, through the UI.
    path = ["completed", "inprogress", "cancelled", "todo", "inprogress", "todo"]
    current = "todo"
    assert page.transition_targets() == expected[current]
    for target in path:
        page.click_transition(target)
        page.wait_detail_status(target)
        page.wait(lambda d: page.transition_targets() == expected[target], f"the choices from {target}")
        page.wait_row_state(task["id"], status=target)
        assert api.task(task["id"])["status"] == target
        current = target


def test_refused_change_is_explained_in_plain_words(browser, api):
    task = api.create_task("Rotate the signing keys")
    api.set_status(task["id"], "inprogress")
    page = browser()
    page.open_task(task["id"])
    page.wait_detail_status("inprogress")
    # Another user completes the task while this page is not listening.
    page.driver.execute_script("window.maestroDashboard.live.stop();")
    api.set_status(task["id"], "completed")

    page.click_transition("todo")  # allowed from In Progress, which the page still shows; not from Completed
    error = page.wait_css("#task-detail .status-section .inline-error", "the refusal")
    assert "not allowed" in error.text
    assert "Completed now" in error.text
    assert "In Progress" in error.text  # the one place it can go from Completed
    # The page fetched the task again and now offers what is really allowed.
    page.wait_detail_status("completed")
    assert page.transition_targets() == ["inprogress"]
    assert api.task(task["id"])["status"] == "completed"


def test_agent_working_moves_task_to_in_progress_live(browser, api, agents):
    task = api.create_task("Add retries to the webhook sender")
    page = browser()
    page.wait_row_state(task["id"], status="todo", aggregate="no_sessions")
    page.mark_page()
    agent = agents(api, "builder")

    agent.queue(task["id"])
    row = page.wait_row_state(task["id"], status="todo", aggregate="queued")
    assert "1 session" in row.text

    agent.update(task["id"], "working")
    row = page.wait_row_state(task["id"], status="inprogress", aggregate="working")
    assert "In Progress" in row.find_element(By.CSS_SELECTOR, "[data-role=status]").text
    assert "Working" in row.find_element(By.CSS_SELECTOR, "[data-role=aggregate]").text
    assert row.find_element(By.CSS_SELECTOR, ".indicator").text == "●"

    page.open_task(task["id"])
    entry = page.wait_progress(agent.session_id, "working")
    assert "Working" in entry.text
    assert agent.session_id.removeprefix("sess_")[:8] in entry.text
    page.assert_not_reloaded()


def test_blocked_shows_the_note(browser, api, agents):
    task = api.create_task("Deploy the staging cluster")
    agent = agents(api, "deployer")
    agent.queue(task["id"])
    agent.update(task["id"], "working")
    page = browser()
    page.open_task(task["id"])
    page.wait_progress(agent.session_id, "working")

    agent.update(task["id"], "blocked", notes="Need the staging API key")
    banner = page.wait_css("#task-detail .banner-blocked", "the blocked banner")
    assert "Blocked" in banner.text
    assert "Need the staging API key" in banner.text
    entry = page.wait_progress(agent.session_id, "blocked")
    assert "⊘" in entry.text and "Need the staging API key" in entry.text
    row = page.wait_row_state(task["id"], aggregate="blocked")
    assert "Need the staging API key" in row.text

    agent.update(task["id"], "working")
    page.wait_progress(agent.session_id, "working")
    page.wait(lambda d: not page.find_all("#task-detail .banner-blocked"), "the banner to go")


def test_needs_input_prompt_and_answer_reach_the_agent(browser, api, agents):
    task = api.create_task("Choose the cache strategy")
    agent = agents(api, "planner")
    agent.queue(task["id"])
    agent.update(task["id"], "working")
    page = browser()
    page.open_task(task["id"])
    page.wait_progress(agent.session_id, "working")
    assert "(" not in page.title()

    question = "Use approach A (write-through) or B (write-back)?"
    agent.update(task["id"], "needs_input", notes=question)
    prompt = page.wait_css("#task-detail .prompt", "the prompt")
    assert question in prompt.find_element(By.CSS_SELECTOR, ".prompt-question").text
    page.wait(lambda d: d.title.startswith("(1)"), "the page title to count the question")
    page.wait_row_state(task["id"], aggregate="needs_input")
    notice = page.wait_css(".notice-attention", "the in-page notice")
    assert "needs input" in notice.text

    waiting = agent.wait_for_answer(task["id"], timeout=40)
    try:
        answer = prompt.find_element(By.CSS_SELECTOR, "textarea")
        answer.send_keys("B, with a 5 s flush interval")
        answer.send_keys(Keys.CONTROL, Keys.ENTER)  # the keyboard shortcut sends it
        output, errors = waiting.communicate(timeout=30)
    finally:
        if waiting.poll() is None:
            waiting.kill()
    assert waiting.returncode == 0, errors
    assert output.strip() == "B, with a 5 s flush interval"

    # Stored with the entry; answering does not change the session's status.
    page.wait_text("#task-detail .prompt-answered", "B, with a 5 s flush interval")
    entry = next(item for item in api.task(task["id"])["sessionProgress"] if item["sessionId"] == agent.session_id)
    assert entry["status"] == "needs_input"
    assert entry["answer"] == "B, with a 5 s flush interval"
    assert agent.run("task", "answer", task["id"]).stdout.strip() == "B, with a 5 s flush interval"

    agent.update(task["id"], "working")
    page.wait(lambda d: not page.find_all("#task-detail .prompt"), "the prompt to close")
    page.wait(lambda d: not d.title.startswith("("), "the title count to clear")
    history = page.wait_text("#task-detail .history-list", "answered")
    assert "reported" in history.text


def test_remove_session_and_history(browser, api, agents):
    task = api.create_task("Prune old feature flags")
    first, second = agents(api, "pruner-1"), agents(api, "pruner-2")
    first.queue(task["id"])
    second.queue(task["id"])
    page = browser()
    page.open_task(task["id"])
    page.wait_progress(second.session_id, "queued")

    row = page.progress_row(first.session_id)
    row.find_element(By.CSS_SELECTOR, "button[data-action=remove]").click()
    row.find_element(By.CSS_SELECTOR, "button[data-action=confirm-remove]").click()
    page.wait(lambda d: not d.find_elements(By.CSS_SELECTOR, f'#task-detail li[data-session-id="{first.session_id}"]'),
              "the removed session to go")
    assert [entry["sessionId"] for entry in api.task(task["id"])["sessionProgress"]] == [second.session_id]
    page.wait_text("#task-list li", "1 session")
    history = page.wait_text("#task-detail .history-list", "removed session")
    assert "created the task" in history.text


def test_filters_and_needing_attention_first(browser, api, agents):
    idle = api.create_task("Idle task")
    done = api.create_task("Finished task")
    api.set_status(done["id"], "completed")
    blocked = api.create_task("Blocked task")
    asking = api.create_task("Asking task")
    agent = agents(api, "worker")
    agent.queue(blocked["id"], asking["id"])
    for task_id in (blocked["id"], asking["id"]):
        agent.update(task_id, "working")
    agent.update(blocked["id"], "blocked", notes="No credentials")
    agent.update(asking["id"], "needs_input", notes="Which region?")
    page = browser()
    page.wait_row_state(asking["id"], aggregate="needs_input")
    page.wait_row_state(blocked["id"], aggregate="blocked")

    # Needing attention first is the default order: the question, then the block, then the rest.
    assert page.row_ids()[:2] == [asking["id"], blocked["id"]]
    assert set(page.row_ids()) == {idle["id"], done["id"], blocked["id"], asking["id"]}

    Select(page.find("#filter-aggregate")).select_by_value("blocked")
    page.wait(lambda d: page.row_ids() == [blocked["id"]], "only the blocked task")
    Select(page.find("#filter-aggregate")).select_by_value("attention")
    page.wait(lambda d: page.row_ids() == [asking["id"], blocked["id"]], "only the tasks needing attention")
    Select(page.find("#filter-aggregate")).select_by_value("")
    Select(page.find("#filter-status")).select_by_value("completed")
    page.wait(lambda d: page.row_ids() == [done["id"]], "only the completed task")
    assert "Showing 1 of 4" in page.find("#task-list-summary").text
    Select(page.find("#filter-status")).select_by_value("todo")
    page.wait(lambda d: page.row_ids() == [idle["id"]], "only the task still to do")
    Select(page.find("#filter-status")).select_by_value("")
    page.find("#task-search").send_keys("asking")
    page.wait(lambda d: page.row_ids() == [asking["id"]], "the search result")
    page.find("#task-search").clear()
    page.find("#task-search").send_keys(Keys.SPACE, Keys.BACKSPACE)
    Select(page.find("#task-sort")).select_by_value("oldest")
    page.wait(lambda d: page.row_ids() == [idle["id"], done["id"], blocked["id"], asking["id"]], "oldest first")


def test_edit_and_delete(browser, api):
    parent = api.create_task("Parent task")
    child = api.create_task("Child task", parentId=parent["id"])
    page = browser()
    page.open_task(parent["id"])
    page.wait_text("#task-detail .subtask-list", "Child task")

    page.find("#task-detail .edit-task summary").click()
    title = page.find("#edit-title")
    title.clear()
    title.send_keys("Parent task, renamed")
    page.find("#edit-description").send_keys("Now with a description.")
    Select(page.find("#edit-priority")).select_by_value("urgent")
    page.find("#task-detail .edit-form button[type=submit]").click()
    page.wait_text("#detail-title", "Parent task, renamed")
    stored = api.task(parent["id"])
    assert (stored["title"], stored["description"], stored["priority"]) == (
        "Parent task, renamed", "Now with a description.", "urgent")
    page.wait_text("#task-detail .history-list", "changed the")

    # A task with subtasks cannot be deleted: the page says why.
    page.wait_css("#task-detail .delete-task button").click()
    page.wait_css("#task-detail .delete-task button.danger").click()
    error = page.wait_css("#task-detail .delete-task .inline-error")
    assert "subtask" in error.text
    page.open_task(child["id"])
    page.wait_css("#task-detail .delete-task button").click()
    page.wait_css("#task-detail .delete-task button.danger").click()
    page.wait(lambda d: child["id"] not in page.row_ids(), "the deleted task to leave the list")
    assert [task["id"] for task in api.tasks()] == [parent["id"]]

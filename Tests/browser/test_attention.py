"""What needs a person beyond questions and blocks: work that went quiet (the server marks a queued or working entry
stale after the project's staleAfterSeconds without a report; the next report clears it) shown beside the agent's
own status and sorted into "needing attention", and the server's suggestion once every session on a task finished,
taken with one click."""

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from maestro_env import make_stale
from test_page import CONTRAST_CHECK


def suggestion_buttons(page, task_id):
    return page.find_all(f'#task-list li[data-task-id="{task_id}"] button[data-action="suggestion"]')


def test_stale_work_is_shown_apart_from_the_agents_status_and_goes_with_the_next_report(browser, api, agents, redis):
    quiet = api.create_task("Crawl the partner catalogue")
    busy = api.create_task("Resize the thumbnails", priority="urgent")
    crawler = agents(api, "crawler")
    resizer = agents(api, "resizer")
    crawler.queue(quiet["id"])
    crawler.update(quiet["id"], "working")
    resizer.queue(busy["id"])
    resizer.update(busy["id"], "working")
    page = browser()
    page.wait_row_state(quiet["id"], aggregate="working")
    page.wait_row_state(busy["id"], aggregate="working")
    # Working tasks by priority: the urgent one first.
    assert page.row_ids().index(busy["id"]) < page.row_ids().index(quiet["id"])
    page.open_task(quiet["id"])

    make_stale(api, redis, quiet["id"], crawler.session_id)
    row = page.wait_row_state(quiet["id"], aggregate="stale")
    badge = page.wait_text(f'#task-list li[data-task-id="{quiet["id"]}"] [data-role=stale]', "no report for")
    assert "Stale since" in badge.text
    assert "Stale" in row.find_element(By.CSS_SELECTOR, "[data-role=aggregate]").text
    # Needing attention: the stale task now comes before the urgent working one.
    page.wait(lambda d: page.row_ids().index(quiet["id"]) < page.row_ids().index(busy["id"]), "the stale task first")
    # The detail keeps the agent's own status (working) and says beside it that it went quiet.
    entry = page.wait_css(f'#task-detail .progress-list li[data-session-id="{crawler.session_id}"][data-stale="true"]')
    assert entry.get_attribute("data-status") == "working"
    assert entry.find_element(By.CSS_SELECTOR, "[data-role=progress-status]").text == "Working"
    assert "no report for" in entry.find_element(By.CSS_SELECTOR, "[data-role=stale]").text
    assert "Stale" in page.find("#task-detail .detail-aggregate").text
    assert api.task(quiet["id"])["sessionProgress"][0]["staleSince"]
    assert page.driver.execute_script(CONTRAST_CHECK) == []

    # The "needing attention" and "stale" filters hold it; the working task is in neither.
    Select(page.find("#filter-aggregate")).select_by_value("attention")
    page.wait(lambda d: page.row_ids() == [quiet["id"]], "only the stale task under needing attention")
    Select(page.find("#filter-aggregate")).select_by_value("stale")
    page.wait(lambda d: page.row_ids() == [quiet["id"]], "only the stale task under stale")
    Select(page.find("#filter-aggregate")).select_by_value("")

    # The sessions view says which session has work that went quiet.
    page.go("#/sessions")
    card = page.wait_css(f'#session-list li[data-session-id="{crawler.session_id}"] [data-role=stale-work]')
    assert "Crawl the partner catalogue" in card.text
    assert not page.find_all(f'#session-list li[data-session-id="{resizer.session_id}"] [data-role=stale-work]')

    # The agent reports again: no longer stale, anywhere.
    crawler.update(quiet["id"], "working", notes="Still crawling, page 4,000 of 9,000")
    page.wait(lambda d: not page.find_all(f'#session-list li[data-session-id="{crawler.session_id}"] '
                                          '[data-role=stale-work]'), "the session's stale work to go")
    page.go(f"#/tasks/{quiet['id']}")
    page.wait_row_state(quiet["id"], aggregate="working")
    page.wait_css(f'#task-detail .progress-list li[data-session-id="{crawler.session_id}"][data-stale="false"]')
    assert not page.find_all("#task-list [data-role=stale]")
    assert not page.find_all("#task-detail .progress-list [data-role=stale]")
    assert "staleSince" not in api.task(quiet["id"])["sessionProgress"][0]


def test_suggestion_when_every_session_finished_is_one_click(browser, api, agents):
    shipped = api.create_task("Ship the changelog")
    flaky = api.create_task("Bisect the flaky test")
    writer = agents(api, "writer")
    checker = agents(api, "checker")
    for agent in (writer, checker):
        agent.queue(shipped["id"])
        agent.update(shipped["id"], "working")
    page = browser()
    page.open_task(shipped["id"])

    # One session finished, the other still works: nothing to suggest.
    writer.update(shipped["id"], "completed")
    page.wait_progress(writer.session_id, "completed")
    assert suggestion_buttons(page, shipped["id"]) == []
    assert not page.find("#task-detail .suggestion").is_displayed()

    # Both finished, one completed it: "Mark completed", on the row and in the detail, with the reason.
    checker.update(shipped["id"], "failed", notes="Could not reach the docs host")
    page.wait(lambda d: suggestion_buttons(page, shipped["id"]), "the suggestion on the row")
    button = suggestion_buttons(page, shipped["id"])[0]
    assert button.text == "Mark completed"
    assert button.get_attribute("data-target") == "completed"
    assert "one completed it" in page.row(shipped["id"]).text
    reason = page.wait_css("#task-detail .suggestion")
    assert "Every session has finished and one completed it — mark completed?" in reason.text
    assert api.task(shipped["id"])["status"] == "inprogress"  # offered, never applied by itself
    assert page.driver.execute_script(CONTRAST_CHECK) == []

    # A session takes it up again: the suggestion goes; it comes back when that session gives up.
    checker.update(shipped["id"], "working")
    page.wait(lambda d: not suggestion_buttons(page, shipped["id"]), "the suggestion to go")
    page.wait(lambda d: not page.find("#task-detail .suggestion").is_displayed(), "the detail's suggestion to go")
    checker.update(shipped["id"], "cancelled")
    page.wait(lambda d: suggestion_buttons(page, shipped["id"]), "the suggestion to come back")

    # One click on the row: the task is completed (the user's change, through the API).
    suggestion_buttons(page, shipped["id"])[0].click()
    page.wait_row_state(shipped["id"], status="completed")
    page.wait_detail_status("completed")
    assert api.task(shipped["id"])["status"] == "completed"
    assert suggestion_buttons(page, shipped["id"]) == []
    assert not page.find("#task-detail .suggestion").is_displayed()

    # Every session failed: "Back to To Do" for another attempt, from the detail.
    writer.queue(flaky["id"])
    writer.update(flaky["id"], "working")
    writer.update(flaky["id"], "failed", notes="Ran out of retries")
    page.open_task(flaky["id"])
    button = page.wait_css('#task-detail .suggestion button[data-target="todo"]')
    assert button.text == "Back to To Do"
    assert "none completed it" in page.find("#task-detail .suggestion").text
    button.click()
    page.wait_detail_status("todo")
    page.wait_row_state(flaky["id"], status="todo")
    assert api.task(flaky["id"])["status"] == "todo"
    assert not page.find("#task-detail .suggestion").is_displayed()

    # A task changed by someone else loses its suggestion too.
    writer.update(flaky["id"], "working")
    writer.update(flaky["id"], "completed")
    page.wait_css('#task-detail .suggestion button[data-target="completed"]')
    api.set_status(flaky["id"], "cancelled")
    page.wait_detail_status("cancelled")
    page.wait(lambda d: not page.find("#task-detail .suggestion").is_displayed(), "the suggestion to go")
    assert suggestion_buttons(page, flaky["id"]) == []

"""Live updates: a change in one window shows in another, the page survives a server restart by resuming from
its last event id (no reload, no duplicates), and a `resync` makes it load a fresh snapshot."""

from maestro_env import Api, cli_without_session, wait_until


def test_change_in_one_window_appears_in_the_second(browser, api):
    task = api.create_task("Review the on-call runbook")
    first = browser()
    second = browser()
    first.open_task(task["id"])
    second.open_task(task["id"])
    second.mark_page()

    first.click_transition("inprogress")
    second.wait_detail_status("inprogress")
    second.wait_row_state(task["id"], status="inprogress")
    assert second.transition_targets() == ["completed", "todo", "cancelled"]

    second.find("#create-task summary").click()
    second.find("#new-title").send_keys("Page the database team")
    second.find("#create-task-submit").click()
    first.wait_text("#task-list li", "Page the database team")
    second.assert_not_reloaded()


def test_server_restart_resumes_and_shows_changes_made_meanwhile(browser, own_server, binaries, redis, agents):
    api = Api(own_server.base_url, "restart-project")
    waiting = api.create_task("Upgrade the TLS certificates")
    untouched = api.create_task("Archive last year's logs")
    agent = agents(api, "night-shift")
    page = browser(base_url=own_server.base_url, project_id="restart-project")
    page.wait_row(untouched["id"])
    page.mark_page()

    own_server.stop()
    page.wait(lambda d: page.connection_state() == "offline", "the indicator to show the disconnection")
    assert "retrying" in page.connection_text()

    # While the server is down, agents and scripts keep writing straight to Redis.
    agent.queue(waiting["id"])
    agent.update(waiting["id"], "working")
    agent.update(waiting["id"], "blocked", notes="Waiting for the CA to sign")
    created = cli_without_session(binaries, redis, "restart-project", "task", "create", "Renew the wildcard domain")

    own_server.start()
    page.wait_live(timeout=30)
    row = page.wait_row_state(waiting["id"], status="inprogress", aggregate="blocked")
    assert "Waiting for the CA to sign" in row.text
    new_row = page.wait_row(created.split()[-1])
    assert "Renew the wildcard domain" in new_row.text
    page.assert_not_reloaded()
    # Nothing twice: three tasks, one row each; the resumed session shows once on its task.
    assert sorted(page.row_ids()) == sorted([waiting["id"], untouched["id"], created.split()[-1]])
    page.open_task(waiting["id"])
    assert len(page.find_all("#task-detail .progress-list li")) == 1
    page.wait_css("#task-detail .banner-blocked")


def test_resync_loads_a_fresh_snapshot(browser, api, binaries, redis, project):
    first = api.create_task("Measure the cold start")
    page = browser()
    page.wait_row(first["id"])
    page.mark_page()
    # The page falls far behind: it stops listening, and the events it missed are trimmed from the stream.
    last_id = page.driver.execute_script(
        "const app = window.maestroDashboard; const id = app.live.lastId; app.live.stop(); return id;")
    missed = api.create_task("Profile the allocator")
    redis.command("XTRIM", f"mae:{{{project}}}:events", "MAXLEN", "0")
    later = api.create_task("Cache the compiled templates")
    wait_until(lambda: redis.command("XLEN", f"mae:{{{project}}}:events") == 1, 5, "the trimmed stream")

    page.driver.execute_script("window.maestroDashboard.live.start(arguments[0]);", last_id)
    page.wait_row(missed["id"])
    page.wait_row(later["id"])
    page.wait_text(".notice", "Reloaded the latest state")
    page.wait_live()
    page.assert_not_reloaded()
    # And it is live again from the new snapshot's cursor.
    api.set_status(first["id"], "inprogress")
    page.wait_row_state(first["id"], status="inprogress")

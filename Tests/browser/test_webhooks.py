"""The webhooks page (#/webhooks): the list, adding a webhook (its secret shown once), its deliveries as a real
receiver answers them, sending a failed delivery again, and deleting. On a redis-server and a delivering
maestro-server of the test's own: webhooks are global, and the shared server (which refuses 127.0.0.1 targets)
must not try them."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from maestro_env import Api, MaestroServer, RedisServer, webhook_delivery_args
from test_page import CONTRAST_CHECK
from webhook_receiver import WebhookReceiver


@pytest.fixture
def delivering_server(binaries, work_dir, artifacts):
    redis = RedisServer(work_dir, artifacts, name="webhooks-redis")
    server = MaestroServer(binaries, redis, work_dir, artifacts,
                           extra_args=webhook_delivery_args(retry_schedule="200ms")).start()
    yield server
    server.stop()
    redis.stop()


def card(page, webhook_id):
    cards = page.find_all(f'#webhook-list li[data-webhook-id="{webhook_id}"]')
    return cards[0] if cards else None


def delivery_row(page, webhook_id, event_id, state=None):
    """The row of one delivery (in `state`, when given), or None."""
    found = card(page, webhook_id)
    rows = found.find_elements(By.CSS_SELECTOR, f'tr[data-event-id="{event_id}"]') if found else []
    if rows and (state is None or rows[0].get_attribute("data-state") == state):
        return rows[0]
    return None


def test_add_watch_retry_and_delete_a_webhook(delivering_server, browser, project, artifacts):
    api = Api(delivering_server.base_url, project)
    with WebhookReceiver(answers=[500, 500]) as receiver:
        page = browser(base_url=delivering_server.base_url, path="#/webhooks")
        page.wait_css("#webhooks-view")
        assert page.find("#nav-webhooks").get_attribute("aria-current") == "page"
        assert page.find("#tasks-view").get_attribute("hidden") is not None
        page.wait_text("#webhook-list-empty", "No webhooks yet")

        # Add: a URL the form refuses first, then the receiver's, for this project only.
        page.find("#create-webhook summary").click()
        url_input = page.find("#webhook-url")
        url_input.send_keys("ftp://example.com/hook")
        page.find("#create-webhook-submit").click()
        page.wait_text("#create-webhook-error", "http:// or https://")
        url_input.clear()
        url_input.send_keys(receiver.url)
        page.find("#webhook-all-events").click()
        assert Select(page.find("#webhook-scope")).first_selected_option.text == f"Only {project}"
        page.find("#create-webhook-submit").click()
        secret = page.wait_css("#webhook-secret").text
        assert secret.startswith("whsec_") and len(secret) == 50
        [webhook] = api.call("GET", "/api/webhooks")["webhooks"]
        assert webhook["url"] == receiver.url and webhook["events"] == ["*"] and webhook["projectId"] == project
        assert "secret" not in webhook
        page.wait(lambda d: card(page, webhook["id"]), "the new webhook's card")
        assert "Signed JSON" in card(page, webhook["id"]).text
        assert f"Project {project}: all events" in card(page, webhook["id"]).text
        assert page.driver.execute_script(CONTRAST_CHECK) == []

        # The secret is shown once: after a reload the page no longer has it.
        page.open(token=None, path="#/webhooks")
        page.wait_live()
        page.wait(lambda d: card(page, webhook["id"]), "the card after a reload")
        assert secret not in page.driver.page_source

        # Deliveries: the receiver fails both attempts, so the delivery is dead; "Send again" delivers it.
        api.create_task("Tell the receiver")
        page.wait(lambda d: card(page, webhook["id"]).find_elements(By.CSS_SELECTOR, 'tr[data-state="dead"]'),
                  "a dead delivery", timeout=20)
        row = card(page, webhook["id"]).find_element(By.CSS_SELECTOR, 'tr[data-state="dead"]')
        event_id = row.get_attribute("data-event-id")
        assert event_id == receiver.received()[0].webhook_id
        assert "HTTP 500" in row.text and "Failed for good" in row.text
        page.driver.save_screenshot(str(artifacts / "webhooks-dead-delivery.png"))
        assert row.find_elements(By.CSS_SELECTOR, "td")[3].text == "2"
        row.find_element(By.CSS_SELECTOR, "button[data-action=retry]").click()
        page.wait(lambda d: delivery_row(page, webhook["id"], event_id, "delivered"), "the delivery sent again",
                  timeout=20)
        assert [request.status for request in receiver.received()] == [500, 500, 200]
        assert "Delivered" in delivery_row(page, webhook["id"], event_id).text

        # Delete, after a confirmation.
        webhook_card = card(page, webhook["id"])
        webhook_card.find_element(By.CSS_SELECTOR, "button[data-action=delete]").click()
        webhook_card.find_element(By.CSS_SELECTOR, "button[data-action=confirm-delete]").click()
        page.wait(lambda d: card(page, webhook["id"]) is None, "the card to go")
        page.wait_text("#webhook-list-empty", "No webhooks yet")
        assert api.call("GET", "/api/webhooks")["webhooks"] == []
        assert api.call("GET", f"/api/webhooks/{webhook['id']}", expect=404) is not None

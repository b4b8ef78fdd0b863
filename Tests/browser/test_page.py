"""The page itself: the user token (from the address or asked for, then remembered), switching projects, a
400-pixel-wide window used with the keyboard, opt-in notifications, and the screenshot in the documentation."""

import os
import shutil
from urllib.parse import urlparse

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.common.action_chains import ActionChains

from maestro_env import REPO_ROOT, USER_TOKEN, Api, wait_until


def test_token_from_address_is_remembered_and_removed_from_it(browser, api):
    task = api.create_task("Check the token handling")
    page = browser()
    page.wait_row(task["id"])
    assert "token=" not in page.driver.current_url, "the #token= fragment is removed from the address bar"
    assert "project=" in page.driver.current_url
    # The live stream was opened with a single-use ticket, never with the token in its URL.
    streams = page.driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name).filter(n => n.includes('/ws'));")
    assert all("token=" not in url for url in streams), streams
    # A token in a URL's query is refused by the server (it would end up in its logs).
    assert api.status_of(f"/?token={USER_TOKEN}") == 401
    # Opened again without #token=, the page still knows it.
    page.open(token=None)
    page.wait_live()
    page.wait_row(task["id"])


def test_token_is_asked_for_when_missing_or_wrong(browser, api):
    task = api.create_task("Sign-in check")
    page = browser(token=None)
    form = page.wait_css("#signin-form", "the sign-in form")
    field = form.find_element(By.ID, "token-input")
    assert form.find_element(By.CSS_SELECTOR, "label[for=token-input]").text == "User token"
    field.send_keys("not-the-token", Keys.ENTER)
    error = page.wait_text("#signin-error", "did not accept")
    assert "token" in error.text
    field.clear()
    field.send_keys(USER_TOKEN, Keys.ENTER)
    page.wait_live()
    page.wait_row(task["id"])
    assert page.driver.execute_script("return localStorage.getItem('maestro.token');") == USER_TOKEN

    # A token the server stops accepting (or a wrong one remembered) brings the form back with the reason.
    page.driver.execute_script("localStorage.setItem('maestro.token', 'stale-token');")
    page.open(token=None)
    page.wait_text("#signin-error", "did not accept your user token")


def test_switch_project(browser, api, server):
    mine = api.create_task("Task in the first project")
    other = Api(server.base_url, f"{api.project}-other")
    theirs = other.create_task("Task in the second project")
    page = browser()
    page.wait_row(mine["id"])

    field = page.find("#project-input")
    field.clear()
    field.send_keys(other.project, Keys.ENTER)
    page.wait_row(theirs["id"])
    page.wait_live()
    assert page.find_all(f'#task-list li[data-task-id="{mine["id"]}"]') == []
    assert f"project={other.project}" in page.driver.current_url
    assert other.project in page.title()

    field = page.find("#project-input")
    field.clear()
    field.send_keys("no spaces allowed", Keys.ENTER)
    page.wait_text("#project-error", "project id")
    # Back goes to the first project.
    page.driver.back()
    page.wait_row(mine["id"])


def test_narrow_window_and_keyboard(browser, api, agents):
    task = api.create_task("A task with a rather long title that has to wrap on a narrow phone screen")
    agent = agents(api, "mobile")
    agent.queue(task["id"])
    agent.update(task["id"], "working")
    agent.update(task["id"], "blocked", notes="Waiting for the design review")
    page = browser(width=400, height=800)
    page.wait_row_state(task["id"], aggregate="blocked")
    assert page.viewport_width() <= 400
    assert page.page_width() <= page.viewport_width(), "the task list scrolls sideways at 400 px"

    # Keyboard only: Tab from the top reaches the task; Enter opens it.
    body = page.find("body")
    body.click()
    link = page.row(task["id"]).find_element(By.CSS_SELECTOR, "a")
    for _ in range(40):
        ActionChains(page.driver).send_keys(Keys.TAB).perform()
        if page.driver.switch_to.active_element == link:
            break
    assert page.driver.switch_to.active_element == link, "the task link cannot be reached with Tab"
    ActionChains(page.driver).send_keys(Keys.ENTER).perform()
    page.wait_detail(task["id"])
    # The detail takes the screen; focus moved to its heading.
    assert page.driver.switch_to.active_element.get_attribute("id") == "detail-title"
    assert not page.find("#task-list").is_displayed()
    page.wait_css("#task-detail .banner-blocked")
    assert page.page_width() <= page.viewport_width(), "the task detail scrolls sideways at 400 px"
    for button in page.find_all("#task-detail .transitions button"):
        assert button.is_displayed()
    page.find("#task-detail .back-link").click()
    page.wait_row(task["id"])
    page.wait(lambda d: not page.find("#task-detail").is_displayed(), "the list to come back")

    page.go("#/sessions")
    page.wait_text("#session-list li", "mobile")
    assert page.page_width() <= page.viewport_width(), "the sessions view scrolls sideways at 400 px"


def test_every_control_has_a_label(browser, api):
    api.create_task("Labels")
    page = browser()
    page.find("#create-task summary").click()
    unlabelled = page.driver.execute_script("""
        const missing = [];
        for (const control of document.querySelectorAll('input, select, textarea, button')) {
          if (control.closest('[hidden]') || control.type === 'hidden') continue;
          const labelled = (control.labels && control.labels.length) || control.getAttribute('aria-label')
            || control.getAttribute('aria-labelledby') || (control.tagName === 'BUTTON' && control.textContent.trim());
          if (!labelled) missing.push(control.outerHTML.slice(0, 80));
        }
        return missing;
    """)
    assert unlabelled == []


def test_opt_in_notification_when_a_session_starts_needing_input(browser, api, agents, server):
    task = api.create_task("Pick a database engine")
    agent = agents(api, "architect")
    agent.queue(task["id"])
    agent.update(task["id"], "working")
    page = browser()
    page.driver.execute_cdp_cmd("Browser.grantPermissions", {"origin": server.base_url, "permissions": ["notifications"]})
    page.driver.execute_script("""
        window.__notifications = [];
        const Real = window.Notification;
        window.Notification = class {
          constructor(title, options) { window.__notifications.push({ title, body: options && options.body }); }
          addEventListener() {}
          close() {}
          static get permission() { return Real.permission; }
          static requestPermission() { return Real.requestPermission(); }
        };
    """)
    toggle = page.find("#notify-toggle")
    assert toggle.get_attribute("aria-pressed") == "false"
    toggle.click()
    page.wait(lambda d: page.find("#notify-toggle").get_attribute("aria-pressed") == "true", "notifications on")

    agent.update(task["id"], "needs_input", notes="Postgres or SQLite?")
    notes = page.wait(lambda d: d.execute_script("return window.__notifications;"), "a notification")
    assert notes[0]["title"] == "Input needed: Pick a database engine"
    assert "Postgres or SQLite?" in notes[0]["body"]
    page.wait(lambda d: d.title.startswith("(1) "), "the title count")


def test_documentation_screenshot(browser, server, agents, artifacts):
    """A realistic state — several tasks, one blocked, one needing input — saved as docs/screenshots/dashboard.png
    when MAESTRO_UPDATE_SCREENSHOTS=1 (always into the artifacts)."""
    api = Api(server.base_url, "acme-web")
    payments = api.create_task("Migrate billing to the v2 payments API", priority="high",
                               description="Every call from /v1/charges to /v2/payment_intents; keep refunds working.")
    limits = api.create_task("Add rate limiting to the public API", priority="urgent")
    bucket = api.create_task("Token bucket in Redis for the limiter", parentId=limits["id"])
    docs = api.create_task("Write the CLI onboarding guide", priority="low")
    flaky = api.create_task("Fix the flaky login test")
    api.create_task("Upgrade to Node 22 in CI")
    builder, reviewer, writer = agents(api, "builder-1"), agents(api, "reviewer"), agents(api, "docs-writer")
    for agent in (builder, reviewer, writer):
        agent.supervise()
    wait_until(lambda: all(api.session(agent.session_id)["status"] == "active" for agent in (builder, reviewer, writer)),
               15, "the agents to be active")
    builder.queue(payments["id"], bucket["id"])
    builder.update(payments["id"], "working")
    builder.update(bucket["id"], "working")
    reviewer.queue(limits["id"])
    reviewer.update(limits["id"], "working")
    reviewer.update(limits["id"], "blocked", notes="Need the staging Redis password to load-test the limiter")
    writer.queue(docs["id"], flaky["id"])
    writer.update(docs["id"], "working")
    writer.update(docs["id"], "completed")
    writer.update(flaky["id"], "working")
    api.set_status(docs["id"], "completed")
    page = browser(width=1360, height=900, project_id="acme-web")
    builder.update(payments["id"], "needs_input",
                   notes="Should refunds move to the v2 API now, or stay on v1 until the Q3 cut-over?")
    page.open_task(payments["id"])
    page.wait_css("#task-detail .prompt")
    page.wait_text("#task-detail .history-list", "reported")
    page.wait(lambda d: d.title.startswith("(1)"), "the title count")
    page.driver.execute_script("document.activeElement && document.activeElement.blur();")
    page.driver.execute_script("for (const n of document.querySelectorAll('.notice')) n.remove();")
    path = artifacts / "dashboard.png"
    page.driver.save_screenshot(str(path))
    if os.environ.get("MAESTRO_UPDATE_SCREENSHOTS") == "1":
        target = REPO_ROOT / "docs" / "screenshots" / "dashboard.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)


CONTRAST_CHECK = """
const parse = (text) => {
  const m = text.match(/rgba?\\(([^)]+)\\)/);
  if (!m) return null;
  const [r, g, b, a = 1] = m[1].split(',').map((part) => parseFloat(part));
  return { r, g, b, a };
};
const luminance = ({ r, g, b }) => {
  const channel = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
};
const background = (element) => {
  for (let node = element; node; node = node.parentElement) {
    const color = parse(getComputedStyle(node).backgroundColor);
    if (color && color.a > 0.5) return color;
  }
  return { r: 255, g: 255, b: 255, a: 1 };
};
const failures = [];
for (const element of document.querySelectorAll('body *')) {
  const text = [...element.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join('').trim();
  if (!text || !element.getClientRects().length || element.closest('[aria-hidden=true]')) continue;
  if (element.matches(':disabled') || element.closest(':disabled')) continue;
  const style = getComputedStyle(element);
  if (style.visibility === 'hidden' || parseFloat(style.opacity) < 1) continue;
  const fg = parse(style.color);
  const bg = background(element);
  const [light, dark] = [luminance(fg), luminance(bg)].sort((x, y) => y - x);
  const ratio = (light + 0.05) / (dark + 0.05);
  const size = parseFloat(style.fontSize);
  const large = size >= 24 || (size >= 18.66 && parseInt(style.fontWeight, 10) >= 700);
  if (ratio < (large ? 3 : 4.5)) failures.push(`${ratio.toFixed(2)} ${element.tagName}.${element.className}: ${text.slice(0, 40)}`);
}
return failures;
"""


def test_text_contrast(browser, api, agents):
    """Every piece of text in the list, a task's detail and the sessions view reaches WCAG AA contrast."""
    asking = api.create_task("A question", priority="urgent")
    blocked = api.create_task("A block", priority="high")
    done = api.create_task("Done", priority="low")
    api.create_task("Cancelled one")
    agent = agents(api, "contrast")
    agent.queue(asking["id"], blocked["id"], done["id"])
    for task_id in (asking["id"], blocked["id"], done["id"]):
        agent.update(task_id, "working")
    agent.update(blocked["id"], "blocked", notes="No key")
    agent.update(asking["id"], "needs_input", notes="Which one?")
    agent.update(done["id"], "completed")
    api.set_status(done["id"], "completed")
    page = browser()
    page.open_task(asking["id"])
    page.wait_css("#task-detail .prompt")
    page.wait_text("#task-detail .history-list", "reported")
    assert page.driver.execute_script(CONTRAST_CHECK) == []
    page.open_task(blocked["id"])
    page.wait_css("#task-detail .banner-blocked")
    assert page.driver.execute_script(CONTRAST_CHECK) == []
    page.go("#/sessions")
    page.wait_text("#session-list li", "contrast")
    assert page.driver.execute_script(CONTRAST_CHECK) == []
    page.driver.execute_script("window.maestroDashboard.signOut('', { forget: true });")
    page.wait_css("#signin-form")
    assert page.driver.execute_script(CONTRAST_CHECK) == []

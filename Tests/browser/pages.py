"""The dashboard as the tests see it: finding things by what a person sees (and by the data attributes the page
puts on rows), and waiting for them with explicit, bounded waits."""

from __future__ import annotations

from urllib.parse import quote

from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

WAIT_S = 15


class Dashboard:
    def __init__(self, driver: WebDriver, base_url: str, project: str):
        self.driver = driver
        self.base_url = base_url
        self.project = project

    # Navigation

    def open(self, token: str | None, path: str = "#/tasks"):
        if self.driver.current_url.startswith(self.base_url):
            self.driver.get("about:blank")  # the same address again would only change the hash, not load the page
        query = f"?project={quote(self.project)}"
        # The token rides in the fragment, which browsers never send: `#token=…&/route`.
        fragment = f"#token={quote(token)}&{path.lstrip('#')}" if token else path
        self.driver.get(f"{self.base_url}/{query}{fragment}")
        if token:
            self.wait_live()
        return self

    def mark_page(self):
        """Sets a marker that only survives while the page is not reloaded."""
        self.driver.execute_script("window.__notReloaded = true;")

    def assert_not_reloaded(self):
        assert self.driver.execute_script("return window.__notReloaded === true;"), "the page was reloaded"

    def go(self, hash_path: str):
        self.driver.execute_script("window.location.hash = arguments[0];", hash_path)

    # Waiting

    def wait(self, condition, what: str, timeout: float = WAIT_S):
        """Waits until `condition(driver)` is truthy (stale elements and driver hiccups are retried)."""
        return WebDriverWait(self.driver, timeout, poll_frequency=0.05,
                             ignored_exceptions=(StaleElementReferenceException,)).until(
            condition, message=f"waiting for {what}")

    def wait_live(self, timeout: float = WAIT_S):
        self.wait(lambda d: self.connection_state() == "live", "the live connection", timeout)

    def connection_state(self) -> str:
        return self.driver.find_element(By.ID, "connection").get_attribute("data-state")

    def connection_text(self) -> str:
        return self.driver.find_element(By.ID, "connection-text").text

    def find(self, css: str):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css: str):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def wait_css(self, css: str, what: str | None = None, timeout: float = WAIT_S):
        return self.wait(lambda d: _first_displayed(d.find_elements(By.CSS_SELECTOR, css)), what or css, timeout)

    def wait_text(self, css: str, text: str, timeout: float = WAIT_S):
        """Waits until an element matching `css` shows `text` (a substring); returns the element."""

        def found(driver):
            for element in driver.find_elements(By.CSS_SELECTOR, css):
                if text in element.text:
                    return element
            return None

        return self.wait(found, f"{css} to show {text!r}", timeout)

    # Task list

    def row(self, task_id: str):
        return self.find(f'#task-list li[data-task-id="{task_id}"]')

    def wait_row(self, task_id: str, timeout: float = WAIT_S):
        return self.wait_css(f'#task-list li[data-task-id="{task_id}"]', f"the row of task {task_id}", timeout)

    def wait_row_state(self, task_id: str, status: str | None = None, aggregate: str | None = None,
                       timeout: float = WAIT_S):
        """Waits until the task's row shows this task status and/or aggregate session status."""

        def matches(driver):
            rows = driver.find_elements(By.CSS_SELECTOR, f'#task-list li[data-task-id="{task_id}"]')
            if not rows:
                return None
            row = rows[0]
            if status and row.get_attribute("data-status") != status:
                return None
            if aggregate and row.get_attribute("data-aggregate") != aggregate:
                return None
            return row

        return self.wait(matches, f"task {task_id} to show status={status} aggregate={aggregate}", timeout)

    def row_ids(self) -> list[str]:
        return [row.get_attribute("data-task-id") for row in self.find_all("#task-list li")]

    def open_task(self, task_id: str):
        self.wait_row(task_id).find_element(By.CSS_SELECTOR, "a").click()
        return self.wait_detail(task_id)

    def wait_detail(self, task_id: str, timeout: float = WAIT_S):
        return self.wait_css(f'#task-detail[data-task-id="{task_id}"]', f"the detail of {task_id}", timeout)

    # Task detail

    def transition_targets(self) -> list[str]:
        return [button.get_attribute("data-target") for button in self.find_all("#task-detail .transitions button")]

    def wait_detail_status(self, status: str, timeout: float = WAIT_S):
        self.wait(lambda d: self.find("#task-detail").get_attribute("data-status") == status,
                  f"the detail to show status {status}", timeout)

    def click_transition(self, target: str):
        self.find(f'#task-detail .transitions button[data-target="{target}"]').click()

    def progress_row(self, session_id: str):
        return self.find(f'#task-detail .progress-list li[data-session-id="{session_id}"]')

    def wait_progress(self, session_id: str, status: str, timeout: float = WAIT_S):
        css = f'#task-detail .progress-list li[data-session-id="{session_id}"][data-status="{status}"]'
        return self.wait_css(css, f"session {session_id} to be {status} in the detail", timeout)

    # Sessions view

    def session_card(self, session_id: str):
        return self.find(f'#session-list li[data-session-id="{session_id}"]')

    def wait_session_status(self, session_id: str, status: str, timeout: float = WAIT_S):
        css = f'#session-list li[data-session-id="{session_id}"][data-status="{status}"]'
        return self.wait_css(css, f"session {session_id} to be {status}", timeout)

    def title(self) -> str:
        return self.driver.title

    def page_width(self) -> int:
        return self.driver.execute_script("return document.documentElement.scrollWidth;")

    def viewport_width(self) -> int:
        return self.driver.execute_script("return document.documentElement.clientWidth;")


def _first_displayed(elements):
    for element in elements:
        try:
            if element.is_displayed():
                return element
        except WebDriverException:
            continue
    return None

"""Just enough of Firefox's Marionette protocol (the one geckodriver speaks to Firefox) to drive a headless
Firefox without geckodriver, which Debian does not package: navigate, run scripts, find, type, click, screenshot.

Messages are `<length>:<json>`; a command is `[0, id, name, params]`, its reply `[1, id, error, result]`."""

from __future__ import annotations

import base64
import json
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from maestro_env import clean_environment, free_port, stop_process

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"  # the W3C WebDriver element reference key


def firefox_binary() -> str | None:
    return shutil.which("firefox-esr") or shutil.which("firefox")


class Firefox:
    """A headless Firefox with its own profile, listening for Marionette on a free port."""

    def __init__(self, width: int = 1280, height: int = 900):
        self.profile = Path(tempfile.mkdtemp(prefix="maestro-firefox-"))
        port = free_port()
        (self.profile / "user.js").write_text(
            f'user_pref("marionette.port", {port});\n'
            'user_pref("browser.shell.checkDefaultBrowser", false);\n'
            'user_pref("datareporting.policy.dataSubmissionEnabled", false);\n')
        self.process = subprocess.Popen(
            [firefox_binary(), "--headless", "--marionette", "--no-remote", "--profile", str(self.profile),
             f"--window-size={width},{height}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=clean_environment())
        deadline = time.monotonic() + 30
        while True:
            try:
                self.sock = socket.create_connection(("127.0.0.1", port), timeout=20)
                break
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.quit()
                    raise RuntimeError("Firefox did not open its Marionette port")
                time.sleep(0.1)
        self.buffer = b""
        self.next_id = 0
        self._read()  # the greeting
        self.command("WebDriver:NewSession", {"capabilities": {}})

    def _read(self):
        while b":" not in self.buffer:
            self.buffer += self._recv()
        length, rest = self.buffer.split(b":", 1)
        size = int(length)
        while len(rest) < size:
            rest += self._recv()
        self.buffer = rest[size:]
        return json.loads(rest[:size])

    def _recv(self) -> bytes:
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("Firefox closed the Marionette connection")
        return data

    def command(self, name: str, params: dict | None = None):
        self.next_id += 1
        data = json.dumps([0, self.next_id, name, params or {}]).encode()
        self.sock.sendall(str(len(data)).encode() + b":" + data)
        while True:
            message = self._read()
            if message[0] == 1 and message[1] == self.next_id:
                if message[2]:
                    raise RuntimeError(f"{name}: {message[2]}")
                return message[3]

    def navigate(self, url: str):
        self.command("WebDriver:Navigate", {"url": url})

    def script(self, body: str, *args):
        return self.command("WebDriver:ExecuteScript", {"script": body, "args": list(args)})["value"]

    def wait_for(self, expression: str, what: str, timeout: float = 15):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.script(f"return {expression};")
            if value:
                return value
            time.sleep(0.1)
        raise TimeoutError(f"Firefox: timed out waiting for {what}")

    def find(self, css: str) -> str:
        found = self.command("WebDriver:FindElement", {"using": "css selector", "value": css})["value"]
        return found[ELEMENT]

    def type(self, css: str, text: str):
        self.command("WebDriver:ElementSendKeys", {"id": self.find(css), "text": text})

    def click(self, css: str):
        self.command("WebDriver:ElementClick", {"id": self.find(css)})

    def screenshot(self, path: Path):
        png = self.command("WebDriver:TakeScreenshot", {"full": False})["value"]
        path.write_bytes(base64.b64decode(png))

    def quit(self):
        try:
            if getattr(self, "sock", None):
                self.command("Marionette:Quit", {"flags": ["eForceQuit"]})
        except Exception:  # noqa: BLE001 - it may be gone already
            pass
        if getattr(self, "sock", None):
            self.sock.close()
        stop_process(self.process, grace=5)
        shutil.rmtree(self.profile, ignore_errors=True)

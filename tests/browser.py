"""Headless Chromium for the page tests, driven over the DevTools protocol on a pipe
(``--remote-debugging-pipe``: NUL-terminated JSON on file descriptors 3 and 4), with the
standard library only: each page's console errors, uncaught exceptions, log errors (a
Content-Security-Policy refusal among them) and requests beyond the page are recorded."""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

__all__ = ["Browser", "BrowserError", "Tab", "find_chromium"]

# Where Debian, Ubuntu and others put it; MODSPEC_CHROMIUM names another.
_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT = 60.0


class BrowserError(RuntimeError):
    """The browser went away, answered with an error, or took too long."""


def find_chromium() -> str | None:
    given = os.environ.get("MODSPEC_CHROMIUM")
    if given:
        return given
    return next((found for name in _NAMES if (found := shutil.which(name))), None)


class Browser:
    """One headless Chromium for a test session; ``open`` loads a page in a new tab."""

    def __init__(self, executable: str) -> None:
        self._profile = tempfile.mkdtemp(prefix="modspec-chromium-")
        to_browser, self._to_browser = os.pipe()
        self._from_browser, from_browser = os.pipe()

        def pipes_at_3_and_4() -> None:
            # In the child: the protocol's descriptors where Chromium looks for them.
            reading, writing = os.dup(to_browser), os.dup(from_browser)
            os.dup2(reading, 3)
            os.dup2(writing, 4)

        self._process = subprocess.Popen(
            [
                executable,
                "--headless",
                "--remote-debugging-pipe",
                f"--user-data-dir={self._profile}",
                # As root (CI runs as root) Chromium's sandbox refuses to start; the pages
                # are the test's own.
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                "--disable-background-networking",
                "--hide-scrollbars",
                "about:blank",
            ],
            preexec_fn=pipes_at_3_and_4,  # no thread of the tests runs meanwhile
            close_fds=False,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_browser)
        os.close(from_browser)
        self._buffer = b""
        self._next_id = 0
        self._events: list[dict[str, Any]] = []

    # -- the protocol ------------------------------------------------------------------

    def _send(self, method: str, params: dict[str, Any], session: str | None) -> int:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session is not None:
            message["sessionId"] = session
        data = json.dumps(message).encode() + b"\0"
        try:
            while data:
                data = data[os.write(self._to_browser, data) :]
        except OSError as exc:
            raise BrowserError(f"the browser went away: {exc}") from None
        return self._next_id

    def _receive(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._from_browser], [], [], max(left, 0))
            if not ready:
                raise BrowserError("the browser did not answer in time")
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise BrowserError("the browser went away")
            self._buffer += chunk
        raw, _, self._buffer = self._buffer.partition(b"\0")
        message: dict[str, Any] = json.loads(raw)
        return message

    def call(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None
    ) -> dict[str, Any]:
        """The result of a protocol command; events that come meanwhile are kept."""
        wanted = self._send(method, params or {}, session)
        deadline = time.monotonic() + TIMEOUT
        while True:
            message = self._receive(deadline)
            if message.get("id") == wanted:
                if "error" in message:
                    raise BrowserError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result
            self._events.append(message)

    def wait_for(self, method: str, session: str) -> None:
        deadline = time.monotonic() + TIMEOUT
        while not any(
            e.get("method") == method and e.get("sessionId") == session for e in self._events
        ):
            self._events.append(self._receive(deadline))

    def events(self, session: str) -> list[dict[str, Any]]:
        return [e for e in self._events if e.get("sessionId") == session]

    # -- pages -------------------------------------------------------------------------

    def open(self, page: Path, *, scripts: bool = True, width: int = 1300) -> Tab:
        """A new tab with ``page`` loaded (its load event fired); ``scripts`` False loads it
        as a reader with JavaScript off would see it."""
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Page", "Runtime", "Log", "Network", "DOM"):
            self.call(f"{domain}.enable", session=session)
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False},
            session,
        )
        if not scripts:
            self.call("Emulation.setScriptExecutionDisabled", {"value": True}, session)
        url = page.resolve().as_uri()
        self.call("Page.navigate", {"url": url}, session)
        self.wait_for("Page.loadEventFired", session)
        return Tab(self, target, session, url)

    def close(self) -> None:
        with contextlib.suppress(BrowserError):
            self.call("Browser.close")
        try:
            self._process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)
        shutil.rmtree(self._profile, ignore_errors=True)


class Tab:
    """A loaded page: what went wrong while it loaded, and its DOM."""

    def __init__(self, browser: Browser, target: str, session: str, url: str) -> None:
        self._browser = browser
        self._target = target
        self._session = session
        self.url = url

    def problems(self) -> list[str]:
        """Console errors and warnings, uncaught exceptions, the log's errors (a refused
        script or style, a failed load) and every request for something but the page."""
        # A round trip first: what the page logged as it loaded has arrived by then.
        self._browser.call("DOM.getDocument", {"depth": 0}, self._session)
        found = []
        for event in self._browser.events(self._session):
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params["type"] in ("error", "warning"):
                texts = [str(arg.get("value", arg.get("description"))) for arg in params["args"]]
                found.append(f"console.{params['type']}: {' '.join(texts)}")
            elif method == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]
                found.append(f"exception: {details.get('exception', details).get('description')}")
            elif method == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning"):
                found.append(f"log: {params['entry']['text']}")
            elif method == "Network.requestWillBeSent" and params["request"]["url"] != self.url:
                found.append(f"request: {params['request']['url']}")
        return found

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (scripts must be on)."""
        result = self._browser.call(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            self._session,
        )
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def count(self, selector: str) -> int:
        """How many elements match a CSS selector, read through the DOM domain: this works
        with the page's scripts off."""
        root = self._browser.call("DOM.getDocument", {"depth": 0}, self._session)["root"]
        found = self._browser.call(
            "DOM.querySelectorAll", {"nodeId": root["nodeId"], "selector": selector}, self._session
        )
        return len(found["nodeIds"])

    def html(self) -> str:
        """The document as the browser holds it (after any script ran)."""
        root = self._browser.call("DOM.getDocument", {"depth": 0}, self._session)["root"]
        outer = self._browser.call("DOM.getOuterHTML", {"nodeId": root["nodeId"]}, self._session)
        text: str = outer["outerHTML"]
        return text

    def close(self) -> None:
        self._browser.call("Target.closeTarget", {"targetId": self._target})

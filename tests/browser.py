"""Helpers for the browser tests: Debian's chromium through Playwright, servers on 127.0.0.1 only."""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("AUGBENCH_TEST_ARTIFACTS", Path(__file__).resolve().parent.parent
                                / "test-artifacts"))


def require_chromium():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("chromium is missing in CI: `make test` installs it (scripts/install-system.sh)")
        pytest.skip("Debian chromium not installed (run `make system`)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, proc: subprocess.Popen | None = None, timeout: float = 90.0, log_path=None) -> None:
    deadline = time.time() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=60)
            return
        except Exception:
            if proc is not None and proc.poll() is not None:
                out = Path(log_path).read_text() if log_path else (proc.stdout.read() if proc.stdout else "")
                raise RuntimeError(f"server exited with {proc.returncode} before {url} answered:\n{out[-3000:]}")
            if time.time() > deadline:
                raise TimeoutError(f"{url} did not answer within {timeout} s")
            time.sleep(0.3)


@contextlib.contextmanager
def managed_server(argv: list[str], ready_url: str, log_path: Path, *, timeout: float = 180.0):
    """Start a server subprocess (output to ``log_path``), wait until ``ready_url`` answers, stop it on exit.

    A log file, not a pipe: an unread pipe fills up and blocks the server. Only our own child is stopped.
    """
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "w") as log:
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, text=True)
        try:
            wait_http(ready_url, proc, timeout=timeout, log_path=log_path)
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


@contextlib.contextmanager
def serve_section(section: str, port: int | None = None):
    """`augbench serve SECTION` on 127.0.0.1 in a subprocess; yields (url, proc)."""
    port = port or free_port()
    url = f"http://127.0.0.1:{port}/{section}"
    argv = [sys.executable, "-m", "augbench", "serve", section, "--port", str(port)]
    with managed_server(argv, url, ARTIFACTS / f"serve-{section}.log") as proc:
        yield url, proc


@contextlib.contextmanager
def browser():
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            yield b
        finally:
            b.close()


def watch_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    out = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(out), full_page=True)
    return out

"""JupyterLab on 127.0.0.1 with a token opens a curated notebook in Chromium; `augbench serve` refuses a busy port."""
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from browser import browser, free_port, managed_server, screenshot, watch_errors
from conftest import augbench_cmd

pytestmark = pytest.mark.browser

NB_DIR = Path(__file__).resolve().parent.parent / "notebooks"


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("lab")
    for p in NB_DIR.glob("*.ipynb"):
        shutil.copy(p, root)
    port, token = free_port(), "augbench-test-token"
    argv = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip", "127.0.0.1", "--port", str(port),
            f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}", "--allow-root",
            "--ServerApp.port_retries=0"]
    with managed_server(argv, f"http://127.0.0.1:{port}/api/status?token={token}", root / "_lab.log",
                        timeout=120):
        yield f"http://127.0.0.1:{port}", token


def test_jupyterlab_opens_notebook_with_idle_kernel(lab):
    from playwright.sync_api import expect

    base, token = lab
    name = sorted(p.name for p in NB_DIR.glob("*.ipynb"))[0]
    with browser() as b:
        page = b.new_page(viewport={"width": 1400, "height": 900})
        errors = watch_errors(page)
        page.goto(f"{base}/lab/tree/{name}?token={token}")
        page.locator(".jp-Notebook").first.wait_for(timeout=60000)
        page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").first.wait_for(timeout=60000)
        # the notebook's own title cell is rendered (Lab renders cells lazily, so only the first is asserted)
        title = nbformat.read(str(NB_DIR / name), as_version=4).cells[0].source.splitlines()[0].lstrip("# ")
        expect(page.locator(".jp-MarkdownCell h1").first).to_contain_text(title, timeout=30000)
        screenshot(page, "jupyterlab")
        bad = [e for e in errors if "favicon" not in e]
        assert bad == [], bad


def test_serve_refuses_busy_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        res = subprocess.run(augbench_cmd("serve", "cognition", "--port", str(port)), capture_output=True,
                             text=True, timeout=60)
    assert res.returncode == 2
    assert f"port {port}" in res.stderr and "already in use" in res.stderr


def test_serve_refuses_unknown_section():
    res = subprocess.run(augbench_cmd("serve", "astrology"), capture_output=True, text=True, timeout=60)
    assert res.returncode != 0 and "unknown section 'astrology'" in res.stderr

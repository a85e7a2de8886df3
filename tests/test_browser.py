"""Chapter 04 in a real browser: JupyterLab + headless Debian Chromium, driven by Playwright.

The test starts its own JupyterLab (free localhost port, temporary token, temporary config,
runtime and data folders, serving a temporary copy of the notebook so nothing is autosaved into
the repository), opens 04_toy_gan_playground, runs all cells, presses play, waits, presses pause,
and asserts that the iteration counter advanced and that the plot image changed. A screenshot is
saved under test-artifacts/ (git-ignored).

It needs Debian's chromium at /usr/bin/chromium (or GAN_LESSONS_CHROMIUM) and the `playwright`
pip package; `make test` installs both. In CI neither missing piece is skipped: the test fails and says
what to install; outside CI, a missing Chromium skips the test with the same message.
"""

from __future__ import annotations

import io
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import chapters  # noqa: E402

pytestmark = pytest.mark.browser  # JupyterLab and Voila in headless Chromium

NOTEBOOK = chapters.chapter("toy_gan_playground").ipynb.name
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("GAN_LESSONS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]
RUN_ALL_TIMEOUT = 240  # seconds for the whole notebook (about 40 s in quick mode on a quiet 2-core CPU)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, timeout: float, proc: subprocess.Popen, log: Path) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise AssertionError(
                f"JupyterLab exited with code {proc.returncode} before it served {url}:\n"
                + log.read_text(errors="replace")[-3000:]
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(
        f"JupyterLab did not answer {url} within {timeout:.0f} s:\n" + log.read_text(errors="replace")[-3000:]
    )


@pytest.fixture
def jupyterlab(tmp_path):
    """A private JupyterLab on 127.0.0.1; yields (base_url, token); stops it afterwards."""
    root = tmp_path / "root"
    root.mkdir()
    shutil.copy(ROOT / "notebooks" / NOTEBOOK, root / NOTEBOOK)
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(os.environ)
    for name in ("config", "runtime", "data", "workspaces", "settings"):
        (tmp_path / name).mkdir()
    env.update(
        JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
        JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
        JUPYTER_DATA_DIR=str(tmp_path / "data"),
        JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "workspaces"),
        JUPYTERLAB_SETTINGS_DIR=str(tmp_path / "settings"),
        GAN_LESSONS_QUICK="1",
        JUPYTER_PLATFORM_DIRS="1",
    )
    # no "official Jupyter news?" toast over the notebook (user settings live in the temporary folder)
    news = tmp_path / "settings" / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    news.parent.mkdir(parents=True)
    news.write_text('{"fetchNews": "false"}')
    env.pop("MPLBACKEND", None)  # let the kernel use the inline backend, as a student's would
    log = tmp_path / "jupyterlab.log"
    cmd = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # CI runs as root
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            cmd, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=root, start_new_session=True
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_http(f"{base}/api/status?token={token}", 90, proc, log)
        yield base, token
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # the server and the kernels it started
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)


def _chromium_or_fail() -> str:
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        message = (
            f"Chromium not found at {CHROMIUM}. Install Debian's package (as root: apt-get update && "
            "apt-get install -y chromium; `make test` does this), or set GAN_LESSONS_CHROMIUM."
        )
        if not os.environ.get("CI"):  # a student's laptop without Chromium: say so; in CI it is a failure
            pytest.skip(message)
        pytest.fail(message, pytrace=False)
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.fail(
            "The playwright pip package is missing: pip install -e '.[test]' (make test does this).",
            pytrace=False,
        )
    return CHROMIUM


def _iteration(page) -> int:
    text = page.locator(".gl-playground .gl-step-counter .gl-iteration").first.text_content(timeout=10_000)
    return int(text.strip())


def _view_pixels(page):
    import numpy as np
    from PIL import Image

    png = page.locator(".gl-playground .gl-playground-view").first.screenshot(timeout=20_000)
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


class CellFailed(AssertionError):
    """A notebook cell raised: fail at once, without waiting for the timeout."""


def _wait_until(predicate, timeout: float, what: str, page=None, shot: str | None = None):
    end = time.monotonic() + timeout
    last = None
    while time.monotonic() < end:
        try:
            last = predicate()
            if last:
                return last
        except CellFailed:
            if page is not None and shot:
                ARTIFACTS.mkdir(exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / shot), full_page=True)
            raise
        except Exception as err:  # the DOM may be mid-update
            last = err
        time.sleep(0.5)
    if page is not None and shot:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / shot), full_page=True)
    raise AssertionError(
        f"timed out after {timeout:.0f} s waiting for {what} (last: {last!r})"
        + (f"; screenshot: test-artifacts/{shot}" if shot else "")
    )


def test_chapter_04_plays_in_jupyterlab(jupyterlab, tmp_path):
    chromium = _chromium_or_fail()
    from playwright.sync_api import sync_playwright

    base, token = jupyterlab
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=chromium,
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1400, "height": 1000},
        )
        try:
            page = context.pages[0] if context.pages else context.new_page()
            page.set_default_timeout(30_000)
            page.goto(
                f"{base}/lab/tree/{NOTEBOOK}?token={token}", wait_until="domcontentloaded", timeout=90_000
            )
            page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for(timeout=90_000)

            # wait for the kernel to be ready (accepting the kernel dialog if JupyterLab asks), then Run All
            def kernel_ready():
                dialog = page.locator(".jp-Dialog .jp-mod-accept")
                if dialog.count() and dialog.first.is_visible():
                    dialog.first.click()  # "Select Kernel: Python 3 (ipykernel)"
                toast = page.locator(".Toastify__toast button", has_text="No")
                if toast.count() and toast.first.is_visible():
                    toast.first.click()  # in case the news question shows up anyway
                with urllib.request.urlopen(f"{base}/api/sessions?token={token}", timeout=5) as r:
                    sessions = json.loads(r.read())
                return any(s.get("kernel") and s["kernel"].get("execution_state") == "idle" for s in sessions)

            _wait_until(kernel_ready, 120, "the notebook's kernel to start", page, "browser_04_kernel.png")
            page.locator(".lm-MenuBar-item", has_text="Run").first.click()
            page.locator(".lm-Menu-item", has_text="Run All Cells").first.click()

            stopped_since = []

            def finished():
                # textContent, not innerText: JupyterLab skips rendering cells outside the viewport
                prompts = [
                    t.strip()
                    for t in page.eval_on_selector_all(
                        ".jp-CodeCell .jp-InputPrompt", "els => els.map(e => e.textContent)"
                    )
                ]
                done = [t.startswith("[") and t[1:-2].strip().isdigit() for t in prompts]
                if prompts and all(done):
                    return True
                # Run All stops at a failing cell: nothing running, some cells never ran. Warnings on
                # stderr alone are not failures, so judge by the prompts, then show the traceback.
                if any(done) and not any("*" in t for t in prompts):
                    stopped_since.append(time.monotonic())
                    if stopped_since[-1] - stopped_since[0] > 10:
                        outputs = page.eval_on_selector_all(
                            ".jp-OutputArea-output", "els => els.map(e => e.textContent)"
                        )
                        tb = [o for o in outputs if "Error" in o or "Traceback" in o]
                        raise CellFailed(
                            "Run All stopped at a failing cell (cells after it never ran):\n"
                            + (tb[-1][:3000] if tb else "(no traceback found in the outputs)")
                        )
                else:
                    stopped_since.clear()
                return False

            _wait_until(finished, RUN_ALL_TIMEOUT, "all cells to run", page, "browser_04_run_all.png")
            view = page.locator(".gl-playground .gl-playground-view").first
            view.scroll_into_view_if_needed()
            _wait_until(
                lambda: view.get_attribute("src"), 30, "the playground image", page, "browser_04_view.png"
            )
            n0, before = _iteration(page), _view_pixels(page)

            page.locator(".gl-playground button.gl-play").first.click()
            _wait_until(
                lambda: _iteration(page) >= n0 + 20,
                60,
                "the counter to advance after Play",
                page,
                "browser_04_play.png",
            )
            time.sleep(1.0)
            page.locator(".gl-playground button.gl-pause").first.click()
            _wait_until(
                lambda: "paused" in page.locator(".gl-playground .gl-status").first.text_content(),
                30,
                "the status to say paused",
                page,
                "browser_04_pause.png",
            )
            n1 = _iteration(page)
            time.sleep(1.0)
            after = _view_pixels(page)
            page.screenshot(path=str(ARTIFACTS / "browser_04_playground.png"), full_page=False)
            view.screenshot(path=str(ARTIFACTS / "browser_04_view_after_play.png"))
            assert n1 > n0, f"the iteration counter did not advance: {n0} before play, {n1} after pause"
            assert _iteration(page) == n1, "training went on after pause"
            assert before.shape == after.shape, f"the view changed size: {before.shape} -> {after.shape}"
            changed = (abs(before - after).sum(axis=2) > 30).mean()
            assert changed > 0.01, (
                f"the plot image did not change while playing ({changed:.2%} of pixels differ)"
            )
        finally:
            context.close()


# ----------------------------------------------------------------------------------------------
# Demo mode (make demo): the same playground in Voilà, without code cells
# ----------------------------------------------------------------------------------------------
def _wait_port(port: int, timeout: float, proc: subprocess.Popen, log: Path) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise AssertionError(
                f"Voilà exited with code {proc.returncode}:\n" + log.read_text(errors="replace")[-3000:]
            )
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.3)
    raise AssertionError(f"Voilà did not listen on port {port} within {timeout:.0f} s")


@pytest.fixture
def voila_demo(tmp_path):
    """`tools/demo.py --chapter 04` (what `make demo CHAPTER=04` runs) on a free port; yields the URL."""
    port = _free_port()
    env = dict(os.environ)
    for name in ("config", "runtime", "data"):
        (tmp_path / name).mkdir()
    env.update(
        JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
        JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
        JUPYTER_DATA_DIR=str(tmp_path / "data"),
        GAN_LESSONS_QUICK="1",
        JUPYTER_PLATFORM_DIRS="1",
    )
    env.pop("MPLBACKEND", None)
    log = tmp_path / "voila.log"
    cmd = [
        sys.executable,
        str(ROOT / "tools" / "demo.py"),
        "--chapter",
        "04",
        "--port",
        str(port),
        "--out",
        str(tmp_path / "demo"),
    ]
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_port(port, 90, proc, log)  # not an HTTP page: each page view starts a kernel
        yield base, proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # Voilà and its kernel
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)


def test_demo_mode_plays_in_voila(voila_demo, tmp_path):
    chromium = _chromium_or_fail()
    from playwright.sync_api import sync_playwright

    base, proc = voila_demo
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(30_000)
            page.goto(base + "/", wait_until="domcontentloaded", timeout=180_000)
            view = page.locator(".gl-playground .gl-playground-view").first
            _wait_until(
                lambda: view.get_attribute("src"), 180, "the playground in Voilà", page, "demo_04_view.png"
            )
            text = page.locator("body").inner_text()
            assert "gl.playground" not in text and "import gan_lessons" not in text, "demo mode shows code"
            n0, before = _iteration(page), _view_pixels(page)
            page.locator(".gl-playground button.gl-play").first.click()
            _wait_until(
                lambda: _iteration(page) >= n0 + 20,
                60,
                "the counter to advance after Play",
                page,
                "demo_04_play.png",
            )
            time.sleep(1.0)
            page.locator(".gl-playground button.gl-pause").first.click()
            after = _view_pixels(page)
            page.screenshot(path=str(ARTIFACTS / "demo_04_playground.png"))
            assert before.shape == after.shape, f"the view changed size: {before.shape} -> {after.shape}"
            changed = (abs(before - after).sum(axis=2) > 30).mean()
            assert changed > 0.01, f"the view did not change while playing ({changed:.2%} of pixels differ)"
        finally:
            browser.close()
    assert proc.poll() is None, "Voilà stopped during the test"

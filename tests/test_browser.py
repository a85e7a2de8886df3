"""Chapter 04 in a real browser: JupyterLab + headless Debian Chromium, driven by Playwright.

The test starts its own JupyterLab (free localhost port, temporary token, temporary config,
runtime and data folders, serving a temporary copy of the notebook so nothing is autosaved into
the repository), opens 04_toy_gan_playground, runs all cells, presses play, waits, presses pause,
and asserts that the iteration counter advanced and that the plot image changed; then it draws three
strokes on the canvas and checks that they became the data, loads a CSV file through the file button, and
plays in slow mode (`_drive_new_controls`; the Voila demo test does the same). Screenshots are saved under
test-artifacts/ (git-ignored).

It needs Debian's chromium at /usr/bin/chromium (or GAN_LESSONS_CHROMIUM) and the `playwright`
pip package; `make test` installs both. In CI neither missing piece is skipped: the test fails and says
what to install; outside CI, a missing Chromium skips the test with the same message.

The student path (`test_student_path_in_jupyterlab`) is the course as a student first meets it: a fresh
student edition in a temporary folder, JupyterLab started with `make lab`'s own command line (read from
`make -n lab`), the URL that server prints opened as it is, chapter 03 run top to bottom, then a wrong and
a right answer typed into exercise 1. A screenshot of each step is kept in test-artifacts/student_*.png.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import chapters  # noqa: E402

from gan_lessons.widgets import SPEEDS  # noqa: E402

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


def _lab_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a private JupyterLab and of the kernels it starts: Jupyter's config, runtime, data,
    workspace and settings folders in `tmp_path` (nothing read from or written to the user's), quick mode,
    and this checkout's gan_lessons first on the kernel's path (whatever the virtualenv has installed)."""
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
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p),
    )
    # no "official Jupyter news?" toast over the notebook (user settings live in the temporary folder)
    news = tmp_path / "settings" / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    news.parent.mkdir(parents=True)
    news.write_text('{"fetchNews": "false"}')
    env.pop("MPLBACKEND", None)  # let the kernel use the inline backend, as a student's would
    return env


def _stop(proc: subprocess.Popen) -> None:
    """Stop a server started with start_new_session=True, and the kernels it started (its process group)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


@contextmanager
def _private_lab(tmp_path: Path, root_dir: Path, cwd: Path, args: list[str]) -> Iterator[tuple]:
    """`jupyter lab *args` on a free 127.0.0.1 port, serving `root_dir`, with no browser, no news and no update
    check, in the private environment of `_lab_env`. Yields (process, base URL, log file); stops the server
    and the kernels it started afterwards."""
    port = _free_port()
    env = _lab_env(tmp_path)
    log = tmp_path / "jupyterlab.log"
    cmd = [sys.executable, "-m", "jupyter", "lab", *args]
    cmd += [
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root_dir}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in cmd:
        cmd.append("--allow-root")  # CI runs as root
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            cmd, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=cwd, start_new_session=True
        )
    try:
        yield proc, f"http://127.0.0.1:{port}", log
    finally:
        _stop(proc)  # the server and the kernels it started


@pytest.fixture
def jupyterlab(tmp_path):
    """A private JupyterLab on 127.0.0.1; yields (base_url, token); stops it afterwards."""
    root = tmp_path / "root"
    root.mkdir()
    shutil.copy(ROOT / "notebooks" / NOTEBOOK, root / NOTEBOOK)
    token = secrets.token_hex(16)
    with _private_lab(tmp_path, root, root, [f"--IdentityProvider.token={token}"]) as (proc, base, log):
        _wait_http(f"{base}/api/status?token={token}", 90, proc, log)
        yield base, token


@pytest.fixture
def chromium_page(tmp_path):
    """A page of a private headless Chromium (its profile in tmp_path, 1400x1000, 30 s default timeout), closed
    afterwards. Without Chromium or Playwright it fails in CI and skips elsewhere, saying what to install.
    Request it after the server fixture, so that the browser closes before the server stops."""
    chromium = _chromium_or_fail()
    from playwright.sync_api import sync_playwright

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
            yield page
        finally:
            context.close()


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


def _play_then_pause(page, prefix: str) -> tuple:
    """Press Play, wait until the counter has advanced 20 iterations, let it train 1 s more, press Pause.
    Returns the iteration and the view's pixels before Play. Screenshot on a timeout: <prefix>_play.png."""
    n0, before = _iteration(page), _view_pixels(page)
    page.locator(".gl-playground button.gl-play").first.click()
    _wait_until(
        lambda: _iteration(page) >= n0 + 20,
        60,
        "the counter to advance after Play",
        page,
        f"{prefix}_play.png",
    )
    time.sleep(1.0)
    page.locator(".gl-playground button.gl-pause").first.click()
    return n0, before


def _assert_the_view_changed(before, after, what: str) -> None:
    assert before.shape == after.shape, f"the view changed size: {before.shape} -> {after.shape}"
    changed = (abs(before - after).sum(axis=2) > 30).mean()
    assert changed > 0.01, f"{what} did not change while playing ({changed:.2%} of pixels differ)"


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


def _run_all_cells(page) -> None:
    """Run > Run All Cells, from JupyterLab's menu bar, on the notebook in front."""
    page.locator(".lm-MenuBar-item", has_text="Run").first.click()
    page.locator(".lm-Menu-item", has_text="Run All Cells").first.click()


def _all_cells_ran(page, root: str = ""):
    """A predicate for _wait_until: True once every code cell under the CSS selector `root` (a notebook
    panel; "" for the whole page) shows an execution count; raises CellFailed when Run All stopped at an
    error (nothing running for 10 s and some cells never ran), with the traceback it shows."""
    stopped_since: list[float] = []

    def finished() -> bool:
        # textContent, not innerText: JupyterLab skips rendering cells outside the viewport
        prompts = [
            t.strip()
            for t in page.eval_on_selector_all(
                f"{root} .jp-CodeCell .jp-InputPrompt".strip(), "els => els.map(e => e.textContent)"
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
                    f"{root} .jp-OutputArea-output".strip(), "els => els.map(e => e.textContent)"
                )
                tb = [o for o in outputs if "Error" in o or "Traceback" in o]
                raise CellFailed(
                    "Run All stopped at a failing cell (cells after it never ran):\n"
                    + (tb[-1][:3000] if tb else "(no traceback found in the outputs)")
                )
        else:
            stopped_since.clear()
        return False

    return finished


def _selected(select) -> str:
    """The text of a <select>'s chosen option (ipywidgets writes the spaces of a Dropdown's labels as
    non-breaking spaces, so they are turned back into plain ones)."""
    return select.evaluate("s => s.options[s.selectedIndex].text").replace("\u00a0", " ")


def _drive_new_controls(page, tmp_path: Path, prefix: str) -> None:
    """The controls of issue 25 in a real browser, on the first playground of the page: three strokes on the
    canvas become the data, a CSV file loaded through the file button becomes the data, and slow mode
    trains one iteration per frame. Screenshots: test-artifacts/<prefix>_drawing.png, _file.png, _slow.png."""
    pg = page.locator(".gl-playground").first
    data_menu = pg.locator(".gl-data select").first
    message = pg.locator(".gl-data-message").first

    # 1. three strokes, press and drag
    canvas = pg.locator(".gl-draw-canvas").first
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box and box["width"] > 100, f"the drawing canvas is not shown: {box}"
    strokes = [((0.2, 0.2), (0.8, 0.2)), ((0.2, 0.5), (0.8, 0.8)), ((0.5, 0.3), (0.5, 0.9))]
    for (x0, y0), (x1, y1) in strokes:
        page.mouse.move(box["x"] + x0 * box["width"], box["y"] + y0 * box["height"])
        page.mouse.down()
        for i in range(1, 13):
            t = i / 12
            page.mouse.move(
                box["x"] + (x0 + t * (x1 - x0)) * box["width"],
                box["y"] + (y0 + t * (y1 - y0)) * box["height"],
            )
        page.mouse.up()
        time.sleep(0.3)

    def drawn_points() -> int:  # the message comes last, after the data menu and the view
        found = re.search(r"training on your drawing: (\d+) points", message.text_content())
        return int(found.group(1)) if found else 0

    _wait_until(
        lambda: drawn_points() >= 30, 60, "the drawing to become the data", page, f"{prefix}_drawing.png"
    )
    n_drawn = drawn_points()
    assert _selected(data_menu) == f"your drawing ({n_drawn} points)"
    text = pg.locator(".gl-draw-points textarea").first.input_value()
    assert len(text.strip().splitlines()) == n_drawn  # every point of the three strokes reached the kernel
    pg.screenshot(path=str(ARTIFACTS / f"{prefix}_drawing.png"))

    # 2. a file of points through the file button
    angles = [2 * 3.14159 * i / 40 for i in range(40)]
    csv = tmp_path / "ring_of_40.csv"
    csv.write_text("x,y\n" + "\n".join(f"{1.5 * math.cos(a):.3f},{1.5 * math.sin(a):.3f}" for a in angles))
    with page.expect_file_chooser() as chooser:  # the button opens the browser's file dialog
        pg.locator(".gl-upload").first.click()
    chooser.value.set_files(str(csv))
    _wait_until(
        lambda: "training on ring_of_40.csv: 40 points" in message.text_content(),
        60,
        "the file to become the data",
        page,
        f"{prefix}_file.png",
    )
    assert _selected(data_menu) == "your file (40 points)"
    pg.screenshot(path=str(ARTIFACTS / f"{prefix}_file.png"))

    # 3. slow mode: one iteration per frame, two frames a second
    pg.locator(".gl-speed select").first.select_option(index=list(SPEEDS).index("slow"))
    n0 = _iteration(page)
    pg.locator("button.gl-play").first.click()
    time.sleep(4.0)
    pg.locator("button.gl-pause").first.click()
    _wait_until(
        lambda: "paused" in pg.locator(".gl-status").first.text_content(),
        30,
        "the pause",
        page,
        f"{prefix}_slow.png",
    )
    done = _iteration(page) - n0
    pg.screenshot(path=str(ARTIFACTS / f"{prefix}_slow.png"))
    assert 1 <= done <= 12, f"slow mode trained {done} iterations in 4 s (expected about 8 at most)"
    overview = pg.locator(".gl-model-overview").first.inner_html()
    assert "gl-node-G gl-active" in overview and "gl-node-D gl-active" in overview  # Play lights both


def test_chapter_04_plays_in_jupyterlab(jupyterlab, chromium_page, tmp_path):
    base, token = jupyterlab
    page = chromium_page
    page.goto(f"{base}/lab/tree/{NOTEBOOK}?token={token}", wait_until="domcontentloaded", timeout=90_000)
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
    _run_all_cells(page)
    _wait_until(_all_cells_ran(page), RUN_ALL_TIMEOUT, "all cells to run", page, "browser_04_run_all.png")
    view = page.locator(".gl-playground .gl-playground-view").first
    view.scroll_into_view_if_needed()
    _wait_until(lambda: view.get_attribute("src"), 30, "the playground image", page, "browser_04_view.png")
    n0, before = _play_then_pause(page, "browser_04")
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
    _assert_the_view_changed(before, after, "the plot image")
    _drive_new_controls(page, tmp_path, "browser_04")


# ----------------------------------------------------------------------------------------------
# The student path (make lab): the index, a chapter run top to bottom, a wrong then a right answer
# ----------------------------------------------------------------------------------------------
STUDENT_CHAPTER = chapters.chapter("loss_math").ipynb.name  # exercises, and about 15 s in quick mode
WRONG_D_LOSS = (  # exercise 1 with the fake term's sign flipped: the article's L_D
    "def my_d_loss(d_real, d_fake):\n"
    "    return -torch.log(d_real).mean() + torch.log(1 - d_fake).mean()\n"
    "\n"
    "\n"
    "check_d_loss(my_d_loss)"
)
WRONG_D_LOSS_HINT = "The fake term has the wrong sign"  # the start of check_d_loss's hint for it
RIGHT_D_LOSS = (
    "def my_d_loss(d_real, d_fake):\n"
    "    return -(torch.log(d_real).mean() + torch.log(1 - d_fake).mean())\n"
    "\n"
    "\n"
    "check_d_loss(my_d_loss)"
)


def _make_lab_arguments() -> list[str]:
    """What `make lab` passes to `jupyter lab`, read from a dry run (`make -n`), so that the test starts the
    server the way a student does. `-o` with a stamp of its own keeps make from (re)building the virtualenv:
    with -n, a rule that remakes a file the Makefile depends on would still run."""
    if shutil.which("make") is None:
        pytest.fail("`make` is not installed: the student path starts JupyterLab as `make lab` does.")
    stamp = ".gl-test-no-stamp"
    result = subprocess.run(
        ["make", "--no-print-directory", "-n", "lab", f"STAMP={stamp}", "-o", stamp],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, f"make -n lab failed:\n{result.stdout}{result.stderr}"
    lines = [line for line in result.stdout.splitlines() if re.search(r"jupyter\s+lab\s", line)]
    assert len(lines) == 1, f"make -n lab runs no single `jupyter lab` command:\n{result.stdout}"
    args = lines[0].split()
    return args[args.index("lab") + 1 :]


@pytest.fixture
def student_lab(tmp_path):
    """`make lab` on a fresh student edition in tmp_path/student: the same notebook argument and flags, plus
    a free port, no browser and the temporary Jupyter folders. The server makes its own token, as it does for
    a student. Yields (the URL the server printed, base URL, token); stops the server and its kernels."""
    student = tmp_path / "student"
    made = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "make_student_edition.py"), "--out", str(student)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert made.returncode == 0, f"make_student_edition.py failed:\n{made.stdout}{made.stderr}"
    args = _make_lab_arguments()
    assert args and args[0].startswith("student/"), f"make lab no longer opens a file in student/: {args}"
    args[0] = str(tmp_path / args[0])  # student/00_index.ipynb, in the fresh edition
    default_url = next(a.split("=", 1)[1] for a in args if a.startswith("--LabApp.default_url="))
    with _private_lab(tmp_path, student, ROOT, args) as (proc, base, log):
        printed = re.compile(rf"{re.escape(base)}/\S*token=\w+")

        def url_printed():
            if proc.poll() is not None:
                raise CellFailed(
                    f"JupyterLab exited with code {proc.returncode}:\n"
                    + log.read_text(errors="replace")[-3000:]
                )
            found = printed.search(log.read_text(errors="replace"))
            return found.group(0) if found else None

        url = _wait_until(url_printed, 90, "JupyterLab to print its URL")
        token = url.split("token=", 1)[1]
        _wait_http(f"{base}/api/status?token={token}", 60, proc, log)
        assert url.split("?")[0] == base + default_url, (
            f"the URL JupyterLab prints, {url}, is not make lab's default URL {default_url}"
        )
        yield url, base, token


class WrongScreen(CellFailed):
    """Something on screen that must not be there (a dialog): fail at once."""


def _no_dialog(page) -> None:
    dialog = page.locator(".jp-Dialog")
    if dialog.count() and dialog.first.is_visible():
        raise WrongScreen(f"a dialog is open: {dialog.first.inner_text()!r}")


def _kernel_idle(page, base: str, token: str, notebook: str):
    """A predicate: the kernel of `notebook`'s session is idle, for the server and on the status bar of the
    page (the notebook in front). A dialog (Select Kernel) fails at once: a student would have to answer it,
    so the test must not."""

    def idle() -> bool:
        _no_dialog(page)
        if "Idle" not in (page.locator("#jp-main-statusbar").first.text_content(timeout=5_000) or ""):
            return False
        with urllib.request.urlopen(f"{base}/api/sessions?token={token}", timeout=5) as r:
            sessions = json.loads(r.read())
        return any(
            s.get("path", "").endswith(notebook) and (s.get("kernel") or {}).get("execution_state") == "idle"
            for s in sessions
        )

    return idle


def _not_modified(page, notebook: str) -> None:
    """The notebook's tab has no "modified" dot: opening it (and starting its kernel) changed nothing in it.
    JupyterLab writes the kernelspec and language_info into a notebook that lacks them."""
    tab = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text=notebook).first
    assert "jp-mod-dirty" not in (tab.get_attribute("class") or ""), f"opening {notebook} marked it modified"


def _current_panel(page, notebook: str) -> str:
    """The CSS selector of the main-area panel that shows `notebook` (its tab is the current one)."""
    tab = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current", has_text=notebook).first
    tab.wait_for(timeout=60_000)
    return f"[id='{tab.get_attribute('data-id')}']"


_CELLS_JS = """els => els.map(e => ({
    input: Array.from(e.querySelectorAll('.jp-InputArea-editor .cm-line')).map(l => l.textContent).join('\\n'),
    prompt: (e.querySelector('.jp-InputPrompt') || {}).textContent || '',
    output: (e.querySelector('.jp-OutputArea') || {}).textContent || '',
    outPrompts: Array.from(e.querySelectorAll('.jp-OutputPrompt')).map(p => p.textContent.trim()).filter(t => t),
    results: e.querySelectorAll('.jp-OutputArea-executeResult').length,
    errors: e.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').length,
}))"""


def _code_cells(page, panel: str) -> list[dict]:
    return page.eval_on_selector_all(f"{panel} .jp-CodeCell", _CELLS_JS)


def _shot(page, name: str) -> str:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name))
    return f"test-artifacts/{name}"


class _Step:
    """`with step("3. ...", "student_3_run_all.png"):` a named step of the student path. It saves its
    screenshot when it passes; when it fails, it saves `..._failed.png` and names the step in the error."""

    def __init__(self, page):
        self.page = page

    def __call__(self, name: str, shot: str):
        self.name, self.shot = name, shot
        return self

    def __enter__(self):
        return self

    def __exit__(self, kind, err, tb):
        if err is None:
            _shot(self.page, self.shot)
            return False
        try:
            where = _shot(self.page, self.shot.replace(".png", "_failed.png"))
        except Exception as shot_err:  # the browser itself may be what failed
            where = f"(no screenshot: {shot_err})"
        raise AssertionError(f"student path, step {self.name}: {err}\nscreenshot: {where}") from err


def _in_view(page, cell) -> None:
    """Scroll the cell to the middle of the window, for the screenshot, and wait until it holds still there
    (JupyterLab lays out the cells around it as they scroll in, which moves it)."""
    last: list[float] = []

    def still_in_view() -> bool:
        cell.evaluate("e => e.scrollIntoView({block: 'center'})")
        box = cell.bounding_box()
        height = page.viewport_size["height"]
        if not box or box["y"] < 0 or box["y"] + box["height"] > height:
            last.clear()
            return False
        last.append(box["y"])
        return len(last) >= 2 and abs(last[-1] - last[-2]) < 1

    _wait_until(still_in_view, 20, "the exercise cell to hold still in view")


def _type_into_cell(page, cell, text: str) -> None:
    """Replace a code cell's text as a student would (click in it, select all, type), then check the
    editor holds exactly `text` (JupyterLab's auto-indent would otherwise add spaces)."""
    editor = cell.locator(".jp-InputArea-editor .cm-content")
    editor.scroll_into_view_if_needed()
    editor.click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.insert_text(text)  # like a paste: one edit, no auto-indent or auto-closed brackets
    typed = "\n".join(cell.locator(".jp-InputArea-editor .cm-line").all_text_contents())
    assert typed == text, f"the cell holds {typed!r} after typing {text!r}"


def _cell_output_when_run(cell, before: str):
    """A predicate: the cell's output text once it has run again (its prompt shows a count other than
    `before`) and the kernel is done with it."""

    def ran():
        prompt = cell.locator(".jp-InputPrompt").first.text_content().strip()
        if prompt == before or "*" in prompt or not re.fullmatch(r"\[\d+\]:", prompt):
            return None
        return cell.locator(".jp-OutputArea").first.inner_text()

    return ran


def _run_answer(page, cell, text: str, what: str) -> str:
    """Type `text` into the exercise cell, run it (Shift+Enter) and return its output once it has run."""
    before = cell.locator(".jp-InputPrompt").first.text_content().strip()
    _type_into_cell(page, cell, text)
    page.keyboard.press("Shift+Enter")
    return _wait_until(_cell_output_when_run(cell, before), 60, what)


def test_student_path_in_jupyterlab(student_lab, chromium_page):
    url, base, token = student_lab
    page = chromium_page
    for old in ARTIFACTS.glob("student_*.png"):  # this run's screenshots only, failed or not
        old.unlink()
    step = _Step(page)

    with step("1, the URL make lab prints opens the index, with no kernel dialog", "student_1_index.png"):
        page.goto(url, wait_until="domcontentloaded", timeout=90_000)
        index = _current_panel(page, "00_index.ipynb")
        page.locator(f"{index} h2", has_text="Start here").first.wait_for(state="visible", timeout=90_000)
        _wait_until(_kernel_idle(page, base, token, "00_index.ipynb"), 120, "the index's kernel")
        _no_dialog(page)
        _not_modified(page, "00_index.ipynb")

    with step(f"2, {STUDENT_CHAPTER} opens from the index's table and runs all", "student_2_run_all.png"):
        title = chapters.chapter("loss_math").title
        # the link in the index's table of chapters (JupyterLab opens it in a new tab)
        page.locator(index).get_by_role("link", name=title, exact=True).first.click()
        panel = _current_panel(page, STUDENT_CHAPTER)
        page.locator(f"{panel} .jp-Cell").first.wait_for(timeout=90_000)
        _wait_until(_kernel_idle(page, base, token, STUDENT_CHAPTER), 120, "the chapter's kernel")
        _no_dialog(page)
        _not_modified(page, STUDENT_CHAPTER)
        _run_all_cells(page)
        _wait_until(_all_cells_ran(page, panel), RUN_ALL_TIMEOUT, f"Run All Cells in {STUDENT_CHAPTER}")
        _wait_until(_kernel_idle(page, base, token, STUDENT_CHAPTER), 60, "the kernel to be idle")

    with step("3, every exercise says Not done yet, with no Out line", "student_3_not_done_yet.png"):
        exercises = [c for c in _code_cells(page, panel) if "raise NotImplementedError(" in c["input"]]
        assert exercises, f"no exercise stub (raise NotImplementedError) in the student's {STUDENT_CHAPTER}"
        for c in exercises:
            first = c["input"].splitlines()[0]
            assert "Not done yet:" in c["output"], f"exercise `{first}` shows {c['output'][:300]!r}"
            assert not c["results"] and not c["outPrompts"] and "Out[" not in c["output"], (
                f"exercise `{first}` shows an Out line: {c['outPrompts']} {c['output'][:300]!r}"
            )
            assert not c["errors"], f"exercise `{first}` shows an error: {c['output'][:300]!r}"
        cell = page.locator(f"{panel} .jp-CodeCell", has_text="def my_d_loss").first
        _in_view(page, cell)

    with step("4, a wrong answer shows its hint first, with no traceback", "student_4_wrong_answer.png"):
        out = _run_answer(page, cell, WRONG_D_LOSS, "the wrong answer's output")
        lines = [line for line in out.splitlines() if line.strip()]
        assert lines and lines[0].startswith("Not right yet:"), f"its output starts {lines[:3]}"
        assert WRONG_D_LOSS_HINT in "\n".join(lines[:3]), f"no hint in its first lines: {lines[:3]}"
        for unwanted in ("Traceback", "gan_lessons/checks", "site-packages", "Not done yet", "Out["):
            assert unwanted not in out, f"its output shows {unwanted!r}:\n{out[:2000]}"
        _in_view(page, cell)

    with step("5, the right answer says Correct!", "student_5_right_answer.png"):
        out = _run_answer(page, cell, RIGHT_D_LOSS, "the right answer's output")
        assert out.strip().startswith("Correct!"), f"the right answer shows:\n{out[:2000]}"
        assert "Not right yet" not in out and "Traceback" not in out, out[:2000]
        c = next(c for c in _code_cells(page, panel) if "def my_d_loss" in c["input"])
        assert not c["errors"] and not c["results"] and not c["outPrompts"], c
        _in_view(page, cell)


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
        _stop(proc)  # Voilà and its kernel


def test_demo_mode_plays_in_voila(voila_demo, chromium_page, tmp_path):
    base, proc = voila_demo
    page = chromium_page
    page.goto(base + "/", wait_until="domcontentloaded", timeout=180_000)
    view = page.locator(".gl-playground .gl-playground-view").first
    _wait_until(lambda: view.get_attribute("src"), 180, "the playground in Voilà", page, "demo_04_view.png")
    text = page.locator("body").inner_text()
    assert "gl.playground" not in text and "import gan_lessons" not in text, "demo mode shows code"
    _, before = _play_then_pause(page, "demo_04")
    after = _view_pixels(page)
    page.screenshot(path=str(ARTIFACTS / "demo_04_playground.png"))
    _assert_the_view_changed(before, after, "the view")
    _drive_new_controls(page, tmp_path, "demo_04")
    assert proc.poll() is None, "Voilà stopped during the test"

"""Remake the before/after pictures of issue 22 for (a) the plot cell and (b) a finished long answer.

    cd /work/main && .venv/bin/python docs/images/before/make_before_after.py

Real JupyterLab + Debian Chromium through the browser tests' helpers (tests/browser/conftest.py), kernels answered
by the fake Anthropic server. Not a test: it only writes
docs/images/before/plot-cell.png, docs/images/plot-cell.png, docs/images/before/long-answer.png and
docs/images/long-answer.png (and prints how much the two plots differ). See README.md beside it.
"""

from __future__ import annotations

import base64
import io
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import nbformat
from PIL import Image, ImageChops
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    LONG_ANSWER,
    RESULTS,
    open_notebook,
    run_all_cells,
    screenshot,
    served,
)

from claude_widget.fake_server import Script  # noqa: E402

IMAGES = ROOT / "docs" / "images"
BEFORE = IMAGES / "before"

# 'Before' the fix of item 1: the widget's comm messages, handled on the kernel subshell, fire IPython's execute
# events again (widget.py imports the name, so it is patched there).
UNFIX_PLOTS = "import claude_widget.widget.chat_widget as cw\ncw.deliver_without_execute_events = lambda comm: None"
# 'Before' the fix of item 3: the finished answer keeps the streaming box's 480 px limit.
OLD_SCROLL_CSS = ".cw-root .cw-scroll { max-height: 480px !important; overflow: auto !important; }"


def flagship_cells() -> list[str]:
    """From notebooks/ask-about-your-data.ipynb: the Chat, the sales DataFrame and the plot cell, verbatim."""
    notebook = nbformat.read(ROOT / "notebooks" / "ask-about-your-data.ipynb", as_version=4)
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    plot = next(source for source in code if "What's wrong with this plot?" in source)
    return [code[0], next(s for s in code if "sales = pd.DataFrame" in s), plot]


def write_notebook(root: Path, name: str, cells: list[str]) -> str:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "python3", "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    nbformat.write(notebook, root / name)
    return name


def keep(element: Any, name: str, before: bool) -> None:
    """Screenshot `element` into test-results/ (as the tests do) and copy it to docs/images/[before/]`name`."""
    shot = f"before-{name}" if before else name
    screenshot(element, shot)
    shutil.copy(RESULTS / shot, (BEFORE if before else IMAGES) / name)


def cell_pngs(cell: Any) -> list[Image.Image]:
    images = []
    for img in cell.locator(".jp-RenderedImage img").all():
        src = img.get_attribute("src") or ""
        if src.startswith("data:image/png;base64,"):
            images.append(Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1]))).convert("RGB"))
    return images


def plot_cell(browser: Any, root: Path, before: bool) -> list[Image.Image]:
    cells = ([UNFIX_PLOTS] if before else []) + flagship_cells()
    page = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
    page.set_default_timeout(60_000)
    with served("lab", root, Script(text="The bars are sorted by value, not by region.", delay=0.05)) as lab:
        name = write_notebook(root, "plot-cell.ipynb", cells)
        open_notebook(page, lab, name)
        run_all_cells(page)
        page.wait_for_function("() => document.querySelector('.cw-root')?.dataset.status === 'done'", timeout=120_000)
        page.wait_for_function(
            "() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status === 'idle'",
            timeout=60_000,
        )
        page.wait_for_timeout(1500)  # the last outputs laid out
        cell = page.locator(".jp-CodeCell").nth(len(cells) - 1)
        cell.scroll_into_view_if_needed()
        keep(cell.locator(".jp-Cell-outputWrapper"), "plot-cell.png", before)  # the plot and the widget
        pngs = cell_pngs(cell)
    page.context.close()
    return pngs


def long_answer(browser: Any, root: Path, before: bool) -> None:
    cells = ["from claude_widget import Chat\nw = Chat().send('Explain server-sent events at length')\nw"]
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(60_000)
    with served("lab", root, Script(text=LONG_ANSWER, chunk_size=40, delay=0.01)) as lab:
        name = write_notebook(root, "long-answer.ipynb", cells)
        open_notebook(page, lab, name)
        run_all_cells(page)
        widget = page.locator(".cw-root").first
        page.wait_for_function("() => document.querySelector('.cw-root')?.dataset.status === 'done'", timeout=120_000)
        page.wait_for_timeout(1000)
        if before:
            page.add_style_tag(content=OLD_SCROLL_CSS)
            page.evaluate(
                "root => { const box = root.querySelector('[data-role=scroll]'); box.scrollTop = box.scrollHeight;"
                " root.querySelector('[data-role=jump]').hidden = false; }",
                widget.element_handle(),
            )
        page.evaluate("() => { document.querySelector('.jp-WindowedPanel-outer').scrollTop = 0; }")
        page.wait_for_timeout(800)
        keep(page, "long-answer.png", before)
    page.context.close()


def main() -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        with tempfile.TemporaryDirectory() as tmp:
            plots = {}
            for before in (True, False):
                root = Path(tmp) / f"plot-{before}"
                root.mkdir()
                plots[before] = plot_cell(browser, root, before)
            for before in (True, False):
                root = Path(tmp) / f"long-{before}"
                root.mkdir()
                long_answer(browser, root, before)
        browser.close()
    print("plot images: before", len(plots[True]), "after", len(plots[False]))
    if plots[True] and plots[False]:
        a, b = plots[True][0], plots[False][0]
        if a.size != b.size:
            print("plot sizes differ:", a.size, b.size)
        else:
            differing = ImageChops.difference(a, b).convert("L").point(lambda v: 255 if v else 0).histogram()[255]
            print("plot pixels that differ:", differing, "of", a.size[0] * a.size[1])


if __name__ == "__main__":
    main()

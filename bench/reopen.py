"""What a notebook of ten answers costs on disk, and how soon a reopened one shows them (docs/hosts.md, "Reopened
notebooks"). JupyterLab 4 + Chromium, the fake server, the offline demo's answer (heading, code, table, math)
ten times:

- the saved file's size with the settings a fresh install leaves (each answer's markdown; the package's
  JupyterLab extension renders it once the widget is gone), against the same notebook saved with JupyterLab's
  *Save Widget State Automatically* (the other way to reopen answers: every widget's state, and our bundle once);
- on a new server, from opening the notebook to all ten answers rendered from their saved markdown, math typeset
  (and, for scale, to the notebook's cells shown at all).

    .venv/bin/python bench/reopen.py
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import sync_playwright
from tests.support.lab import CHROMIUM, CHROMIUM_ARGS, TEST_KEY, open_notebook, run_all_cells, serving

from claude_widget.fake_server import FakeAnthropic, Script
from claude_widget.fake_server.demo import SSE_ANSWER
from claude_widget.widget.display import ANSWER_MIME

ANSWERS = 10
SAVE_WIDGET_STATE = "@jupyter-widgets/jupyterlab-manager:saveWidgetState"
TOGGLE = """async ([id, on]) => {
    const commands = window.jupyterapp.commands;
    if (commands.isToggled(id) !== on) await commands.execute(id);
}"""


def save_and_wait(page: object, path: Path, marker: str, count: int = 1) -> int:
    page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")  # type: ignore[attr-defined]
    deadline = time.monotonic() + 20
    # An answer's final entry: a streaming answer's output carries the entry too, marked (widget/display.py).
    while (text := path.read_text()).count(marker) < count or '"streaming": true' in text:
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)
    time.sleep(0.5)  # the write itself
    return path.stat().st_size


def main() -> None:
    root = Path(tempfile.mkdtemp())
    cells = ["from claude_widget import Chat"] + [f"Chat().send('Question {i}')" for i in range(ANSWERS)]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        page.set_default_timeout(120_000)
        with FakeAnthropic(api_key=TEST_KEY, responder=lambda body: Script(text=SSE_ANSWER, chunk_size=24)) as api:
            with serving("lab", root, api) as lab:
                lab.add_notebook("ten.ipynb", *cells)
                open_notebook(page, lab, "ten.ipynb")
                run_all_cells(page)
                page.wait_for_function(
                    f"() => document.querySelectorAll('.cw-root[data-status=done]').length === {ANSWERS}"
                )
                path = root / "ten.ipynb"
                default = save_and_wait(page, path, ANSWER_MIME, ANSWERS)
                shutil.copy(path, root / "default.ipynb")
                page.evaluate(TOGGLE, [SAVE_WIDGET_STATE, True])
                with_state = save_and_wait(page, path, "widget-state")
                page.evaluate(TOGGLE, [SAVE_WIDGET_STATE, False])

            with serving("lab", root, api) as lab:
                started = time.perf_counter()
                page.goto(lab.notebook_url("default.ipynb"))
                page.wait_for_function(
                    f"() => document.querySelectorAll('.jp-Notebook .jp-Cell').length === {len(cells)}"
                )
                cells_shown = time.perf_counter() - started
                page.wait_for_function(
                    f"() => document.querySelectorAll('.cw-answer-output[data-shown=saved] .jp-RenderedMarkdown')"
                    f".length === {ANSWERS} && document.querySelectorAll('.cw-answer-output mjx-container').length"
                    f" >= {3 * ANSWERS}"
                )
                shown = time.perf_counter() - started
        browser.close()
    shutil.rmtree(root, ignore_errors=True)

    print(f"ten answers of {len(SSE_ANSWER):,} characters each, saved:")
    print(f"  default settings (saved markdown):       {default:>10,} bytes")
    print(f"  with Save Widget State Automatically:    {with_state:>10,} bytes ({with_state / default:.1f}x)")
    print(f"reopened on a new server, from opening the page: the notebook's cells shown {cells_shown:.2f} s,")
    print(f"  the ten answers rendered from their markdown (math typeset) {shown:.2f} s")


if __name__ == "__main__":
    main()

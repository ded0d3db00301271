"""Copy gives the answer as markdown with its sources: the text with its citation markers, then the footnotes
they point to, as the saved markdown ends (issue 23, item 8: it gave the text alone)."""

from __future__ import annotations

from typing import Any

import pytest

from claude_widget.fake_server import FakeAnthropic, Script

from .conftest import Lab, open_notebook, run_all_cells, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.own_page]  # a clipboard permission

TEXT = "Units grew 4% in the north. Costs fell by a fifth."
SOURCES = (
    {"type": "page_location", "cited_text": "Units grew 4% in the north\nthis quarter.", "document_index": 0,
     "document_title": "report.pdf", "start_page_number": 1, "end_page_number": 2},
    {"type": "page_location", "cited_text": "Costs fell by a fifth.", "document_index": 0,
     "document_title": "report.pdf", "start_page_number": 3, "end_page_number": 5},
)  # fmt: skip
COPIED = (
    "Units grew 4% in the north[^1]. Costs fell by a fifth[^2].\n\n"
    "[^1]: “Units grew 4% in the north this quarter.” (report.pdf, p. 1)\n"
    "[^2]: “Costs fell by a fifth.” (report.pdf, pp. 3–4)"
)


def test_copy_gives_the_answer_with_its_markers_and_footnotes(lab: Lab, page: Any, backend: FakeAnthropic) -> None:
    cited = ((0, 26, (SOURCES[0],)), (28, 49, (SOURCES[1],)))
    backend.enqueue(Script(text=TEXT, citations=cited))
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=lab.url.rstrip("/"))
    lab.add_notebook("copy.ipynb", "from claude_widget import Chat\nw = Chat().send('What changed?')\nw",
                     "await w\nprint(w.markdown)")  # fmt: skip
    open_notebook(page, lab, "copy.ipynb")
    run_all_cells(page)
    page.wait_for_selector(".cw-root[data-status=done]", timeout=60_000)
    assert page.locator(".cw-sources li").count() == 2
    copy = page.locator(".cw-root [data-role=copy]")
    copy.click()
    page.wait_for_function("async () => (await navigator.clipboard.readText()) !== ''", timeout=30_000)
    assert page.evaluate("() => navigator.clipboard.readText()") == COPIED
    # as the kernel saves it
    saved = page.locator(".jp-OutputArea-output pre").filter(has_text="[^2]:")
    saved.wait_for(timeout=60_000)
    assert saved.inner_text().strip() == COPIED
    screenshot(page.locator(".cw-root"), "copy-with-footnotes.png")

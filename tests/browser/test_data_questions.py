"""A question about a DataFrame in JupyterLab: the counter shows the estimate of the input as the request leaves,
then the exact figures; a follow-up shows the tokens read from the prompt cache, and its tooltip what that saved."""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest

from claude_widget.fake_server import FakeAnthropic, Script

from .conftest import RESULTS, Lab, open_notebook, run_all_cells, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.own_page]  # an exposed function

CELLS = (
    "import numpy as np, pandas as pd\nfrom claude_widget import Chat\nchat = Chat()\n"
    "df = pd.DataFrame({f'column_{i}': np.arange(400) * i for i in range(40)})",
    "first = chat.send('What stands out?', df)\nfirst",
    "await first\nsecond = chat.send('And column_3?')\nsecond",
)


def test_the_counter_estimates_the_input_then_shows_cache_reads_and_the_saving(
    lab: Lab, page: Any, backend: FakeAnthropic
) -> None:
    # A second before message_start: the estimate shows until the exact count comes.
    scripts = (Script(text="First answer.", start_delay=1.0), Script(text="Second answer.", start_delay=1.0))
    backend.enqueue(*scripts)
    lab.add_notebook("data.ipynb", *CELLS)
    open_notebook(page, lab, "data.ipynb")
    labels: list[str] = []
    page.expose_function("seen", lambda label: labels.append(label))
    page.evaluate("""() => new MutationObserver(() => {
        for (const el of document.querySelectorAll('[data-role=tokens]')) window.seen(el.textContent);
    }).observe(document.body, {subtree: true, childList: true, characterData: true})""")
    run_all_cells(page)
    page.wait_for_function("() => document.querySelectorAll('.cw-root[data-status=done]').length === 2",
                           timeout=60_000)  # fmt: skip
    first, second = (page.locator("[data-role=tokens]").nth(i).inner_text() for i in range(2))
    details = [page.locator("[data-role=breakdown]").nth(i).text_content() or "" for i in range(2)]
    assert any(label.startswith("~") and " in · " in label for label in labels)  # the estimate, before the count
    # All the input, with the part read from the cache; in the tooltip, what was stored there and what it saved.
    assert "cached" not in first and "stored in the cache for follow-ups" in details[0] and "Saved" not in details[0]
    assert re.search(r" in \([\d.]+k? cached\) · ", second) and "Saved by the cache: $" in details[1]


ASK_WITH_DATA = (
    "import io, numpy as np, pandas as pd, matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\n"
    "from matplotlib.backends.backend_pdf import PdfPages\nfrom pathlib import Path\n"
    "from claude_widget import Chat\nchat = Chat()\n"
    "sales = pd.DataFrame({'region': ['north', 'south'] * 5000, 'units': np.arange(10_000)})\n"
    "fig, ax = plt.subplots()\nax.plot([1, 3, 2])\n"
    "with PdfPages('report.pdf') as pdf:\n"
    "    page = plt.figure()\n    page.text(0.1, 0.5, 'Units grew 4% in the north this quarter.')\n"
    "    pdf.savefig(page)",
    "w = chat.send('What grew?', sales, fig, Path('report.pdf'))\nw",
)
CITED = "Units grew 4% in the north."
SOURCE = {"type": "page_location", "cited_text": "Units grew 4% in the north this quarter.", "document_index": 0,
          "document_title": "report.pdf", "start_page_number": 1, "end_page_number": 2}  # fmt: skip


def test_a_question_shows_its_attachments_at_once_then_the_answer_with_its_sources(
    lab: Lab, page: Any, backend: FakeAnthropic
) -> None:
    waiting = threading.Event()  # the request waits for the model until the test has looked
    script = Script(text=CITED, citations=((0, len(CITED) - 1, (SOURCE,)),), hold=waiting, hold_after=-1)
    backend.enqueue(script)
    lab.add_notebook("ask.ipynb", *ASK_WITH_DATA)
    open_notebook(page, lab, "ask.ipynb")
    run_all_cells(page)
    # Before message_start: the chips and the estimate are there while the request waits.
    page.wait_for_selector(".cw-root[data-status=connecting] .cw-chip", timeout=60_000)
    chips = page.locator(".cw-chip")
    labels = page.locator(".cw-chip-label").all_inner_texts()
    assert labels[0] == "sales · DataFrame · 10,000 × 2"  # named as in the notebook (issue 22, item 9)
    assert labels[1].startswith("fig · Image · ") and " PNG · " in labels[1]
    assert labels[2].startswith("report.pdf · 1 page")
    page.locator(".cw-chips").first.screenshot(path=str(RESULTS / "chips-named.png"))
    assert chips.nth(0).get_attribute("title") == "columns: region, units"
    assert chips.nth(2).get_attribute("title") == "report.pdf"
    thumbnail = page.locator(".cw-chip[data-kind=image] img")
    assert thumbnail.evaluate("img => img.complete && img.naturalWidth") == 96  # shown, from the data URL
    assert page.locator(".cw-root[data-status=connecting] [data-role=tokens]").inner_text().startswith("~")
    waiting.set()

    page.wait_for_selector(".cw-root[data-status=done]", timeout=60_000)
    assert page.locator(".cw-content").inner_text().strip() == "Units grew 4% in the north1."
    marker = page.locator(".cw-content sup.cw-cite-ref a")
    assert marker.count() == 1
    footnote = page.locator(".cw-sources li")
    assert footnote.count() == 1
    assert footnote.locator("q").inner_text() == "Units grew 4% in the north this quarter."
    assert footnote.locator("cite").inner_text() == "report.pdf, p. 1"
    marker.click()
    assert footnote.evaluate("li => li === li.getRootNode().activeElement")  # the click went to its footnote
    assert page.evaluate("() => location.hash") == ""  # and not to a link by id
    screenshot(page.locator(".cw-root"), "chips-and-citations.png", docs=True)

"""A plot drawn by a cell that also asks Claude comes out as it would without claude-widget (issue 22): the widget's
messages, handled on a kernel subshell while the cell runs, must not fire IPython's execute events, on which
matplotlib-inline draws the open figures a second time from that thread."""

from __future__ import annotations

import base64
import io
from typing import Any

import pytest
from PIL import Image, ImageChops

from claude_widget.fake_server import FakeAnthropic, Script

from .conftest import Lab, open_notebook, run_all_cells

pytestmark = pytest.mark.browser

SETUP = """
%matplotlib inline
import time
import matplotlib.pyplot as plt
from claude_widget import Chat

def bars():
    fig, ax = plt.subplots(figsize=(4, 3), dpi=80)
    ax.bar(["north", "south", "east", "west"], [40, 30, 20, 10], color="#4878a8")
    ax.set_title("Units by region")
    return fig
"""
CASES = {
    # the flagship cell: ask about the figure, the widget shown
    "shown": 'fig = bars()\nw = Chat().send("What\'s wrong with this plot?", fig)\nw',
    # the cell goes on after asking, long enough for the view's messages to arrive while it runs
    "then_sleep": "fig = bars()\nw = Chat().send('What is wrong with this plot?', fig)\ndisplay(w)\ntime.sleep(4)",
    # the same, the widget not shown
    "not_shown": 'fig = bars()\nw = Chat().send("What\'s wrong with this plot?", fig)',
    # a text-only question in a cell that also draws
    "text_only": "w = Chat().send('Any tips for bar charts?')\ndisplay(w)\nfig = bars()\ntime.sleep(2)",
}
REFERENCE = "fig = bars()"  # the same figure, no claude-widget in the cell
HOSTS = {"lab": "lab", "notebook": "notebook7"}  # the fixture of each front end


def cell_png(page: Any, index: int) -> Image.Image:
    """The PNG a code cell's output shows."""
    src = page.locator(".jp-CodeCell").nth(index).locator(".jp-RenderedImage img").first.get_attribute("src")
    assert src is not None and src.startswith("data:image/png;base64,")
    return Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1]))).convert("RGB")


@pytest.mark.parametrize(
    ("kind", "ipykernel"),
    [("lab", None), ("notebook", None), ("lab", "7.0.1"), ("lab", "6.31.0")],  # None: the .venv's (7.4)
)
def test_a_plot_in_a_cell_that_asks_claude_is_drawn_exactly_once_and_intact(
    kind: str, ipykernel: str | None, page: Any, backend: FakeAnthropic, request: pytest.FixtureRequest
) -> None:
    answers = [Script(text="The bars are sorted by value, not by region.", delay=0.05) for _ in CASES]
    backend.enqueue(*answers)
    lab: Lab = request.getfixturevalue(HOSTS[kind])
    lab.add_notebook("plots.ipynb", SETUP, *CASES.values(), REFERENCE,
                     kernel=lab.kernel_for(ipykernel) if ipykernel else None)  # fmt: skip
    open_notebook(page, lab, "plots.ipynb")
    run_all_cells(page)
    last = len(CASES) + 1
    page.locator(".jp-CodeCell").nth(last).locator(".jp-RenderedImage img").first.wait_for(timeout=90_000)
    shown = len(CASES) - 1  # all but not_shown
    page.wait_for_function(f"() => document.querySelectorAll('.cw-root[data-status=done]').length === {shown}",
                           timeout=60_000)  # fmt: skip
    reference = cell_png(page, last)
    for n, case in enumerate(CASES, start=1):
        images = page.locator(".jp-CodeCell").nth(n).locator(".jp-RenderedImage img")
        assert images.count() == 1, f"{case}: {images.count()} images"  # drawn once
        drawn = cell_png(page, n)
        assert drawn.size == reference.size, case
        assert ImageChops.difference(drawn, reference).getbbox() is None, f"{case}: the plot differs"

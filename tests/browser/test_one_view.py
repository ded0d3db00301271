"""One view per answer output (issue 23, item 8): the final update of a finished answer's output (it adds the
lab extension's entry to the bundle) does not draw the widget again. The reader's thinking section stays as they
left it, the notebook stays where they scrolled it, and no second view is left behind, detached."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from claude_widget.fake_server import FakeAnthropic, Script

from .conftest import LONG_ANSWER, RESULTS, Lab, show_widget

pytestmark = [pytest.mark.browser, pytest.mark.own_page]  # an init script

NOTEBOOK = (
    "from claude_widget import Chat\nw = Chat().send('Think, then explain server-sent events')\nw",
    "print('\\n'.join(f'line {i}' for i in range(120)))",  # the notebook is taller than the window
)
THINKING = "Let me weigh how to explain this. " * 20

# Every `.cw-root` the page ever holds, whether or not it is still in the document: a view drawn again leaves
# its first root behind, detached (or gone).
WATCH_ROOTS = """
window.__cwRoots = [];
new MutationObserver((records) => {
  for (const record of records) for (const node of record.addedNodes) {
    if (!(node instanceof Element)) continue;
    const found = node.matches('.cw-root') ? [node] : [...node.querySelectorAll('.cw-root')];
    for (const root of found) if (!window.__cwRoots.includes(root)) window.__cwRoots.push(root);
  }
}).observe(document, { childList: true, subtree: true });
"""
ROOTS = "() => window.__cwRoots.map((root) => root.isConnected)"
# The reader scrolls the notebook (the answer's nearest scrolling ancestor) to the middle of the answer; from then
# on, the page notes the least the notebook's scroll is.
READ_THE_MIDDLE = """(root) => {
  let scroller = root.parentElement;
  const scrolls = (el) =>
    ['auto', 'scroll'].includes(getComputedStyle(el).overflowY) && el.scrollHeight > el.clientHeight;
  while (!scrolls(scroller)) scroller = scroller.parentElement;
  const box = root.querySelector('[data-role=scroll]');
  scroller.scrollTop += box.getBoundingClientRect().top - scroller.getBoundingClientRect().top + 100;
  window.__leastScroll = scroller.scrollTop;
  scroller.addEventListener('scroll', () => {
    window.__leastScroll = Math.min(window.__leastScroll, scroller.scrollTop);
  });
  return scroller.scrollTop;
}"""
# The kernel's final update of the answer's output has reached the notebook's model.
FINAL_UPDATE = """() => {
  const data = window.jupyterapp.shell.currentWidget.content.widgets[0].model.outputs.get(0)?.data ?? {};
  const entry = data['application/vnd.claude-widget.answer+json'];
  return entry !== undefined && !entry.streaming;
}"""


@pytest.mark.parametrize("kind", ["lab", "notebook7"])
def test_the_final_update_keeps_the_one_view_its_open_thinking_and_the_notebooks_scroll(
    kind: str, request: pytest.FixtureRequest, page: Any, slow_server: FakeAnthropic
) -> None:
    front_end: Lab = request.getfixturevalue(kind)
    # Held mid-answer until the reader has opened the thinking and scrolled; then it streams on to its end.
    read = threading.Event()
    slow_server.enqueue(Script(text=LONG_ANSWER, thinking=THINKING, chunk_size=4, delay=0.004, first_delay=1.5,
                               hold=read, hold_after=400))  # fmt: skip
    page.add_init_script(WATCH_ROOTS)
    widget = show_widget(page, front_end, "one-view.ipynb", *NOTEBOOK)
    content = widget.locator("[data-role=content]")
    page.wait_for_function("el => el.textContent.length > 200", arg=content.element_handle(), timeout=60_000)
    assert widget.get_attribute("data-status") == "streaming"
    section = widget.locator("[data-role=thinking]").first
    assert not section.evaluate("el => el.open")  # collapsed once the answer started
    section.locator("summary").click()  # the reader opens it, and reads on in the middle of the answer
    page.wait_for_function("el => el.open", arg=section.element_handle())
    read_at = page.evaluate(READ_THE_MIDDLE, widget.element_handle())
    assert read_at > 0
    read.set()
    page.wait_for_function("el => el.dataset.status === 'done'", arg=widget.element_handle(), timeout=120_000)
    page.wait_for_function(FINAL_UPDATE, timeout=60_000)
    # A view drawn again by the update would be in the page once it has painted the finished answer.
    page.wait_for_function("() => document.querySelector('.cw-root[data-status=done]') !== null", timeout=60_000)
    widget = page.locator(".cw-root").first
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / f"one-view-finished-{kind}.png"))
    assert page.evaluate(ROOTS) == [True]  # one view, drawn once, still in the page
    assert widget.locator("[data-role=thinking]").first.evaluate("el => el.open")  # as the reader left it
    assert page.evaluate("() => window.__leastScroll") >= read_at - 1  # the notebook never jumped back

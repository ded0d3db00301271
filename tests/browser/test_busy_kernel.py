"""While the next cell blocks the kernel (a `time.sleep`, a pure-Python loop): the answer keeps streaming into the
page, Stop closes the connection during the cell where the kernel has subshells, and says plainly that it waits
for the cell where it has not (ipykernel 6). No blocking cell ever causes a reconnect (issue 12)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from claude_widget.fake_server import FakeAnthropic

from .conftest import Lab, open_notebook, run_all_cells

pytestmark = pytest.mark.browser

BLOCK_SECONDS = 8
BLOCKS = {
    "sleep": f"time.sleep({BLOCK_SECONDS})",
    "cpu": f"end = time.monotonic() + {BLOCK_SECONDS}\nwhile time.monotonic() < end:\n    pass",
}


def blocking_notebook(lab: Lab, name: str, block: str, kernel: str | None = None) -> str:
    cells = [
        "from claude_widget import Chat\nimport time\nw = Chat(stall_timeout=2).send('hi')\nw",
        f"print('blocking', flush=True)\n{BLOCKS[block]}\nprint('unblocked')",
        "print('attempts:', [a.outcome for a in w.attempts])",
    ]
    if kernel and "ipykernel-6." in kernel:
        cells.pop()  # without subshells, a Stop waits for every cell queued before it: this one would run first
    return lab.add_notebook(name, *cells, kernel=kernel)


def blocked(page: Any) -> bool:
    """Whether the blocking cell still runs (the kernel's status is no guide: messages handled on a subshell
    report busy and idle too)."""
    return page.locator(".jp-OutputArea-output", has_text="unblocked").count() == 0


def start(page: Any, lab: Lab, name: str, slow_server: FakeAnthropic) -> tuple[Any, Any]:
    """Run the notebook; return its widget and the request, once the answer streams during the blocking cell."""
    before = len(slow_server.message_requests())
    open_notebook(page, lab, name)
    run_all_cells(page)
    widget = page.locator(".cw-root").first
    page.locator(".jp-OutputArea-output", has_text="blocking").first.wait_for()
    content = widget.locator("[data-role=content]")
    page.wait_for_function("el => el.textContent.length > 50", arg=content.element_handle())
    assert blocked(page)
    return widget, slow_server.message_requests()[before]


def grows_while_blocked(page: Any, widget: Any) -> None:
    """The view keeps growing while the blocking cell runs."""
    content = widget.locator("[data-role=content]")
    first = len(content.text_content())
    time.sleep(1.5)
    assert blocked(page)
    assert len(content.text_content()) > first + 100


def attempts_printed(page: Any) -> str:
    output = page.locator(".jp-OutputArea-output", has_text="attempts:").first
    output.wait_for(timeout=60_000)
    return output.inner_text().strip()


@pytest.mark.parametrize(("host", "block"), [("lab", "sleep"), ("lab", "cpu"), ("notebook7", "sleep")])
def test_the_answer_streams_and_stop_closes_the_connection_while_a_cell_blocks(
    host: str, block: str, page: Any, slow_server: FakeAnthropic, request: pytest.FixtureRequest
) -> None:
    lab: Lab = request.getfixturevalue(host)
    widget, sent = start(page, lab, blocking_notebook(lab, f"busy-{block}.ipynb", block), slow_server)
    grows_while_blocked(page, widget)

    widget.locator("[data-role=stop]").click()
    status = widget.locator("[data-role=status]")
    page.wait_for_function("el => el.dataset.status === 'stopped'", arg=status.element_handle())
    assert blocked(page)  # "Stopped" while the cell still runs ...
    assert sent.done.wait(5) and sent.client_closed_at is not None  # ... and the connection is closed
    assert blocked(page)
    kept = widget.locator("[data-role=content]").text_content()
    assert len(kept) > 100
    assert attempts_printed(page) == "attempts: ['stopped']"  # one request: no reconnect after the block
    assert widget.locator("[data-role=content]").text_content() == kept


def test_esc_stops_during_a_blocking_cell_on_ipykernel_7_without_the_routing_hook(
    lab: Lab, page: Any, slow_server: FakeAnthropic
) -> None:
    # ipykernel 7.0-7.3 deliver comm messages on the subshell the front end chose: no hook needed.
    name = blocking_notebook(lab, "busy-ipykernel7.0.ipynb", "sleep", kernel=lab.kernel_for("7.0.1"))
    widget, sent = start(page, lab, name, slow_server)
    widget.locator("[data-role=content]").click()
    page.keyboard.press("Escape")
    status = widget.locator("[data-role=status]")
    page.wait_for_function("el => el.dataset.status === 'stopped'", arg=status.element_handle())
    assert blocked(page)
    assert sent.done.wait(5) and sent.client_closed_at is not None
    assert attempts_printed(page) == "attempts: ['stopped']"


def test_without_subshells_stop_says_it_waits_for_the_running_cell(
    lab: Lab, page: Any, slow_server: FakeAnthropic
) -> None:
    name = blocking_notebook(lab, "busy-ipykernel6.ipynb", "sleep", kernel=lab.kernel_for("6.31.0"))
    widget, sent = start(page, lab, name, slow_server)
    grows_while_blocked(page, widget)  # streaming does not need subshells: only Stop does

    widget.locator("[data-role=stop]").click()
    status = widget.locator("[data-role=status]")
    status.get_by_text("Stop takes effect when the running cells finish").wait_for()
    assert blocked(page)
    assert sent.client_closed_at is None  # the kernel has not seen the Stop yet
    page.wait_for_function("el => el.dataset.status === 'stopped'", arg=status.element_handle(), timeout=30_000)
    assert not blocked(page)
    assert sent.done.wait(5) and sent.client_closed_at is not None
    assert slow_server.message_requests()[-1] is sent  # one request: no reconnect after the block

"""Claude's code in a real IPython kernel (nbclient), against the fake server with the real SDK: it runs on the
kernel's main thread, after the cell that approved it; Stop interrupts it as the kernel's interrupt would; a headless
kernel declines a call that would wait for a click, and the cell ends; with auto_run it runs there."""

from __future__ import annotations

import json

import pytest

from claude_widget.fake_server import FakeAnthropic, Script

from .conftest import SHOWN_BY_JUPYTERLAB, TEST_KEY, run_notebook

pytestmark = pytest.mark.kernel


def run_python(code: str) -> Script:
    return Script(text="", tool_use={"name": "run_python", "input": {"code": code}}, stop_reason="tool_use")


def printed(notebook: object) -> list[str]:
    return ["".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
            for cell in notebook.cells]  # type: ignore[attr-defined]  # fmt: skip


def test_approved_code_runs_on_the_main_thread_after_the_cell_and_stop_interrupts_it(server: FakeAnthropic) -> None:
    server.enqueue(
        run_python(
            "import threading, time\non_main = threading.current_thread() is threading.main_thread()"
            "\nstarted = time.time()\nfor _ in range(300):\n    time.sleep(0.1)\nfinished = True"
        )
    )
    notebook = run_notebook(
        f"from claude_widget import Chat\nchat = Chat(api_key={TEST_KEY!r}, base_url={server.url!r}, kernel=True)",
        "import time\nw = chat.send('Go')\nend = time.monotonic() + 30\n"
        "while w.pending is None and time.monotonic() < end:\n    time.sleep(0.02)\n"
        "import threading\nthreading.Timer(1.5, w.stop).start()  # Stop, once the code has been running a while\n"
        "w.approve()\napproved = time.time()",
        # Queued behind the code, which ran after the cell above and was interrupted by the Stop.
        "import json\nw.manager.join(10)  # the Stop ends the answer on its own thread\n"
        "print(json.dumps({'status': w.status, 'card': w.cards[0]['status'],"
        " 'result': w.cards[0]['result'], 'on_main': on_main, 'after_the_cell': started >= approved,"
        " 'finished': 'finished' in dir()}))",
        env=SHOWN_BY_JUPYTERLAB,
    )
    seen = json.loads(printed(notebook)[2])
    assert seen == {"status": "stopped", "card": "cancelled", "on_main": True, "after_the_cell": True,
                    "finished": False, "result": "Stopped: the code was interrupted (KeyboardInterrupt), as the kernel "
                                                 "interrupts."}  # fmt: skip
    assert len(server.message_requests()) == 1  # nothing more was asked


def test_a_headless_kernel_declines_a_call_that_would_wait_and_runs_it_with_auto_run(server: FakeAnthropic) -> None:
    code = "import threading\ndf = df.drop_duplicates('id')\nran_on_main = threading.current_thread().name"
    server.enqueue(run_python(code), Script(text="Declined, then."), run_python(code), Script(text="Fixed."))
    notebook = run_notebook(
        "import pandas as pd\nfrom claude_widget import Chat\ndf = pd.DataFrame({'id': [1, 1, 2]})\n"
        f"kw = dict(api_key={TEST_KEY!r}, base_url={server.url!r}, kernel=True)",
        "w = Chat(**kw).send('Fix df')",  # headless: the cell ends once the answer has (no click will come)
        "print(w.status, w.cards[0]['status'], len(df))",
        "w2 = Chat(**kw, auto_run=True).send('Fix df')",
        "print(w2.status, w2.cards[0]['status'], len(df), ran_on_main)",
    )  # headless: nbclient, no front end
    out = printed(notebook)
    assert out[2] == "done declined 3\n"
    assert out[4] == "done done 2 MainThread\n"
    declined = server.message_requests()[1].body["messages"][-1]["content"][0]
    assert declined["content"].startswith("Not run: this notebook runs headless")


def test_a_cell_that_awaits_or_waits_for_the_answer_runs_the_code_the_answer_waits_for(server: FakeAnthropic) -> None:
    # Run All in JupyterLab: `await w` in the next cell holds up every cell, and the approved code waits for the main
    # thread: the waiting cell runs it (it would otherwise wait out the tool timeout).
    server.enqueue(run_python("first = 1"), Script(text="One."), run_python("second = 2"), Script(text="Two."))
    notebook = run_notebook(
        f"from claude_widget import Chat\nkw = dict(api_key={TEST_KEY!r}, base_url={server.url!r}, kernel=True, "
        "auto_run=True, tool_timeout=20)",
        "w = Chat(**kw).send('One')",
        "await w\nprint(w.cards[0]['status'], first)",
        "w2 = Chat(**kw).send('Two')\nw2.wait(30)\nprint(w2.cards[0]['status'], second)",
        env=SHOWN_BY_JUPYTERLAB,
    )
    out = printed(notebook)
    assert out[2] == "done 1\n" and out[3] == "done 2\n"

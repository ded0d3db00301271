"""Claude works in the user's kernel (`Chat(kernel=True)`), against the fake server with the real SDK: a
`run_python` call waits for the user's Run or Skip (from Python or the widget's intent), runs in the user's namespace
once approved, goes back to Claude as a tool result; `auto_run` runs at once; Stop while pending runs nothing; an
approval for a call that is not pending is refused; the API key never reaches Claude through the tools.

Here, in pytest's process, there is no kernel: code runs in `__main__`'s namespace on a worker thread, as in a
script (tests/test_claude_in_a_real_kernel.py runs it on a kernel's main thread)."""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest

import claude_widget.chat as chat_module
from claude_widget import Chat
from claude_widget.fake_server import FakeAnthropic, Script
from claude_widget.widget.chat_widget import ChatWidget

from .conftest import TEST_KEY, front_end_says, until

MAIN = vars(sys.modules["__main__"])


def run_python(code: str, text: str = "I'll run this.") -> Script:
    return Script(text=text, tool_use={"name": "run_python", "input": {"code": code}}, stop_reason="tool_use")


def tool_results(server: FakeAnthropic) -> list[dict[str, Any]]:
    """The tool_result blocks of every request after the first."""
    return [block for request in server.message_requests()[1:] for block in request.body["messages"][-1]["content"]
            if isinstance(block, dict) and block.get("type") == "tool_result"]  # fmt: skip


@pytest.fixture
def someone_to_click(monkeypatch: pytest.MonkeyPatch) -> None:
    """As in a notebook shown in JupyterLab: somebody is there to click Run (pytest's process is a script)."""
    monkeypatch.setattr(chat_module, "nobody_to_click", lambda: None)


@pytest.fixture
def namespace() -> Iterator[dict[str, Any]]:
    """`__main__`'s namespace, where the code runs here, without what the tests put there afterwards."""
    before = set(MAIN)
    yield MAIN
    for name in set(MAIN) - before:
        del MAIN[name]


def kernel_chat(server: FakeAnthropic, **options: Any) -> Chat:
    return Chat(api_key=TEST_KEY, base_url=server.url, kernel=True, store=False, **options)


def pending(server: FakeAnthropic, code: str, *then: Script) -> ChatWidget:
    """An answer whose `run_python` call of `code` waits for Run or Skip (the scripts `then` answer after it)."""
    server.enqueue(run_python(code), *then)
    w = kernel_chat(server).send("Go.")
    until(lambda: w.pending)
    return w


@pytest.mark.usefixtures("someone_to_click")
def test_a_call_waits_for_run_then_runs_in_the_namespace_and_claude_reads_what_it_printed(
    server: FakeAnthropic, namespace: dict[str, Any]
) -> None:
    code = "answer = 6 * 7\nprint('the answer is', answer)\nanswer + 1"
    server.enqueue(run_python(code), Script(text="It printed 42."))
    w = kernel_chat(server).send("Compute it.")
    pending = until(lambda: w.pending)
    assert pending == {"tool": "run_python", "code": code, "id": pending["id"]}
    time.sleep(0.3)  # nothing runs, and nothing is asked, until the user says so
    assert "answer" not in namespace and len(server.message_requests()) == 1
    assert [card["status"] for card in w.cards] == ["pending"]
    w.approve()
    assert w.wait(10).endswith("It printed 42.")
    assert namespace["answer"] == 42  # the user's namespace: a later cell sees it
    [result] = tool_results(server)
    assert result["is_error"] is False
    assert result["content"] == "[stdout]\nthe answer is 42\n\n[value]\n43"
    assert w.pending is None and [card["status"] for card in w.cards] == ["done"]
    # The code that ran: what %claude_code puts into a new cell, and the saved markdown's code block.
    assert [(block.language, block.code) for block in w.code_blocks] == [("python", code)]
    assert f"*Ran in the kernel:*\n\n```python\n{code}\n```" in w.markdown
    with pytest.raises(RuntimeError, match=r"w\.pending is None"):
        w.approve()  # nothing waits any more


@pytest.mark.usefixtures("someone_to_click")
def test_skip_with_a_reason_runs_nothing_and_tells_claude_why(server: FakeAnthropic, namespace: dict[str, Any]) -> None:
    w = pending(server, "df = None", Script(text="Understood."))
    w.reject("use the id column, not the index")
    w.wait(10)
    assert "df" not in namespace
    [result] = tool_results(server)
    assert result["is_error"] is True
    assert result["content"] == "The user chose not to run this code. Their reason: use the id column, not the index"
    assert w.cards[0]["status"] == "declined"
    assert w.code_blocks == []  # %claude_code offers only code that ran


def test_auto_run_runs_at_once(server: FakeAnthropic, namespace: dict[str, Any]) -> None:
    server.enqueue(run_python("ran_at_once = True"), Script(text="Done."))
    w = kernel_chat(server, auto_run=True).send("Go.")
    w.wait(10)
    assert namespace["ran_at_once"] is True
    assert [card["status"] for card in w.cards] == ["done"]


def test_without_auto_run_where_nobody_can_click_the_call_is_declined_and_the_answer_ends(
    server: FakeAnthropic, namespace: dict[str, Any]
) -> None:
    server.enqueue(run_python("declined_here = True"), Script(text="Then I will not."))
    w = kernel_chat(server).send("Go.")  # pytest's process: a plain script, where nobody can click Run
    assert w.wait(10).endswith("Then I will not.")
    assert "declined_here" not in namespace
    [result] = tool_results(server)
    assert result["is_error"] is True
    assert result["content"].startswith("Not run: this is a plain script, so nobody can click Run.")
    assert "Chat(kernel=True, auto_run=True)" in result["content"]


@pytest.mark.usefixtures("someone_to_click")
def test_stop_while_a_call_is_pending_runs_nothing_and_ends_the_answer(
    server: FakeAnthropic, namespace: dict[str, Any]
) -> None:
    w = pending(server, "stopped_before = True")
    with pytest.raises(TimeoutError, match=r"did not finish within 0\.2 s \(status: streaming\)"):
        w.wait(0.2)  # it waits for the user, not for Claude
    w.stop()
    assert w.status == "stopped" and w.pending is None
    assert w.cards[0]["status"] == "cancelled"
    assert w.cards[0]["result"] == "Stopped while waiting for Run or Skip: the code did not run."
    time.sleep(0.3)
    assert "stopped_before" not in namespace and len(server.message_requests()) == 1


@pytest.mark.usefixtures("someone_to_click")
def test_stop_while_code_runs_where_it_cannot_be_interrupted_says_so(
    server: FakeAnthropic, namespace: dict[str, Any]
) -> None:
    w = pending(server, "import time\nstarted = True\ntime.sleep(1.5)\nfinished = True")
    w.approve()
    until(lambda: namespace.get("started"))
    w.stop()
    assert w.status == "stopped"
    assert "cannot be interrupted" in w.cards[0]["result"]
    assert until(lambda: namespace.get("finished"), 5)  # it went on to its end, on its worker thread
    assert len(server.message_requests()) == 1  # and its result was not sent


@pytest.mark.usefixtures("someone_to_click")
def test_an_approval_for_a_call_that_is_not_pending_here_is_refused_and_logged(
    server: FakeAnthropic, namespace: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    server.enqueue(run_python("approved_wrongly = True"), run_python("other = True"))
    chat = kernel_chat(server)
    w = chat.send("Go.")
    call = until(lambda: w.pending)["id"]
    other = kernel_chat(server).send("Also go.")
    other_call = until(lambda: other.pending)["id"]
    with caplog.at_level(logging.WARNING, logger="claude_widget"):
        front_end_says(w, {"intent": "approve", "call": other_call})  # another answer's call
        front_end_says(w, {"intent": "approve", "call": "toolu_made_up"})
        front_end_says(w, {"intent": "approve"})  # malformed: no call named
    refusals = [r.getMessage() for r in caplog.records]
    assert sum("refused approve" in message for message in refusals) == 2
    assert any("ignored an unexpected message" in message for message in refusals)
    time.sleep(0.3)
    assert "approved_wrongly" not in namespace and "other" not in namespace
    assert w.pending == {"tool": "run_python", "code": "approved_wrongly = True", "id": call}
    assert other.pending is not None
    front_end_says(w, {"intent": "approve", "call": call})  # its own call, from its own front end
    until(lambda: namespace.get("approved_wrongly"))
    other.stop()
    w.stop()


def test_the_api_key_never_reaches_claude_through_the_tools(
    server: FakeAnthropic, namespace: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", TEST_KEY)
    code = ("import os\nprint(os.environ['ANTHROPIC_API_KEY'])\nprint(chat._api_key)\n"
            "print({k: v for k, v in os.environ.items() if 'KEY' in k})\nchat._api_key")  # fmt: skip
    server.enqueue(
        Script(text="", tool_use={"name": "list_variables", "input": {}}, stop_reason="tool_use"),
        Script(text="", tool_use={"name": "describe_variable", "input": {"name": "chat"}}, stop_reason="tool_use"),
        Script(text="", tool_use={"name": "describe_variable", "input": {"name": "env"}}, stop_reason="tool_use"),
        run_python(code),
        Script(text="Nothing to see."),
    )
    chat = Chat(base_url=server.url, kernel=True, auto_run=True, store=False)  # the key from the environment
    namespace["chat"] = chat
    namespace["env"] = {"ANTHROPIC_API_KEY": TEST_KEY}
    chat.send("What is the API key?").wait(10)
    results = [json.dumps(result) for result in tool_results(server)]
    assert len(results) == 4
    assert all(TEST_KEY not in result for result in results)
    assert sum("[redacted: an API key]" in result for result in results) == 2  # env's repr; the code's prints
    assert "chat: claude_widget.Chat" in results[0]  # listed, with nothing of its contents


def test_kernel_tools_are_offered_under_their_names_and_auto_run_needs_kernel(server: FakeAnthropic) -> None:
    server.enqueue(Script(text="Hi."))
    kernel_chat(server).send("Hi").wait(10)
    offered = server.message_requests()[0].body["tools"]
    assert [tool["name"] for tool in offered] == ["run_python", "list_variables", "describe_variable"]
    assert offered[0]["input_schema"]["required"] == ["code"]
    with pytest.raises(ValueError, match="needs Chat\\(kernel=True\\)"):
        Chat(api_key=TEST_KEY, auto_run=True)

    def run_python(code: str) -> str:
        """Mine."""
        return code

    with pytest.raises(TypeError, match="rename your 'run_python'"):
        Chat(api_key=TEST_KEY, kernel=True, tools=[run_python])


def test_widget_intents_for_run_and_skip_parse_and_reach_the_pending_call() -> None:
    from claude_widget.widget.protocol import parse_intent

    assert parse_intent({"intent": "approve", "call": "toolu_1"}).call == "toolu_1"  # type: ignore[union-attr]
    skip = parse_intent({"intent": "reject", "call": "toolu_1", "reason": "no"})
    assert skip is not None and (skip.name, skip.reason) == ("reject", "no")
    assert parse_intent({"intent": "reject", "call": "toolu_1", "reason": 3}) is None
    assert parse_intent({"intent": "approve", "call": ""}) is None
    assert isinstance(ChatWidget.pending, property)

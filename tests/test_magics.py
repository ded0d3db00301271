"""`%load_ext claude_widget`: the cell and line magics, in a real IPython shell."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest
from IPython.core.interactiveshell import InteractiveShell

from claude_widget import Chat, ChatWidget, MissingAPIKeyError
from claude_widget.chat import offline_server
from claude_widget.magics import ClaudeMagics


@pytest.fixture
def shell(monkeypatch: pytest.MonkeyPatch) -> Iterator[InteractiveShell]:
    monkeypatch.setattr(ChatWidget, "send", lambda self, content, buffers=None: None)
    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "claude_widget")
    yield ip
    for name in ("review", "_claude_chat", "w", "df", "counts"):
        ip.user_ns.pop(name, None)


def test_cell_magic_asks_with_the_cell_body_and_continues_a_named_chat(shell: InteractiveShell) -> None:
    first = shell.run_cell_magic("claude", "-c review --offline -s 'Be brief.'", "Explain\nserver-sent events")
    assert isinstance(first, ChatWidget)
    first.wait(30)
    request = offline_server().message_requests()[-1]
    assert request.body["messages"] == [{"role": "user", "content": "Explain\nserver-sent events"}]
    assert request.body["system"] == "Be brief."
    review = shell.user_ns["review"]
    assert isinstance(review, Chat)
    shell.run_cell_magic("claude", "-c review", "And websockets?").wait(30)
    assert [m["role"] for m in review.history] == ["user", "assistant", "user", "assistant"]


def test_line_magic_and_the_default_chat(shell: InteractiveShell) -> None:
    widget = shell.run_line_magic("claude", "--offline -m claude-haiku-4-5 -t 300 What is SSE?")
    widget.wait(30)
    request = offline_server().message_requests()[-1]
    assert request.body["model"] == "claude-haiku-4-5" and request.body["max_tokens"] == 300
    assert request.body["messages"][-1]["content"] == "What is SSE?"
    assert isinstance(shell.user_ns["_claude_chat"], Chat)


def test_effort_is_this_questions_own_and_checked_for_the_model(shell: InteractiveShell) -> None:
    shell.run_cell_magic("claude", "--offline -c review -e low", "Quick one?").wait(30)
    assert offline_server().message_requests()[-1].body["output_config"] == {"effort": "low"}
    shell.run_cell_magic("claude", "-c review", "And now?").wait(30)
    assert "output_config" not in offline_server().message_requests()[-1].body  # the chat's default again
    with pytest.raises(ValueError, match="leave effort out"):
        shell.run_line_magic("claude", "--offline -c old -m claude-sonnet-4-5 -e max hi")
    shell.user_ns.pop("old", None)


def test_with_sends_the_named_kernel_variables_in_order_each_with_its_name(shell: InteractiveShell) -> None:
    shell.user_ns["df"] = pd.DataFrame({"city": ["Paris", "Lyon"], "people": [2_100_000, 520_000]})
    shell.user_ns["counts"] = pd.Series([3, 4], name="n")
    shell.run_cell_magic("claude", "--offline --with df,counts", "Which is bigger?").wait(30)
    content = offline_server().message_requests()[-1].body["messages"][-1]["content"]
    assert content[0]["text"].startswith("DataFrame `df`: 2 rows × 2 columns.")
    assert content[1]["text"].startswith("Series `counts`: 2 rows × 1 columns.")
    assert content[2] == {"type": "text", "text": "Which is bigger?"}


def test_bad_uses_say_what_to_do(shell: InteractiveShell) -> None:
    with pytest.raises(NameError, match="--with nope: no variable named 'nope' in the kernel"):
        shell.run_cell_magic("claude", "--offline --with nope", "hi")
    shell.user_ns["w"] = object()
    with pytest.raises(TypeError, match=r"cannot attach w \(object\) to a question"):
        shell.run_cell_magic("claude", "--offline -w w", "hi")
    with pytest.raises(ValueError, match="nothing to ask"):
        shell.run_cell_magic("claude", "--offline", "   ")
    shell.user_ns["review"] = 42
    with pytest.raises(ValueError, match="already names a int"):
        shell.run_cell_magic("claude", "-c review --offline", "hi")


def test_without_a_key_the_magic_points_at_its_own_offline_flag(
    shell: InteractiveShell, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    with pytest.raises(MissingAPIKeyError, match="add --offline") as raised:
        shell.run_cell_magic("claude", "-c keyless", "hi")
    assert "%env ANTHROPIC_API_KEY=" in str(raised.value) and "Chat(offline=True)" not in str(raised.value)
    assert "keyless" not in shell.user_ns


def test_the_magic_is_documented() -> None:
    doc = ClaudeMagics.claude.__doc__ or ""
    for words in ("%%claude", "-c CHAT", "--offline", "ANTHROPIC_API_KEY", "--model", "--system", "--max-tokens",
                  "--with df,fig", "--effort"):  # fmt: skip
        assert words in doc, words


def test_claude_code_puts_a_code_block_of_the_last_answer_in_the_next_cell(
    shell: InteractiveShell, capsys: pytest.CaptureFixture[str]
) -> None:
    answer = shell.run_cell_magic("claude", "--offline", "Explain server-sent events")
    answer.wait(30)
    assert [b.language for b in answer.code_blocks] == ["text", "python"]
    shell.run_line_magic("claude_code", "")
    assert shell.rl_next_input.startswith("event: content_block_delta")
    assert "The first of 2 code blocks; %claude_code 2 for the next." in capsys.readouterr().out
    shell.run_line_magic("claude_code", "-1")
    assert shell.rl_next_input.startswith("import anthropic\n")
    with pytest.raises(IndexError, match="the last answer has 2 code blocks; ask for 1 to 2"):
        shell.run_line_magic("claude_code", "3")
    with pytest.raises(ValueError, match="takes a block number"):
        shell.run_line_magic("claude_code", "two")
    shell.user_ns["df"] = pd.DataFrame({"a": [1]})
    shell.run_cell_magic("claude", "--offline --with df", "hello").wait(30)  # the demo lists what arrived: no code
    with pytest.raises(ValueError, match="the last answer has no code block"):
        shell.run_line_magic("claude_code", "")

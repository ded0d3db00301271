"""`send(prompt, *objects)`: what reaches the API for each kind of object, against the fake server with the real
SDK, and what is refused before anything is sent."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pytest
from PIL import Image as PillowImage

from claude_widget import Chat
from claude_widget.context.attachments import Named, attach, user_content
from claude_widget.context.tables import DEFAULT_TABLE_TOKENS, summarize
from claude_widget.fake_server import FakeAnthropic, Script

from .conftest import TEST_KEY


@pytest.fixture
def chat(server: FakeAnthropic) -> Chat:
    return Chat(api_key=TEST_KEY, base_url=server.url, max_retries=1)


def frame(rows: int = 2_000) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    return pd.DataFrame({"score": rng.normal(70, 9, rows).round(1), "team": rng.choice(["red", "blue"], rows)})


def test_a_dataframe_goes_as_its_summary_before_the_question(server: FakeAnthropic, chat: Chat) -> None:
    df = frame()
    server.enqueue(Script(text="Scores look normal."))
    w = chat.send("What stands out?", df)
    assert w.wait(timeout=10) == "Scores look normal."
    [summary_block, question] = server.message_requests()[0].body["messages"][0]["content"]
    assert summary_block == {"type": "text", "text": summarize(df, name="df").text}
    assert question == {"type": "text", "text": "What stands out?"}
    assert summary_block["text"].startswith("DataFrame `df`: 2,000 rows × 2 columns.")  # named as the caller names it


def test_objects_go_in_order_and_the_follow_up_keeps_them_in_the_history(server: FakeAnthropic, chat: Chat) -> None:
    server.enqueue(Script(text="First."), Script(text="Second."))
    scores, teams = frame()["score"], pl.DataFrame({"team": ["red", "blue", "red"]})
    chat.send("Compare these", scores, teams).wait(timeout=10)
    chat.send("And the teams?").wait(timeout=10)
    first, answer, follow_up = server.message_requests()[1].body["messages"]
    titles = [block["text"].split(":")[0] for block in first["content"]]
    assert titles == ["Series `scores`", "DataFrame `teams`", "Compare these"]  # each named as the caller names it
    assert answer == {"role": "assistant", "content": [{"type": "text", "text": "First."}]}
    assert follow_up == {"role": "user", "content": "And the teams?"}
    assert chat.turns[0].prompt == "Compare these"


def test_the_table_budget_is_the_chats_unless_the_call_says_otherwise(server: FakeAnthropic) -> None:
    wide = pd.DataFrame(np.ones((50, 120)), columns=[f"c{i}" for i in range(120)])
    chat = Chat(api_key=TEST_KEY, base_url=server.url, table_tokens=600)
    server.enqueue(Script(text="a"), Script(text="b"))
    chat.send("Look", wide).wait(timeout=10)
    chat.send("Look closer", wide, table_tokens=5_000).wait(timeout=10)
    requests = server.message_requests()
    small = requests[0].body["messages"][0]["content"][0]["text"]
    large = requests[1].body["messages"][-1]["content"][0]["text"]
    assert small == summarize(wide, name="wide", budget=600).text
    assert large == summarize(wide, name="wide", budget=5_000).text
    assert len(small) < len(large)
    assert Chat(api_key=TEST_KEY).table_tokens == DEFAULT_TABLE_TOKENS


@pytest.mark.parametrize("bad", [object(), {"a": 1}, [1, 2], 3.5, b"\x00\x01"], ids=type)
def test_an_object_of_another_kind_is_refused_before_anything_is_sent(
    server: FakeAnthropic, chat: Chat, bad: object
) -> None:
    server.enqueue(Script(text="still streaming " * 50, first_delay=0.5))  # half a second before its text
    running = chat.send("first")
    with pytest.raises(TypeError, match=r"send\(\) takes a pandas or polars DataFrame or Series"):
        chat.send("What about this?", frame(), bad)
    assert len(chat.turns) == 1 and running.status in ("connecting", "streaming")  # the answer goes on
    running.wait(timeout=10)
    assert len(server.message_requests()) == 1


@pytest.mark.parametrize("tokens", [0, 99, 2.5, True, "2000"])
def test_a_table_budget_that_cannot_work_is_refused(chat: Chat, tokens: object) -> None:
    with pytest.raises(ValueError, match="table_tokens must be an integer of at least 100"):
        chat.send("Look", frame(), table_tokens=tokens)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="table_tokens must be an integer of at least 100"):
        Chat(api_key=TEST_KEY, table_tokens=tokens)  # type: ignore[arg-type]


def test_without_objects_the_question_is_sent_as_plain_text() -> None:
    assert user_content("Hi", []) == "Hi"
    chip = attach(frame(), name="df")
    assert chip.label == "df · DataFrame · 2,000 × 2"
    assert chip.detail == "columns: score, team"
    assert user_content("Hi", [chip]) == [*chip.blocks, {"type": "text", "text": "Hi"}]


SALES = frame(10)  # a notebook's namespace: the module's globals


def test_a_chip_names_the_variable_the_caller_bound_to_that_very_object() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    df = frame(10)
    fig, _axes = plt.subplots(figsize=(2, 1))
    _hidden = frame(10)
    try:
        assert attach(df).label == "df · DataFrame · 10 × 2"  # a local of the calling frame
        assert attach(SALES).label == "SALES · DataFrame · 10 × 2"  # a global: the notebook's namespace
        assert attach(fig).label.startswith("fig · Image · ")  # a figure too
        assert attach(df.head(3)).label == "DataFrame · 3 × 2"  # an expression has no name: as before
        assert attach(frame(10)).label == "DataFrame · 10 × 2"  # nor does an equal object
        assert attach(_hidden).label == "DataFrame · 10 × 2"  # private names (IPython's `_`, `_7`) do not count
        assert attach(Named(df, "sales")).label == "sales · DataFrame · 10 × 2"  # `%%claude --with` names it itself
    finally:
        plt.close(fig)


def test_naming_looks_past_claude_widgets_own_frames_and_never_fails(server: FakeAnthropic, chat: Chat) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from claude_widget.context.attachments import name_in_caller

    teams = frame(10)
    server.enqueue(Script(text="a"))
    w = chat.send("Look", teams)  # send -> _attach -> attach: the name is the one in this frame
    assert w.attachments[0]["label"] == "teams · DataFrame · 10 × 2"
    w.wait(timeout=10)
    assert server.message_requests()[0].body["messages"][0]["content"][0]["text"].startswith("DataFrame `teams`:")
    with ThreadPoolExecutor(1) as pool:  # called from a library's frame (a job's worker): no name, not its own
        assert pool.submit(name_in_caller, teams).result() is None

    class Hostile:
        def __eq__(self, other: object) -> bool:
            raise RuntimeError("never compared")

    odd = Hostile()
    assert name_in_caller(odd) == "odd"  # identity, not equality


def test_the_offline_demo_says_what_arrived_with_the_question(tmp_path: Path) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(2):
        writer.add_blank_page(width=612, height=792)
    with (tmp_path / "report.pdf").open("wb") as file:
        writer.write(file)
    df = frame(300)
    answer = Chat(offline=True).send("What stands out?", Named(df, "df"), PillowImage.new("RGB", (64, 48)),
                                     tmp_path / "report.pdf")  # fmt: skip
    text = answer.wait(timeout=30)
    assert "You asked: *What stands out?*" in text
    assert "- DataFrame `df` of 300 rows × 2 columns (`score`, `team`)" in text
    assert "- a PNG image of 64 × 48 pixels" in text
    assert "- a PDF *report.pdf* of 2 pages" in text


def test_the_widget_has_an_estimate_of_the_input_from_the_moment_it_is_sent(server: FakeAnthropic, chat: Chat) -> None:
    server.enqueue(Script(text="Short.", first_delay=0.3), Script(text="Long."))
    short = chat.send("Hi")
    assert short.input_estimate > 0  # before message_start
    short.wait(timeout=10)
    assert short.usage["input_tokens"] == short.input_estimate  # the fake server counts as the kernel estimates
    with_data = chat.send("And these?", frame(), PillowImage.new("RGB", (750, 100)))
    assert with_data.input_estimate > short.input_estimate + 100  # the summary, and the image's 100 tokens
    with_data.wait(timeout=10)
    u = with_data.usage
    total = u["input_tokens"] + u["cache_creation_input_tokens"] + u["cache_read_input_tokens"]
    assert abs(total - with_data.input_estimate) / total < 0.1


def test_the_widget_shows_a_chip_per_attachment_and_nothing_more_of_the_data(
    server: FakeAnthropic, chat: Chat, tmp_path: Path
) -> None:
    import base64
    import io
    import json

    photo = PillowImage.effect_noise((1200, 800), 60).convert("RGB")
    notes = tmp_path / "notes.md"
    notes.write_text("# Notes\n\nThe secret figure is 4217.\n")
    server.enqueue(Script(text="Seen."))
    w = chat.send("Look", Named(frame(), "df"), photo, notes)
    assert [(c["kind"], c["label"], c["detail"]) for c in w.attachments] == [
        ("table", "df · DataFrame · 2,000 × 2", "columns: score, team"),
        ("image", w.attachments[1]["label"], ""),
        ("file", f"notes.md · {notes.stat().st_size} bytes", str(notes)),  # not "0 KB"; a path names itself
    ]
    assert w.attachments[1]["label"].startswith("photo · Image · 1,200 × 800 ")
    thumbnail = w.attachments[1]["thumbnail"]
    assert thumbnail.startswith("data:image/jpeg;base64,")
    with PillowImage.open(io.BytesIO(base64.b64decode(thumbnail.split(",", 1)[1]))) as small:
        assert small.size == (96, 64)
    assert [c["thumbnail"] for c in w.attachments] == ["", thumbnail, ""]
    w.wait(timeout=10)
    sent = json.dumps(server.message_requests()[0].body)
    state = json.dumps(w.get_state(), default=str)
    assert "4217" in sent and "4217" not in state  # the file's text went to the API, not to the browser
    assert "70." in sent and "| 70." not in state  # nor the summary's figures
    assert len(state) < len(sent) / 10

"""The offline demo behaves plausibly, driven through the real SDK: labels come from the text's words (never at
random), a tool's arguments from the question, an answer longer than max_tokens stops there (and Continue finishes
it), and a job's progress takes long enough to be seen. Tests that do not watch the pace use `INSTANT`."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any, Literal

import pytest
from pydantic import BaseModel

from claude_widget import Chat
from claude_widget.fake_server import FakeAnthropic
from claude_widget.fake_server.demo import INSTANT, demo_server
from claude_widget.widget.job_widget import rows

from .conftest import TEST_KEY

REVIEWS = [
    {"product": "kettle", "text": "Boils fast and the handle stays cool. I love it."},
    {"product": "kettle", "text": "Arrived broken, I want a refund."},
    {"product": "lamp", "text": "Warm light, easy to assemble, great value."},
    {"product": "lamp", "text": "The switch broke on day two."},
    {"product": "mug", "text": "Great colour, but the glaze chipped in the dishwasher."},
    {"product": "fan", "text": "It is a fan."},
]


class Label(BaseModel):
    sentiment: Literal["positive", "negative", "mixed", "neutral"]
    topic: str
    stars: int


@pytest.fixture
def demo() -> Iterator[FakeAnthropic]:
    with demo_server(INSTANT) as server:
        yield server


def chat_on(server: FakeAnthropic, **options: Any) -> Chat:
    return Chat(api_key=TEST_KEY, base_url=server.url, **options)


def test_labels_come_from_the_words_of_each_review_the_same_every_time(demo: FakeAnthropic) -> None:
    chat = chat_on(demo)
    prompt = "Label this review of a {product}: {text}"
    labels = chat.map(REVIEWS, prompt=prompt, schema=Label).wait(timeout=30)
    assert [label.sentiment for label in labels] == ["positive", "negative", "positive", "negative", "mixed",
                                                     "neutral"]  # fmt: skip
    assert [label.topic for label in labels[:4]] == ["temperature", "durability", "temperature", "durability"]
    assert [label.stars for label in labels[:2]] == [5, 1]
    assert chat.map(REVIEWS, prompt=prompt, schema=Label).wait(timeout=30) == labels  # deterministic
    # Without a schema, a question that asks for a label gets one, with the words it comes from.
    job = chat.map(REVIEWS[:2], prompt="Classify the sentiment of: {text}")
    plain = job.wait(timeout=30)
    assert plain[0].startswith("**Positive**: the text says “fast”, “cool”, “love”.")
    assert plain[1].startswith("**Negative**: the text says “broken”, “refund”.")
    # The job widget's row shows the start of such an answer as text, without its markdown.
    assert rows(job)[1]["values"][0].startswith("Negative: the text says “broken”, “refund”. (Offline demo")


def get_weather(city: str) -> dict[str, Any]:
    """Get the current weather in a city.

    Args:
        city: The city, e.g. "Lisbon".
    """
    return {"city": city, "sky": "clear", "temperature_c": 18}


@pytest.mark.parametrize(("question", "city"), [
    ("What's the weather in Porto? I want to go for a walk.", "Porto"),
    ("Is it raining in New York today?", "New York"),
    ("I wonder whether I need a coat in berlin", "Berlin"),
])  # fmt: skip
def test_a_tool_is_called_with_the_city_the_question_names(demo: FakeAnthropic, question: str, city: str) -> None:
    w = chat_on(demo, tools=[get_weather]).send(question)
    w.wait(timeout=30)
    [call] = [b for b in demo.message_requests()[1].body["messages"][1]["content"] if b["type"] == "tool_use"]
    assert call["input"] == {"city": city}
    [card] = w.tools
    assert f'"city": "{city}"' in card["result"]


def test_a_follow_up_that_names_no_city_asks_about_the_one_the_conversation_named(demo: FakeAnthropic) -> None:
    chat = chat_on(demo, tools=[get_weather])
    chat.send("What's the weather in Porto?").wait(timeout=30)
    w = chat.send("Should I take an umbrella?")
    w.wait(timeout=30)
    assert ['"city": "Porto"' in card["result"] for card in w.tools] == [True]


def test_an_answer_longer_than_max_tokens_stops_there_and_continue_finishes_it(demo: FakeAnthropic) -> None:
    full = chat_on(demo).send("Explain server-sent events").wait(timeout=30)
    w = chat_on(demo, max_tokens=300).send("Explain server-sent events")
    cut = w.wait(timeout=30)
    assert w.stop_reason == "max_tokens" and "continue" in w.actions
    assert full.startswith(cut) and len(cut) < len(full)
    assert w.manager.usage["output_tokens"] == 300
    for _ in range(5):  # each continuation is cut at max_tokens again, until the answer is whole
        if w.stop_reason != "max_tokens":
            break
        w._on_intent(w, {"intent": "continue"}, [])
        w.wait(timeout=30)
    assert w.stop_reason == "end_turn" and w.text == full
    # A schema's JSON cut at max_tokens fails its item, as the API's would.
    job = chat_on(demo, max_tokens=5).map(REVIEWS[:1], prompt="Label: {text}", schema=Label)
    job.wait(timeout=30)
    assert job.errors[0].kind == "max_tokens"


@pytest.mark.live_pace
def test_an_offline_job_of_80_rows_takes_a_few_seconds_and_its_progress_can_be_seen() -> None:
    chat = Chat(offline=True)  # the demo at its live pace
    seen: list[tuple[int, int]] = []
    began = time.monotonic()
    job = chat.map([REVIEWS[i % len(REVIEWS)] for i in range(80)], prompt="Label: {text}", schema=Label)
    job.subscribe(lambda: seen.append((job.counts()["done"], job.counts()["running"])))
    job.wait(timeout=120)
    took = time.monotonic() - began
    assert job.counts()["done"] == 80 and took >= 3.0  # not all at once
    assert len({done for done, running in seen if running and 0 < done < 80}) >= 20  # many states in between
    assert job.progress().elapsed >= 3.0
    assert job.results[1].sentiment == "negative"

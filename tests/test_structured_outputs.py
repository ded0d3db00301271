"""The fake server's structured outputs: a request with `output_config.format` gets JSON that fits its schema."""

from __future__ import annotations

import json

import anthropic
from pydantic import BaseModel

from claude_widget.fake_server import FakeAnthropic, Script
from claude_widget.fake_server.structured import answer_for, output_schema

from .conftest import TEST_KEY


class Review(BaseModel):
    sentiment: str
    stars: int
    topics: list[str]
    helpful: bool | None


def schema_of(model: type[BaseModel]) -> dict[str, object]:
    return model.model_json_schema()


def test_an_answer_fits_its_schema_and_differs_from_question_to_question() -> None:
    schema = {"type": "object", "properties": {
        "label": {"enum": ["positive", "negative", "neutral"]},
        "score": {"type": "number", "minimum": 0, "maximum": 1},
        "stars": {"type": "integer", "minimum": 1, "maximum": 5},
    }, "required": ["label", "score", "stars"], "additionalProperties": False}  # fmt: skip
    said = ("I love it", "it arrived broken", "it is a lamp")
    answers = [json.loads(answer_for(schema, f"Classify: review {i}: {said[i % 3]}")) for i in range(30)]
    assert all(a["label"] in ("positive", "negative", "neutral") and 0 <= a["score"] <= 1 for a in answers)
    assert all(1 <= a["stars"] <= 5 for a in answers)
    assert len({a["score"] for a in answers}) > 3  # not one canned answer
    # Labels from the text's words (fake_server/labels.py), never at random: praise, complaint, neither.
    assert [a["label"] for a in answers[:3]] == ["positive", "negative", "neutral"]
    assert [a["stars"] for a in answers[:2]] == [5, 1]
    assert answer_for(schema, "Classify: review 1") == answer_for(schema, "Classify: review 1")  # stable
    review = Review.model_validate_json(answer_for(schema_of(Review), "Great phone"))  # pydantic's own schema
    assert isinstance(review.topics, list) and len(review.topics) == 1


def test_the_sdk_gets_json_that_fits_unless_a_script_says_otherwise() -> None:
    schema = {"type": "object", "properties": {"label": {"enum": ["spam", "ham"]}}, "required": ["label"],
              "additionalProperties": False}  # fmt: skip
    ask = {"model": "claude-sonnet-5-5", "max_tokens": 100, "messages": [{"role": "user", "content": "Is it spam?"}],
           "output_config": {"format": {"type": "json_schema", "schema": schema}}}  # fmt: skip
    assert output_schema(ask) == schema and output_schema({"messages": []}) is None
    with FakeAnthropic() as server:
        client = anthropic.Anthropic(api_key=TEST_KEY, base_url=server.url, max_retries=0)
        with client.messages.stream(**ask) as stream:  # type: ignore[arg-type]
            assert json.loads(stream.get_final_text())["label"] in ("spam", "ham")
        server.enqueue(Script(text="not json"))  # a test can script an answer that does not fit
        with client.messages.stream(**ask) as stream:  # type: ignore[arg-type]
            assert stream.get_final_text() == "not json"

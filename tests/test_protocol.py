"""The kernel's half of the wire protocol against the examples both sides share (tests/fixtures/protocol.json)."""

from __future__ import annotations

import base64
import json
import logging
import zlib
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from claude_widget.widget import protocol
from claude_widget.widget.display import ANSWER_MIME

FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "protocol.json").read_text())


def test_the_channels_texts_and_actions_are_the_shared_ones() -> None:
    assert list(protocol.CHANNELS) == FIXTURE["channels"]
    assert dict(protocol.TEXT_STATE) == FIXTURE["text_state"]
    assert list(protocol.ACTIONS) == FIXTURE["actions"]
    assert FIXTURE["answer_mime"] == ANSWER_MIME


@pytest.mark.parametrize("example", FIXTURE["kernel_to_view"], ids=lambda e: " ".join(map(str, e["build"][:2])))
def test_the_kernel_builds_each_message_exactly(example: dict[str, Any]) -> None:
    builder, *args = example["build"]
    assert getattr(protocol, builder)(*args) == example["message"]
    if "buffers" in example:  # a compressed delta: its bytes inflate at once to the text
        data = base64.b64decode(example["buffers"][0])
        assert zlib.decompressobj(-15).decompress(data).decode() == example["text"]


@pytest.mark.parametrize("example", FIXTURE["view_to_kernel"], ids=lambda e: json.dumps(e["message"]))
def test_the_kernel_reads_each_intent(example: dict[str, Any]) -> None:
    intent = protocol.parse_intent(example["message"])
    assert intent is not None
    expected = {**asdict(protocol.Intent(example["intent"]["name"])), **example["intent"]}
    assert asdict(intent) == expected


@pytest.mark.parametrize("message", FIXTURE["malformed"], ids=json.dumps)
def test_a_malformed_message_is_refused_with_a_warning(message: Any, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="claude_widget"):
        assert protocol.parse_intent(message) is None
    assert "ignored an unexpected message" in caplog.text

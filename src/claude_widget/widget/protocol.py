"""The kernel ↔ view wire protocol, written once: channel names, message kinds and their builders, and the
parsing of what a front end sends. js/src/wire/protocol.js is its other half; tests/fixtures/protocol.json
holds examples that both test suites decode. docs/protocol.md describes it for people.

Data flows one way (kernel → view: state, deltas, snapshots); the view sends back only intents: what the user
asked for (stop, retry, continue, resume, inspect) and what its copy of the streams needs (follow, resync, bundle).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any, Literal, get_args

log = logging.getLogger("claude_widget")

Channel = Literal["answer", "thinking", "tools", "events"]
CHANNELS: tuple[Channel, ...] = get_args(Channel)
# The channels whose whole text is also part of the widget's state (a fresh front end gets it there; a front end
# that follows the deltas keeps it current on its own copy of the model, so that saved widget state holds it).
TEXT_STATE: dict[Channel, str] = {"answer": "text", "thinking": "thinking", "tools": "tool_input"}
TEXT_KEYS = tuple(TEXT_STATE.values())
ACTIONS = ("retry", "continue")  # what the view may offer, as published by the kernel in the `actions` trait

# "resume" is a map job's (job_widget.py): send the items a stopped job has not done.
IntentName = Literal["stop", "retry", "continue", "resume", "inspect", "follow", "resync", "bundle"]
INTENTS: tuple[IntentName, ...] = get_args(IntentName)


def _with_channel(message: dict[str, Any], channel: Channel) -> dict[str, Any]:
    # The answer's messages carry no channel: the most frequent message is the smallest.
    return message if channel == "answer" else {**message, "channel": channel}


def delta(channel: Channel, offset: int, body: dict[str, Any]) -> dict[str, Any]:
    """Text at UTF-16 offset `offset` of a channel; `body` is `{"text": ...}` or a deflate piece's header."""
    return _with_channel({"kind": "delta", "offset": offset, **body}, channel)


def snapshot(channel: Channel, text: str) -> dict[str, Any]:
    """A channel's whole text so far: replaces what the view holds."""
    return _with_channel({"kind": "snapshot", "text": text}, channel)


def bundle(request_id: str, code: str, css: str) -> dict[str, Any]:
    """The view's code and styles, in reply to a `bundle` intent with the same id."""
    return {"kind": "bundle", "id": request_id, "code": code, "css": css}


@dataclass(frozen=True)
class Intent:
    """One message from a front end, checked."""

    name: IntentName
    frontend: str = ""  # which front end said it (a random id per page and widget); "" if it did not say
    channel: Channel = "answer"  # resync
    deflate: bool | None = None  # follow: it can inflate; resync: False when compressed deltas lost their bytes
    open: bool = True  # inspect: opened or closed
    request_id: str = ""  # bundle


def parse_intent(content: object) -> Intent | None:
    """The intent in a front end's message, or None (with a logged warning) for anything malformed."""
    intent = _parse(content)
    if intent is None:
        log.warning("claude_widget: ignored an unexpected message from the front end: %.200r", content)
    return intent


def is_stop(content: object) -> bool:
    """Whether a front end's message is a Stop (checked as it arrives, before anything else is done with it)."""
    intent = _parse(content)
    return intent is not None and intent.name == "stop"


def _parse(content: object) -> Intent | None:
    if not isinstance(content, dict):
        return None
    name, channel = content.get("intent"), content.get("channel", "answer")
    frontend, request_id = content.get("frontend", ""), content.get("id", "")
    deflate, is_open = content.get("deflate"), content.get("open", True)
    if name not in INTENTS or channel not in CHANNELS:
        return None
    if not isinstance(frontend, str) or not isinstance(request_id, str) or not isinstance(is_open, bool):
        return None
    if deflate is not None and not isinstance(deflate, bool):
        return None
    return Intent(name, frontend, channel, deflate, is_open, request_id)


def log_line(at: float, kind: str, detail: str) -> str:
    """One entry of the "events" channel: a JSON array per line, so the view parses complete lines as they come."""
    return json.dumps([at, kind, detail], ensure_ascii=False) + "\n"

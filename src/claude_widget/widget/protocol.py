"""The kernel ↔ view wire protocol, written once: channel names, message kinds and their builders, and the
parsing of what a front end sends. js/src/wire/protocol.js is its other half; tests/fixtures/protocol.json
holds examples that both test suites decode. docs/protocol.md describes it for people.

Data flows one way (kernel → view: state, deltas, snapshots); the view sends back only intents: what the user
asked for (stop, retry, continue, ask_again, resume, inspect; approve or reject a tool call) and what its copy of
the streams needs (follow, resync, bundle).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Literal, NotRequired, TypedDict, cast, get_args

log = logging.getLogger("claude_widget")

Channel = Literal["answer", "thinking", "tools", "events"]
CHANNELS: tuple[Channel, ...] = get_args(Channel)
# The channels whose whole text is also part of the widget's state (a fresh front end gets it there; a front end
# that follows the deltas keeps it current on its own copy of the model, so that saved widget state holds it).
TEXT_STATE: dict[Channel, str] = {"answer": "text", "thinking": "thinking", "tools": "tool_input"}
TEXT_KEYS = tuple(TEXT_STATE.values())
ACTIONS = (
    "retry",
    "continue",
    "ask_again",
)  # what the view may offer, as published by the kernel in the `actions` trait

# "resume" is a map job's (job_widget.py): send the items a stopped job has not done.
# "approve" and "reject": the user's Run or Skip on a tool call waiting for it (kernel=True).
IntentName = Literal["stop", "retry", "continue", "ask_again", "resume", "inspect", "follow", "resync", "bundle",
                     "approve", "reject"]  # fmt: skip
REASON_CHARS = 2_000  # a Skip's reason, at most
INTENTS: tuple[IntentName, ...] = get_args(IntentName)


class DeltaBody(TypedDict, total=False):
    """A delta's text: plain, or a piece of a raw deflate stream (its bytes in the message's buffer)."""

    text: str
    deflate: int  # the deflate stream's id
    start: bool  # the piece that begins that stream


class Delta(DeltaBody):
    kind: Literal["delta"]
    offset: int  # UTF-16 code units of the channel's text before this piece
    channel: NotRequired[Channel]  # absent: "answer" (the most frequent message is the smallest)


class Snapshot(TypedDict):
    kind: Literal["snapshot"]
    text: str
    channel: NotRequired[Channel]


class Bundle(TypedDict):
    kind: Literal["bundle"]
    id: str
    code: str
    css: str


Message = Delta | Snapshot | Bundle  # kernel -> view, as custom messages


def delta(channel: Channel, offset: int, body: DeltaBody) -> Delta:
    """Text at UTF-16 offset `offset` of a channel; `body` is `{"text": ...}` or a deflate piece's header."""
    message = cast(Delta, {"kind": "delta", "offset": offset, **body})  # (mypy cannot merge TypedDicts)
    if channel != "answer":
        message["channel"] = channel
    return message


def snapshot(channel: Channel, text: str) -> Snapshot:
    """A channel's whole text so far: replaces what the view holds."""
    message = Snapshot(kind="snapshot", text=text)
    if channel != "answer":
        message["channel"] = channel
    return message


def bundle(request_id: str, code: str, css: str) -> Bundle:
    """The view's code and styles, in reply to a `bundle` intent with the same id."""
    return Bundle(kind="bundle", id=request_id, code=code, css=css)


@dataclass(frozen=True)
class Intent:
    """One message from a front end, checked."""

    name: IntentName
    frontend: str = ""  # which front end said it (a random id per page and widget); "" if it did not say
    channel: Channel = "answer"  # resync
    deflate: bool | None = None  # follow: it can inflate; resync: False when compressed deltas lost their bytes
    open: bool = True  # inspect: opened or closed
    request_id: str = ""  # bundle
    call: str = ""  # approve, reject: the tool call's id
    reason: str = ""  # reject: why, for Claude


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
    call, reason = content.get("call", ""), content.get("reason", "")
    if not isinstance(call, str) or not isinstance(reason, str) or (name in ("approve", "reject") and not call):
        return None
    return Intent(name, frontend, channel, deflate, is_open, request_id, call, reason[:REASON_CHARS])


def log_line(at: float, kind: str, detail: str) -> str:
    """One entry of the "events" channel: a JSON array per line, so the view parses complete lines as they come."""
    return json.dumps([at, kind, detail], ensure_ascii=False) + "\n"

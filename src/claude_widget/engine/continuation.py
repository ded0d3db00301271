"""Continuing an interrupted answer, and the turn as it goes back into a conversation's history.

A continuation sends the conversation with the partial answer as a final assistant turn: as a prefill the model
goes on from, where the model accepts one, or followed by a user turn asking it to continue. Whatever state a
turn is in, what goes back to the API is valid: signed thinking and text, never an unsigned thinking block or a
tool call without its result.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from ..api.models import facts_for
from .blocks import Block, ToolUseBlock
from .usage import Continuation

CONTINUE_PROMPT = (
    "Your previous answer was cut off by a network interruption. Continue it exactly where it stopped, "
    "mid-word if need be: no preamble, and do not repeat what you already wrote."
)
INTERRUPTED_NOTE = "[The answer was interrupted here.]"

# Models seen rejecting assistant prefill in this process, so later continuations skip the failed attempt.
_prefill_rejected: set[str] = set()

Message = dict[str, Any]


def prefill_supported(model: str) -> bool:
    """Whether `model` accepts an assistant-message prefill, as the model table says (Claude 4.5 and older do,
    today's models refuse it). A model the table does not know is continued with a user turn, which every model
    takes; the fake server keeps the same rule."""
    facts = facts_for(model)
    return facts is not None and facts.prefill


def prefill_rejected(model: str) -> None:
    """The API rejected a prefill for `model`: continue its answers with a user turn from now on."""
    _prefill_rejected.add(model)


def continuation_mode(round_text: str, model: str, thinking: bool) -> Continuation | None:
    """How to continue a round whose text so far is `round_text`; None to ask again from its start."""
    if not round_text.strip():
        return None  # nothing worth continuing
    if thinking or model in _prefill_rejected or not prefill_supported(model):
        return "user_turn"  # prefill is incompatible with thinking, and newer models reject it
    return "prefill"


def partial_blocks(blocks: Sequence[Block]) -> list[dict[str, Any]]:
    """The round so far as valid history: signed thinking and text, without an unfinished or unanswered call of
    the kernel's tools."""
    kept = [b.to_api() for b in blocks if b.complete and not (isinstance(b, ToolUseBlock) and not b.server)]
    if kept and kept[-1]["type"] == "text":
        # The API rejects a final assistant turn that ends in whitespace; the seam merger restores it.
        kept[-1] = {**kept[-1], "text": kept[-1]["text"].rstrip()}
    return kept


def request_messages(messages: Sequence[Message], turn: Sequence[Message], blocks: Sequence[Block],
                     continuation: Continuation | None) -> list[Message]:  # fmt: skip
    """The request's messages: the conversation, the turn's finished rounds, and the partial round when
    continuing it."""
    sent = [*messages, *turn]
    if continuation is None:
        return sent
    partial = {"role": "assistant", "content": partial_blocks(blocks)}
    if continuation == "prefill":
        return [*sent, partial]
    return [*sent, partial, {"role": "user", "content": CONTINUE_PROMPT}]


def history_messages(turn: Sequence[Message], blocks: Sequence[Block]) -> list[Message]:
    """The turn as it goes into a conversation's history, valid for the API in any state.

    Whole rounds as they are; an unfinished round keeps only its text (an unsigned thinking block or a tool call
    without its result must never be sent back), marked as interrupted.
    """
    messages = copy.deepcopy(list(turn))
    partial = [b for b in partial_blocks(blocks) if b["type"] == "text"]
    if messages and messages[-1]["role"] == "assistant" and not partial:
        return messages
    return [*messages, {"role": "assistant", "content": [*partial, {"type": "text", "text": INTERRUPTED_NOTE}]}]

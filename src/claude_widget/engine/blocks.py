"""The content blocks of an assistant message as they stream in, with what the API needs to get them back.

Each block keeps what arrived so far and knows whether it is complete: only complete blocks go into the
history (an unsigned thinking block or a tool call whose input never finished must never be sent back).
`Block.to_api()` gives the block exactly as the Messages API accepts it, without any of our bookkeeping.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any


@dataclass(kw_only=True)
class Block(ABC):
    """One content block. `shown_only`: shown to the user but never sent back (thinking about a continuation)."""

    shown_only: bool = False
    extra: dict[str, Any] = field(default_factory=dict)  # other fields the API sent with the block, kept as is

    @property
    @abstractmethod
    def type(self) -> str:
        """The block's type as the API names it."""

    @property
    def complete(self) -> bool:
        """Whether the block may go into the history."""
        return not self.shown_only

    @abstractmethod
    def to_api(self) -> dict[str, Any]:
        """The block exactly as the Messages API accepts it back."""

    def _api(self, **fields: Any) -> dict[str, Any]:
        kept = {k: v for k, v in self.extra.items() if not (k == "citations" and v is None)}
        return {**kept, "type": self.type, **fields}


@dataclass(kw_only=True)
class TextBlock(Block):
    text: str = ""

    @property
    def type(self) -> str:
        return "text"

    @property
    def complete(self) -> bool:
        return super().complete and bool(self.text)

    def to_api(self) -> dict[str, Any]:
        return self._api(text=self.text)


@dataclass(kw_only=True)
class ThinkingBlock(Block):
    thinking: str = ""
    signature: str = ""

    @property
    def type(self) -> str:
        return "thinking"

    @property
    def complete(self) -> bool:
        return super().complete and bool(self.signature)  # an unsigned thinking block must never be sent back

    def to_api(self) -> dict[str, Any]:
        return self._api(thinking=self.thinking, signature=self.signature)


@dataclass(kw_only=True)
class RedactedThinkingBlock(Block):
    data: str = ""

    @property
    def type(self) -> str:
        return "redacted_thinking"

    def to_api(self) -> dict[str, Any]:
        return self._api(data=self.data)


@dataclass(kw_only=True)
class ToolUseBlock(Block):
    """A tool call: `tool_use` (the kernel runs it) or `server_tool_use` (Anthropic runs it)."""

    id: str
    name: str
    server: bool = False
    input_json: str = ""  # the input as streamed so far
    input: Any = field(default_factory=dict)  # parsed once the block is finished
    finished: bool = False  # its content_block_stop arrived
    invalid_json: bool = False  # the streamed input did not parse

    @property
    def type(self) -> str:
        return "server_tool_use" if self.server else "tool_use"

    @property
    def complete(self) -> bool:
        return super().complete and self.finished

    def finish(self) -> None:
        try:
            self.input = json.loads(self.input_json) if self.input_json.strip() else {}
        except json.JSONDecodeError:
            self.input = {}
            self.invalid_json = True
        self.finished = True

    def to_api(self) -> dict[str, Any]:
        return self._api(id=self.id, name=self.name, input=self.input)


@dataclass(kw_only=True)
class OtherBlock(Block):
    """A block that arrives whole and goes back as it came: a server tool's result, or a type this version does
    not know."""

    kind: str

    @property
    def type(self) -> str:
        return self.kind

    @property
    def tool_use_id(self) -> str | None:
        value = self.extra.get("tool_use_id")
        return value if isinstance(value, str) else None

    def to_api(self) -> dict[str, Any]:
        return self._api()


def block_from_api(data: dict[str, Any]) -> Block:
    """A block from its API form: the start of a streamed block, or a finished one from the history."""
    extra = dict(data)
    kind = str(extra.pop("type"))
    if kind == "text":
        return TextBlock(text=extra.pop("text", "") or "", extra=extra)
    if kind == "thinking":
        thinking, signature = extra.pop("thinking", "") or "", extra.pop("signature", "") or ""
        return ThinkingBlock(thinking=thinking, signature=signature, extra=extra)
    if kind == "redacted_thinking":
        return RedactedThinkingBlock(data=extra.pop("data", "") or "", extra=extra)
    if kind in ("tool_use", "server_tool_use"):
        return ToolUseBlock(id=extra.pop("id"), name=extra.pop("name"), server=kind == "server_tool_use",
                            input=extra.pop("input", {}), extra=extra)  # fmt: skip
    return OtherBlock(kind=kind, extra=extra)


def finished_from_api(data: dict[str, Any]) -> Block:
    """A block of a finished message (from the history) as a block: a tool call in it is complete."""
    block = block_from_api(data)
    if isinstance(block, ToolUseBlock):
        block.input_json = json.dumps(block.input, ensure_ascii=False)
        block.finished = True
    return block

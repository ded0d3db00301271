"""Turning the SDK's stream events into content blocks and the text shown to the user. Pure: no I/O, no asyncio.

`Assembler` keeps the current round's blocks (one assistant message) and the answer and thinking as shown for
the whole turn. Each SDK event it is given returns an `Update`: the deltas and tool-call changes to emit, and
what the attempt received. It also joins a continuation to the interrupted answer: the continuation's text
extends the interrupted text block (through a `SeamMerger`, so nothing at the seam is doubled) until the seam is
found, its later blocks are blocks of their own (each cited and marked after its own text), and thinking about a
continuation is shown but never kept for the history.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from anthropic import types as api

from .blocks import (
    Block,
    OtherBlock,
    RedactedThinkingBlock,
    TextBlock,
    ThinkingBlock,
    ToolUseBlock,
    block_from_api,
)
from .citations import Citations, marker
from .events import Cited, TextDelta, ThinkBegan, ThinkingDelta, ToolCall
from .seam import SeamMerger
from .tool_calls import ToolCalls

PARAGRAPH = "\n\n"  # a text block after other blocks starts a new paragraph of the answer
REDACTED_NOTE = "\n\n*(Some of Claude's thinking was redacted for safety.)*\n\n"
RETHINKING_NOTE = "\n\n*(interrupted; thinking again)*\n\n"

AssemblyEvent = TextDelta | ThinkingDelta | ThinkBegan | ToolCall | Cited


@dataclass
class Update:
    """What applying SDK events gave: the events to emit, in order, and what the attempt received."""

    events: list[AssemblyEvent] = field(default_factory=list)
    deltas: int = 0  # content deltas received (each carried at least one token)
    chars: int = 0  # characters added to the answer's blocks (separators shown between blocks not included)


class Assembler:
    """The current round's content blocks, and the turn's answer and thinking as shown."""

    def __init__(self, calls: ToolCalls | None = None, *, text: str = "", thinking: str = "",
                 blocks: list[Block] | None = None, citations: Citations | None = None) -> None:  # fmt: skip
        self.calls = calls if calls is not None else ToolCalls()
        self.citations = citations if citations is not None else Citations()  # the turn's sources, numbered
        self.text = text  # the answer as shown: every text block of the turn
        self.thinking = thinking  # every thinking block of the turn, as shown
        self.blocks: list[Block] = blocks if blocks is not None else []  # the current round's blocks
        self._at: dict[int, Block] = {}  # the current response's block index -> its block
        self._continuing = False
        self._seam: SeamMerger | None = None
        self._markers: dict[int, list[int]] = {}  # block index -> citation numbers its marker will show
        # A continuation's text blocks that may repeat the interrupted text -> their sources, held until they end
        self._joined: dict[int, list[dict[str, object]]] = {}
        self._marked_at_cut: set[int] = set()  # the sources marked where the last response was cut off
        self._update = Update()

    # -- the round -------------------------------------------------------------------------------------
    @property
    def round_text(self) -> str:
        """The round's last passage: what a continuation continues. A cited answer is one passage split into text
        blocks where its citations change, so it is the text blocks in a row up to the last one, joined: the last
        block alone may be empty (cut right after it started) or shorter than what the model repeats."""
        last = max((i for i, b in enumerate(self.blocks) if isinstance(b, TextBlock)), default=-1)
        first = last
        while first > 0 and isinstance(self.blocks[first - 1], TextBlock):
            first -= 1
        return "".join(b.text for b in self.blocks[first : last + 1] if isinstance(b, TextBlock))

    def message(self) -> dict[str, object]:
        """The round as an assistant message for the history: its complete blocks."""
        return {"role": "assistant", "content": [b.to_api() for b in self.blocks if b.complete]}

    def tool_uses(self) -> list[ToolUseBlock]:
        """The round's complete calls of the kernel's tools, in order."""
        return [b for b in self.blocks if isinstance(b, ToolUseBlock) and not b.server and b.complete]

    def new_round(self) -> None:
        self.blocks, self._at = [], {}

    def restart_round(self) -> Update:
        """Only thinking (or an unfinished tool input) arrived: it cannot be continued, so the round starts over."""
        self.blocks = []
        if self.thinking:
            self._append_thinking(RETHINKING_NOTE)
        return self._flush()

    # -- attempts --------------------------------------------------------------------------------------
    def begin_attempt(self, continuing: bool) -> None:
        """A new response starts: from the top of the round, or continuing its text."""
        self._continuing = continuing
        self._seam = SeamMerger(self.round_text) if continuing else None
        self._at, self._joined = {}, {}
        if not continuing:
            self._marked_at_cut = set()

    def end_attempt(self) -> Update:
        """The response ended (finished or not): release the text the seam merger still holds, then the markers
        of cited blocks that did not finish."""
        if self._seam is not None:
            shown = self._seam.resolved
            rest = self._seam.finish()
            self._append_text(rest)
            for index in list(self._joined):
                self._end_joined(index, shown or bool(rest))
            self._seam = None
        for index in list(self._markers):
            self._marked_at_cut.update(self._markers[index])
            self._mark_citations(index)
        return self._flush()

    # -- events ----------------------------------------------------------------------------------------
    def apply(self, event: object) -> Update:
        """Apply one SDK stream event; events about the message rather than its content change nothing here."""
        if isinstance(event, api.RawContentBlockStartEvent):
            self._start_block(event.index, block_from_api(event.content_block.to_dict()))
        elif isinstance(event, api.RawContentBlockDeltaEvent):
            self._apply_delta(event.index, event.delta)
        elif isinstance(event, api.RawContentBlockStopEvent):
            block = self._at.get(event.index)
            if isinstance(block, ToolUseBlock):
                block.finish()
            elif event.index in self._joined:
                self._end_joined(event.index, self._seam is None or self._seam.resolved)
            elif event.index in self._markers and (self._seam is None or self._seam.resolved):
                self._mark_citations(event.index)  # (else after the text the seam merger holds: end_attempt)
        elif isinstance(event, api.RawMessageStopEvent) and self._seam is not None:
            self._append_text(self._seam.finish())
        return self._flush()

    def _start_block(self, index: int, block: Block) -> None:
        kept = [b for b in self.blocks if not b.shown_only]
        after_text = bool(kept) and isinstance(kept[-1], TextBlock)
        joins = self._seam is not None and not self._seam.resolved  # it may still repeat the interrupted text
        if isinstance(block, TextBlock) and self._continuing and after_text and joins:
            self._at[index] = kept[-1]  # the continuation extends the interrupted text
            self._joined[index] = []
            return
        if isinstance(block, ThinkingBlock | RedactedThinkingBlock) and self._continuing:
            block.shown_only = True  # thinking again about a continuation: shown, not kept in history
        # Text blocks in a row are one passage, split where its citations change: joined as they are.
        if isinstance(block, TextBlock) and self.text and not self.text.endswith(PARAGRAPH) and not after_text:
            self._append_text(PARAGRAPH, keep=False)
        thinks = isinstance(block, ThinkingBlock | RedactedThinkingBlock)
        if thinks and not (self.blocks and isinstance(self.blocks[-1], ThinkingBlock | RedactedThinkingBlock)):
            if self.thinking and not self.thinking.endswith(PARAGRAPH):
                self._append_thinking(PARAGRAPH)  # a think never runs on from the one before
            self._update.events.append(ThinkBegan(len(self.text), len(self.thinking), len(self.calls.calls)))
        if isinstance(block, RedactedThinkingBlock):
            self._append_thinking(REDACTED_NOTE)
        self._at[index] = block
        self.blocks.append(block)
        if isinstance(block, ToolUseBlock):
            block.input_json = ""
            self._update.events.append(self.calls.report(block, "writing", len(self.text), note=self._narration()))
        elif isinstance(block, OtherBlock) and block.type.endswith("_tool_result"):
            call = self.calls.server_result(block)
            if call is not None:
                self._update.events.append(call)

    def _apply_delta(self, index: int, delta: api.RawContentBlockDelta) -> None:
        block = self._at.get(index)
        if isinstance(delta, api.TextDelta) and isinstance(block, TextBlock) and delta.text:
            self._update.deltas += 1
            self._append_text(self._seam.feed(delta.text) if self._seam else delta.text, block)
        elif isinstance(delta, api.ThinkingDelta) and isinstance(block, ThinkingBlock) and delta.thinking:
            self._update.deltas += 1
            block.thinking += delta.thinking
            self._append_thinking(delta.thinking)
        elif isinstance(delta, api.SignatureDelta) and isinstance(block, ThinkingBlock):
            block.signature = delta.signature
        elif isinstance(delta, api.CitationsDelta) and isinstance(block, TextBlock):
            if index in self._joined:
                self._joined[index].append(delta.citation.to_dict())  # held: it may cite a repeat
            else:
                self._cite(index, block, delta.citation.to_dict())
        elif isinstance(delta, api.InputJSONDelta) and isinstance(block, ToolUseBlock):
            self._update.deltas += 1
            block.input_json += delta.partial_json
            self._update.events.append(self.calls.report(block, "writing", len(self.text)))

    def _cite(self, index: int, block: TextBlock, raw: dict[str, object]) -> None:
        cited = block.extra.get("citations") or []
        if raw not in cited:  # (a continuation of a cited block cites it again)
            block.extra["citations"] = [*cited, raw]  # the history keeps them
        citation, new = self.citations.add(raw)
        if new:
            self._update.events.append(Cited(citation.to_dict()))
        numbers = self._markers.setdefault(index, [])
        if citation.number not in numbers:
            numbers.append(citation.number)

    def _end_joined(self, index: int, shown: bool) -> None:
        """A continuation's block that extended the interrupted text ended: its sources cited and marked if any of
        its text was shown; else it only repeated what the answer has, whose own sources are cited there."""
        held, block = self._joined.pop(index), self._at.get(index)
        if shown and isinstance(block, TextBlock):
            for raw in held:
                self._cite(index, block, raw)
            if index in self._markers:  # the block it continues was marked where it was cut: not twice
                self._markers[index] = [n for n in self._markers[index] if n not in self._marked_at_cut]
            self._marked_at_cut = set()
        if index in self._markers:
            self._mark_citations(index)

    def _narration(self) -> str:
        """The thinking right before the block just started (since the last text or call): on today's models,
        what Claude says between tool calls, which its card shows."""
        thoughts: list[str] = []
        for block in reversed(self.blocks[:-1]):
            if not isinstance(block, ThinkingBlock):
                break
            thoughts.append(block.thinking.strip())
        return "\n\n".join(t for t in reversed(thoughts) if t)

    # -- text ------------------------------------------------------------------------------------------
    def _append_text(self, text: str, block: TextBlock | None = None, keep: bool = True) -> None:
        if not text:
            return
        if keep:
            if block is None:
                block = next(b for b in reversed(self.blocks) if isinstance(b, TextBlock))
            block.text += text
            self._update.chars += len(text)
        self._update.events.append(TextDelta(text, len(self.text)))
        self.text += text

    def _mark_citations(self, index: int) -> None:
        """After a cited block's text, shown only: its markers, in the order its sources were cited."""
        self._append_text("".join(marker(n) for n in self._markers.pop(index)), keep=False)

    def _append_thinking(self, text: str) -> None:
        self._update.events.append(ThinkingDelta(text, len(self.thinking)))
        self.thinking += text

    def _flush(self) -> Update:
        update, self._update = self._update, Update()
        return update

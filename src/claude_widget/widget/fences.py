"""How a code fence is recognised (CommonMark's rules, as js/src/markdown/fences.js writes them for the view;
tests/fixtures/fences.json holds the cases both follow), and the code blocks of an answer."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_FENCE_LINE = re.compile(r"([ \t]*)(`{3,}|~{3,})(.*?)\r?")
_TOP_LEVEL_INDENT = re.compile(r" {0,3}")
_CLOSER_REST = re.compile(r"[ \t]*")


@dataclass(frozen=True)
class FenceLine:
    """A line that starts with a fence run (three or more backticks or tildes)."""

    indent: str
    run: str
    info: str

    @property
    def top_level(self) -> bool:
        """Indented by three spaces at most: a fence at the top level of the document (four make indented code)."""
        return _TOP_LEVEL_INDENT.fullmatch(self.indent) is not None

    @property
    def can_open(self) -> bool:
        """A backtick fence whose info string holds a backtick is inline code, not a fence."""
        return not (self.run[0] == "`" and "`" in self.info)

    def closes(self, opener: FenceLine) -> bool:
        """The same character, at least as long, and only spaces or tabs after it."""
        return (self.run[0] == opener.run[0] and len(self.run) >= len(opener.run)
                and _CLOSER_REST.fullmatch(self.info) is not None)  # fmt: skip


def fence_line(line: str) -> FenceLine | None:
    """The fence run that starts `line` (one line, without its newline), if any."""
    match = _FENCE_LINE.fullmatch(line)
    return FenceLine(match[1], match[2], match[3]) if match else None


@dataclass(frozen=True)
class CodeBlock:
    """One fenced code block of an answer."""

    language: str  # the first word of the fence's info string ("" if none)
    code: str  # without the fences, and without the indentation the opening fence had


def walk(text: str) -> Iterator[tuple[str, str, FenceLine | None]]:
    """Each line of `text` (with its newline), where it stands ("text", "opens", "code" or "closes"), and the
    opening fence of the block it belongs to."""
    opener: FenceLine | None = None
    for line in text.splitlines(keepends=True):
        fence = fence_line(line.rstrip("\n"))
        if fence is not None and not fence.top_level:
            fence = None
        if opener is None:
            if fence is not None and fence.can_open:
                opener = fence
                yield line, "opens", opener
            else:
                yield line, "text", None
        elif fence is not None and fence.closes(opener):
            yield line, "closes", opener
            opener = None
        else:
            yield line, "code", opener


def code_blocks(text: str) -> list[CodeBlock]:
    """The fenced code blocks of `text`, in order; one left open at the end runs to the end (as CommonMark says)."""
    blocks: list[CodeBlock] = []
    lines: list[str] = []
    opener: FenceLine | None = None
    for line, where, fence in walk(text):
        if where == "opens":
            opener, lines = fence, []
        elif where == "code":
            lines.append(line)
        elif where == "closes" and fence is not None:
            blocks.append(_block(fence, lines))
            opener = None
    if opener is not None:
        blocks.append(_block(opener, lines))
    return blocks


def _block(opener: FenceLine, lines: list[str]) -> CodeBlock:
    indent = len(opener.indent)
    body = "".join(line[min(indent, len(line) - len(line.lstrip(" "))) :] for line in lines)
    words = opener.info.strip().split()
    return CodeBlock(words[0] if words else "", body.removesuffix("\n"))

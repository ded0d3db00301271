"""The answer as plain markdown, for everything that cannot run the widget: GitHub, nbviewer, nbconvert, a
notebook reopened without its widget state, and frozen outputs.

Model text is untrusted and these renderers may pass raw HTML through, so HTML outside code is escaped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .events import FINAL_STATUSES

# How a code fence is recognised: CommonMark's rules, as js/src/markdown/fences.js writes them for the view
# (tests/fixtures/fences.json holds the cases both follow).
_FENCE_LINE = re.compile(r"([ \t]*)(`{3,}|~{3,})(.*?)\r?")
_TOP_LEVEL_INDENT = re.compile(r" {0,3}")
_CLOSER_REST = re.compile(r"[ \t]*")
_CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1", re.DOTALL)


def answer_markdown(text: str, *, status: str, model: str, error: dict[str, Any] | None = None,
                    notice: str | None = None) -> str:  # fmt: skip
    """The answer, escaped, with a line saying how it ended when that was not a clean finish."""
    parts = [escape_html_outside_code(text)]
    if status == "stopped":
        parts.append("*(Stopped before the end of the answer.)*")
    elif status == "error" and error:
        parts.append(f"> **Error:** {escape_html_outside_code(str(error.get('message', '')))}")
    elif status not in FINAL_STATUSES:
        parts.append(f"*({model} is still answering…)*")
    if notice:
        parts.append(f"*{notice}*")
    return "\n\n".join(p for p in parts if p)


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


def escape_html_outside_code(text: str) -> str:
    out: list[str] = []
    opener: FenceLine | None = None
    for line in text.splitlines(keepends=True):
        fence = fence_line(line.rstrip("\n"))
        if fence is not None and not fence.top_level:
            fence = None
        if opener is None and fence is not None and fence.can_open:
            opener = fence
            out.append(line)
        elif opener is not None:
            if fence is not None and fence.closes(opener):
                opener = None
            out.append(line)
        else:
            out.append(_escape_line(line))
    return "".join(out)


def _escape_line(line: str) -> str:
    pieces, last = [], 0
    for span in _CODE_SPAN.finditer(line):
        pieces.append(line[last : span.start()].replace("<", "&lt;"))
        pieces.append(span.group(0))
        last = span.end()
    pieces.append(line[last:].replace("<", "&lt;"))
    return "".join(pieces)

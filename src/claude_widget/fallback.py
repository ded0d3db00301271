"""The answer as plain markdown, for everything that cannot run the widget: GitHub, nbviewer, nbconvert, a
notebook reopened without its widget state, and frozen outputs.

Model text is untrusted and these renderers may pass raw HTML through, so HTML outside code is escaped.
"""

from __future__ import annotations

import re
from typing import Any

from .events import FINAL_STATUSES

_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})", re.MULTILINE)
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


def escape_html_outside_code(text: str) -> str:
    out: list[str] = []
    fence: str | None = None
    for line in text.splitlines(keepends=True):
        match = _FENCE.match(line)
        if fence is None and match:
            fence = match.group(2)
            out.append(line)
        elif fence is not None:
            if match and match.group(2)[0] == fence[0] and len(match.group(2)) >= len(fence):
                fence = None
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

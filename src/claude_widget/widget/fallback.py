"""The answer as plain markdown, for everything that cannot run the widget: GitHub, nbviewer, nbconvert, a
notebook reopened without its widget state, and frozen outputs.

Model text is untrusted and these renderers may pass raw HTML through, so HTML outside code is escaped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from ..engine.citations import footnotes
from ..engine.events import FINAL_STATUSES
from .fences import walk

_CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1", re.DOTALL)


def answer_markdown(text: str, *, status: str, model: str, error: dict[str, Any] | None = None,
                    notice: str | None = None, citations: Sequence[dict[str, Any]] = ()) -> str:  # fmt: skip
    """The answer, escaped, with a line saying how it ended when that was not a clean finish, and the footnotes
    of its citations."""
    parts = [escape_html_outside_code(text)]
    if status == "stopped" and not notice:  # (a live answer's notice says it)
        parts.append("*(Stopped before the end of the answer.)*")
    elif status == "error" and error:
        parts.append(f"> **Error:** {escape_html_outside_code(str(error.get('message', '')))}")
    elif status not in FINAL_STATUSES:
        parts.append(f"*({model} is still answering…)*")
    if notice:
        parts.append(f"*{notice}*")
    if citations:
        parts.append(escape_html_outside_code(footnotes(citations)))
    return "\n\n".join(p for p in parts if p)


def escape_html_outside_code(text: str) -> str:
    return "".join(_escape_line(line) if where == "text" else line for line, where, _ in walk(text))


def _escape_line(line: str) -> str:
    pieces, last = [], 0
    for span in _CODE_SPAN.finditer(line):
        pieces.append(line[last : span.start()].replace("<", "&lt;"))
        pieces.append(span.group(0))
        last = span.end()
    pieces.append(line[last:].replace("<", "&lt;"))
    return "".join(pieces)

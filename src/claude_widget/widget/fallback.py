"""The answer as plain markdown, for everything that cannot run the widget: GitHub, nbviewer, nbconvert, a
notebook reopened without its widget state, and frozen outputs.

Model text is untrusted and these renderers may pass raw HTML through, so HTML outside code is escaped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from ..engine.citations import footnotes
from ..engine.events import FINAL_STATUSES
from .fences import walk

_CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1", re.DOTALL)


RESULT_CHARS = 3_000  # of the output of code Claude ran, in the saved markdown


def answer_markdown(text: str, *, status: str, model: str, error: dict[str, Any] | None = None,
                    notice: str | None = None, citations: Sequence[dict[str, Any]] = (),
                    calls: Sequence[dict[str, Any]] = ()) -> str:  # fmt: skip
    """The answer, escaped, with the code Claude ran in the kernel where it ran (each with its output), a line
    saying how it ended when that was not a clean finish, and the footnotes of its citations."""
    parts = [escape_html_outside_code(with_code_run(text, calls))]
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


def with_code_run(text: str, calls: Sequence[dict[str, Any]]) -> str:
    """`text` with each `run_python` call's code and output as fenced blocks where the call sits among the text."""
    for call in sorted((c for c in calls if c.get("name") == "run_python"), key=lambda c: c["at"], reverse=True):
        try:
            code = json.loads(call.get("input_json") or "{}").get("code")
        except (ValueError, AttributeError):
            continue
        if not isinstance(code, str):
            continue
        said = {"done": "Ran in the kernel", "error": "Ran in the kernel, and failed", "declined": "Not run",
                "cancelled": "Stopped"}.get(call.get("status", ""), "Proposed")  # fmt: skip
        block = [f"*{said}:*", _fenced(code, "python")]
        result = call.get("result")
        if result:
            block.append(_fenced(result if len(result) <= RESULT_CHARS else result[:RESULT_CHARS] + "\n…", "text"))
        at = min(max(int(call["at"]), 0), len(text))
        text = text[:at] + "\n\n" + "\n\n".join(block) + "\n\n" + text[at:]
    return text.strip("\n") if calls else text


def _fenced(code: str, language: str) -> str:
    """A fence that the code cannot close: longer than any run of backticks in it."""
    longest = max((len(m) for m in re.findall(r"`+", code)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{code.rstrip()}\n{fence}"


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

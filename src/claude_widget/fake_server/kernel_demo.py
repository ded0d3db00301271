"""The offline demo of Claude working in the user's kernel (`Chat(kernel=True)`): the whole loop, scripted.

Where a request offers the kernel tools, the demo acts as Claude would on a question about a DataFrame: it lists
the variables, describes the first DataFrame, proposes code that answers the question (for duplicated ids: count
them, then keep each id's first row), and once the code ran, or was declined, answers from what came back. Each
step reads only the request: the tool results the kernel sent, and the question.
"""

from __future__ import annotations

import re
from typing import Any

KERNEL_TOOLS = frozenset(("run_python", "list_variables", "describe_variable"))
DATAFRAME_LINE = re.compile(r"^(\w+): DataFrame \(", re.M)
COLUMN_ROW = re.compile(r"^\| (\S[^|]*?) \| \w+ \| \d+ \|", re.M)  # a column's row in a table summary


def offers_kernel(body: dict[str, Any]) -> bool:
    return {tool.get("name") for tool in body.get("tools") or []} >= KERNEL_TOOLS


def kernel_step(body: dict[str, Any]) -> tuple[str, dict[str, Any] | None]:
    """The demo's next step: what it says, and the tool call that follows it (None: its final answer)."""
    question = _question(body)
    called, result, is_error = _last_result(body)
    if called is None:
        return "Let me see what you are working with first.", {"name": "list_variables", "input": {}}
    if called == "list_variables":
        found = DATAFRAME_LINE.search(result)
        if found is None:
            return ("There is no DataFrame in your namespace yet: load one (`df = pd.read_csv(...)`) and ask again."
                    + OFFLINE, None)  # fmt: skip
        return f"`{found[1]}` is a DataFrame; let me look at its columns.", _call("describe_variable", name=found[1])
    if called == "describe_variable":
        named = re.search(r"DataFrame `(\w+)`", result)
        return _proposal(question, named[1] if named else "df", COLUMN_ROW.findall(result))
    if result.startswith(("The user chose not to run", "Not run:")):
        return f"I did not run it. {result}\n\nTell me how you would like to go on." + OFFLINE, None
    if is_error:
        return f"The code failed:\n\n```\n{result[-1500:]}\n```\n\nI should fix that before going on." + OFFLINE, None
    return (f"It ran. Here is what came back:\n\n```\n{result[:1500]}\n```\n\nThe variables it changed are in your "
            "namespace now: your next cell sees them." + OFFLINE, None)  # fmt: skip


OFFLINE = "\n\n*(Offline demo: the built-in fake server scripted these steps; Claude would reason about your data.)*"


def _proposal(question: str, frame: str, columns: list[str]) -> tuple[str, dict[str, Any]]:
    """The code that answers the question about `frame`: duplicated ids, or else a first look."""
    key = next((c for c in columns if c.lower() == "id" or c.lower().endswith("_id")), columns[0] if columns else None)
    if "duplic" in question.lower() and key is not None:
        code = (f"dupes = {frame}[{frame}.duplicated({key!r}, keep=False)]\n"
                f"print(len(dupes), 'rows share their {key} with another row')\n"
                f"{frame} = {frame}.drop_duplicates({key!r}, keep='first').reset_index(drop=True)\n"
                f"{frame}.shape")  # fmt: skip
        say = (f"Some `{key}` values appear more than once. This counts the rows that share one, then keeps the "
               f"first row of each `{key}`:")  # fmt: skip
        return say, _call("run_python", code=code)
    code = f"print({frame}.shape)\n{frame}.describe(include='all').T.head(10)"
    return f"Here is a first look at `{frame}`:", _call("run_python", code=code)


def _call(tool: str, **given: Any) -> dict[str, Any]:
    return {"name": tool, "input": given}


def _question(body: dict[str, Any]) -> str:
    """The user's question: the last user message with text of its own (not a tool result)."""
    for message in reversed(body.get("messages") or []):
        content = message.get("content")
        if message.get("role") != "user":
            continue
        if isinstance(content, str):
            return content
        texts = [b.get("text", "") for b in content or [] if isinstance(b, dict) and b.get("type") == "text"]
        if texts and not any(isinstance(b, dict) and b.get("type") == "tool_result" for b in content):
            return str(texts[-1])
    return ""


def _last_result(body: dict[str, Any]) -> tuple[str | None, str, bool]:
    """The tool the last request answered (None if it answered none), its result's text, and whether it failed."""
    messages = body.get("messages") or []
    if len(messages) < 2 or not isinstance(messages[-1].get("content"), list):
        return None, "", False
    results = [b for b in messages[-1]["content"] if isinstance(b, dict) and b.get("type") == "tool_result"]
    calls = {b.get("id"): b.get("name") for b in messages[-2].get("content") or []
             if isinstance(b, dict) and b.get("type") == "tool_use"}  # fmt: skip
    if not results:
        return None, "", False
    last = results[-1]
    content = last.get("content")
    text = content if isinstance(content, str) else "".join(
        b.get("text", "") for b in content or [] if isinstance(b, dict) and b.get("type") == "text")  # fmt: skip
    return calls.get(last.get("tool_use_id")), text, bool(last.get("is_error"))

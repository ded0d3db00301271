"""Canned answers for the offline demo: realistic markdown at a realistic pace, clearly labelled as fake.

Plausible where it can be without a model: a label comes from the text's words (labels.py: "great", "love" are
praise, "broken", "refund" complaints), a tool's arguments from the question (the city it names), an answer longer
than max_tokens is cut there (so Continue shows), and a job's rows take a few seconds to finish (`Pace`).
Deterministic: the same question always gets the same answer; nothing is random.
"""

from __future__ import annotations

import base64
import os
import re
from dataclasses import dataclass
from typing import Any

from ..api.media import pdf_pages, read_header
from .kernel_demo import kernel_step, offers_kernel
from .labels import place, sentiment
from .passages import Passage, cited_passages
from .rules import message_text, partial_answer
from .script import Script
from .server import FakeAnthropic
from .structured import answer_for, output_schema

OFFLINE_NOTE = "> *Offline demo: this answer comes from claude-widget's built-in fake server, not from Claude.*\n\n"

SSE_ANSWER = r"""## Server-sent events in one minute

**Server-sent events (SSE)** let a server push a stream of small messages over one ordinary HTTP response.
The client sends a request once; the server keeps the connection open and writes events as they happen.

Each event is a few lines of text followed by a blank line:

```text
event: content_block_delta
data: {"type": "content_block_delta", "delta": {"type": "text_delta", "text": "Hel"}}
```

Reading a stream with the Python SDK takes a few lines:

```python
import anthropic

client = anthropic.Anthropic()
with client.messages.stream(model="claude-sonnet-5-5", max_tokens=1024,
                            messages=[{"role": "user", "content": "Hi"}]) as stream:
    for text in stream.text_stream:
        print(text, end="", flush=True)
```

| event | what it carries |
|:--|:--|
| `message_start` | the message id and the input tokens |
| `content_block_delta` | a few characters of the answer |
| `message_delta` | the stop reason and the exact output tokens |
| `message_stop` | the end of the stream |

Why it *feels* faster: if the first token arrives after $t_1 \approx 0.5$ s and the whole answer after
$T \approx 20$ s, a streamed answer is readable $T / t_1 = 40$ times sooner, even though

$$
T_{\text{streamed}} = T_{\text{one-shot}}.
$$

Try the **Stop** button while this streams: the connection closes at once and no more tokens are billed.
"""


def received_answer(prompt: str, given: list[str]) -> str:
    """What the offline demo says about a question that came with data or files: what arrived."""
    listed = "\n".join(f"- {words}" for words in given)
    return (
        f"You asked: *{_shown(prompt)}*\n\nWith it, this request carried:\n\n{listed}\n\n"
        "The fake server cannot look into them, but Claude would read them with your question: a table as its"
        " summary (shape, columns, figures, sample rows), an image as pixels, a PDF page by page. Ask a follow-up"
        " about the same data: the conversation's prefix is cached, and the counter shows the cached tokens.\n"
    )


def _shown(prompt: str) -> str:
    shown = prompt.strip().replace("\n", " ")
    return shown if len(shown) <= 120 else shown[:117] + "…"


def generic_answer(prompt: str) -> str:
    return (
        f"You asked: *{_shown(prompt)}*\n\n"
        "I am the built-in fake server, so I cannot really answer, but I can show how a streamed answer looks:\n\n"
        "1. A **typing indicator** appears the moment the request leaves.\n"
        "2. Text appears token by token, rendered as markdown as it arrives.\n"
        "3. The counter shows input tokens at once and output tokens as they grow.\n\n"
        "```python\nfrom claude_widget import Chat\nchat = Chat()  # reads ANTHROPIC_API_KEY\n"
        'chat.send("Explain server-sent events")\n```\n\n'
        "To talk to Claude for real, give it a key: `Chat(api_key=...)`, or `%env ANTHROPIC_API_KEY=...` in this\n"
        "notebook, then `Chat()`.\n"
    )


@dataclass(frozen=True)
class Pace:
    """How fast the demo answers: `chunk_size` characters a delta, `delay` seconds between deltas, `first_delay`
    before the first (the model reading), `thinking_seconds` of thinking before an answer that thinks."""

    chunk_size: int = 4
    delay: float = 0.016
    first_delay: float = 0.6
    thinking_seconds: float = 1.5

    def script(self, text: str, *, thinking: str | None = None, **fields: Any) -> Script:
        """A demo answer at this pace, cut at the request's max_tokens as the API would (Continue then shows)."""
        return Script(text=text, thinking=thinking, chunk_size=self.chunk_size, delay=self.delay,
                      first_delay=self.first_delay, thinking_seconds=self.thinking_seconds if thinking else 0.0,
                      honour_max_tokens=True, **fields)  # fmt: skip


# What a person watching sees: about 60 deltas a second after a short wait, a think of a second and a half first,
# so an 80-row job takes a few seconds and its progress can be followed. Tests that do not watch the pace use
# INSTANT (demo_server(INSTANT)).
LIVE = Pace()
INSTANT = Pace(delay=0.0, first_delay=0.0, thinking_seconds=0.0)
THINKING_SECONDS = LIVE.thinking_seconds
# For tests that do not watch the pace but run the demo in a kernel of their own (tests/conftest.py, run_notebook).
PACE_VARIABLE = "CLAUDE_WIDGET_DEMO_PACE"

# A question that asks for a label: answered with one, from the text's words (labels.py), not with a lecture.
CLASSIFY = re.compile(r"\b(classify|classification|label|sentiment|categori[sz]e|positive or negative)\b", re.I)
CONTINUE_WORD = "continue"
# Words after "in" that are not a place ("in general", "in the morning").
UNPLACES = frozenset((
    "the", "general", "advance", "case", "fact", "order", "time", "total", "short", "detail", "particular",
    "summer", "winter", "spring", "autumn", "fall", "morning", "evening", "there",
))  # fmt: skip


def demo_server(pace: Pace | None = None) -> FakeAnthropic:
    """The fake server behind `Chat(offline=True)` (not started): the demo's answers, at `pace` (by default LIVE,
    or INSTANT where the environment sets CLAUDE_WIDGET_DEMO_PACE=instant: kernels that tests start)."""
    if pace is None:
        pace = INSTANT if os.environ.get(PACE_VARIABLE) == "instant" else LIVE
    return FakeAnthropic(responder=lambda body: demo_responder(body, pace),
                         structured=lambda body: demo_structured(body, pace))  # fmt: skip


def demo_structured(body: dict[str, Any], pace: Pace = LIVE) -> Script:
    """A request for structured output (`chat.map(..., schema=...)`): JSON that fits, its labels from the question's
    words (structured.py), at the demo's pace, without a think (a label is quick)."""
    return pace.script(answer_for(output_schema(body) or {}, _last_user_text(body)))


def demo_responder(body: dict[str, Any], pace: Pace = LIVE) -> Script:
    """Answer like a (very limited) Claude at `pace`: canned markdown, a short think first (as the default model
    does: its summary shown where the request asks for summaries, else only pings then the signature; none where the
    request's model does not think), a label from the text where one is asked for, and a call to the first tool
    offered, with arguments taken from the question. A request to continue an answer cut at max_tokens gets the
    same answer again, which the server continues from where it was cut."""
    asked = _asked(body)
    script = _answer(asked, pace)
    if asked is not body and not _continues(script, body):
        script = _answer(body, pace)  # not a continuation after all: a new question that says "continue"
    return script


def _answer(body: dict[str, Any], pace: Pace) -> Script:
    thinking = _thinking_for(body)
    if offers_kernel(body):  # Chat(kernel=True): the whole loop in the user's kernel, step by step
        text, call = kernel_step(body)
        return pace.script(text, tool_use=call, thinking=thinking)
    results = _tool_results(body)
    if results:
        summary = "\n".join(f"- `{r}`" for r in results)
        text = f"The tool returned:\n\n{summary}\n\n(The offline fake server only repeats tool results back.)"
        return pace.script(text, thinking=thinking)
    prompt = _last_user_text(body)
    tools = body.get("tools") or []
    if tools and "input_schema" in tools[0]:
        earlier = [message_text(m) for m in body.get("messages", [])[:-1] if m.get("role") == "user"]
        call = {"name": tools[0]["name"], "input": _guess_input(tools[0]["input_schema"], prompt, earlier)}
        return pace.script(f"I'll call `{call['name']}` for that.", tool_use=call, thinking=thinking)
    given = _attachments(body)
    if CLASSIFY.search(prompt) and not given:
        return pace.script(label_answer(prompt))
    topic = prompt.lower()
    turn = sum(1 for m in body.get("messages", []) if m.get("role") == "user")
    about_streaming = any(word in topic for word in ("sse", "server-sent", "stream"))
    text = SSE_ANSWER if about_streaming else generic_answer(prompt)
    if given:
        text = received_answer(prompt, given)
    if turn > 1:
        text = f"*(Turn {turn} of this conversation: the whole history was sent with this request.)*\n\n" + text
    parts = [(OFFLINE_NOTE + text, ()), *_quoted(cited_passages(body))]
    answer = "".join(part for part, _ in parts)
    spans, at = [], 0
    for part, citations in parts:
        if citations:
            spans.append((at, at + len(part), citations))
        at += len(part)
    return pace.script(answer, citations=tuple(spans), thinking=thinking)


def label_answer(prompt: str) -> str:
    """A label for the text, from its words, and which words: "**Negative**: the text says “broken”, “refund”."."""
    felt, said = sentiment(prompt)
    why = "the text says " + ", ".join(f"“{w}”" for w in said) if said else "no words of praise or complaint"
    return (f"**{felt.capitalize()}**: {why}.\n\n"
            "*(Offline demo: labelled from these words by the built-in fake server, not by Claude.)*\n")  # fmt: skip


def _asked(body: dict[str, Any]) -> dict[str, Any]:
    """The request as its question was first asked: without the partial answer a continuation carries (a prefill,
    or followed by a user turn asking to continue). The body itself when it is not one."""
    messages = list(body.get("messages") or [])
    asks = len(messages) >= 2 and messages[-1].get("role") == "user" and messages[-2].get("role") == "assistant"
    if asks and CONTINUE_WORD in message_text(messages[-1]).lower():
        messages = messages[:-1]
    if len(messages) >= 2 and messages[-1].get("role") == "assistant" and messages[-2].get("role") == "user":
        return {**body, "messages": messages[:-1]}
    return body


def _continues(script: Script, body: dict[str, Any]) -> bool:
    """Whether `body` continues `script`'s answer: its partial answer is the start of it."""
    partial = partial_answer(body)
    return bool(partial) and script.text.startswith(partial) and partial != script.text


def _quoted(passages: list[Passage]) -> list[tuple[str, tuple[dict[str, Any], ...]]]:
    """A cited answer's parts: each passage quoted after where it is, and cited as the API cites it."""
    if not passages:
        return []
    parts: list[tuple[str, tuple[dict[str, Any], ...]]] = [
        ("\nIt can quote them, though, with their sources, the way Claude cites documents:\n", ())
    ]
    for passage in passages:
        c = passage.citation
        where = f"*{c['document_title'] or 'document ' + str(c['document_index'] + 1)}*"
        if c["type"] == "page_location":
            where += f", page {c['start_page_number']}"
        parts += [(f"\n- {where}: ", ()), (f"“{passage.text}”", (c,))]
    return [*parts, ("\n", ())]


def _thinking_for(body: dict[str, Any]) -> str:
    """The thinking's summary (the server drops it where the request's model does not think)."""
    prompt = _last_user_text(body) or "the tool result"
    return (
        f'The user wrote: "{prompt[:80]}". I should answer clearly, start with the key idea, and add an '
        "example. Since I am the offline fake server, my answer is canned, but the thinking streams like "
        "Claude's would."
    )


def _tool_results(body: dict[str, Any]) -> list[str]:
    messages = body.get("messages") or [{}]
    content = messages[-1].get("content")
    if messages[-1].get("role") != "user" or not isinstance(content, list):
        return []
    return [str(b.get("content", ""))[:200] for b in content if isinstance(b, dict) and b.get("type") == "tool_result"]


def _guess_input(schema: dict[str, Any], prompt: str, earlier: list[str] | None = None) -> dict[str, Any]:
    """Arguments taken from the question: a place it names for a city or a location ("the weather in Lisbon?" →
    "Lisbon", never "I"; else the last place the conversation named), the question itself for a query, its first
    number for a number; defaults elsewhere."""
    numbers = re.findall(r"\b\d+\b", prompt)
    guessed: dict[str, Any] = {}
    for name in schema.get("required", []):
        prop = schema.get("properties", {}).get(name, {})
        kind = prop.get("type")
        if "enum" in prop:
            guessed[name] = prop["enum"][0]
        elif kind == "string":
            guessed[name] = _string_input(name, prop, prompt, earlier or [])
        elif kind in ("integer", "number"):
            guessed[name] = int(numbers[0]) if numbers else prop.get("default", prop.get("minimum", 1))
        elif kind == "boolean":
            guessed[name] = True
        elif kind == "array":
            guessed[name] = []
        else:
            guessed[name] = {}
    return guessed


def _string_input(name: str, prop: dict[str, Any], prompt: str, earlier: list[str]) -> str:
    if any(word in name.lower() for word in ("query", "question", "search", "text", "prompt", "topic")):
        return " ".join(prompt.split())
    lowered = re.search(r"\bin\s+([a-z][\w-]{2,})", prompt)  # "the weather in berlin"
    if lowered and lowered.group(1) in UNPLACES:
        lowered = None
    named = place(prompt) or (lowered.group(1).capitalize() if lowered else None)
    named = named or next((found for text in reversed(earlier) if (found := place(text))), None)
    example = re.search(r"e\.g\.,?\s*[\"“']?([^\"”'.,;)]+)", str(prop.get("description", "")))
    return named or (example.group(1).strip() if example else None) or "London"


def _last_user_text(body: dict[str, Any]) -> str:
    for message in reversed(body.get("messages", [])):
        if message.get("role") != "user":
            continue
        content = message.get("content")
        if isinstance(content, str):
            return content
        if isinstance(content, list):  # the question is the last text block; data and files come before it
            texts = [part.get("text", "") for part in content if isinstance(part, dict) and part.get("type") == "text"]
            return texts[-1] if texts else ""
    return ""


def _attachments(body: dict[str, Any]) -> list[str]:
    """What came with the last question, in words: a table's shape and columns, an image's format and size, a
    document's title and pages."""
    messages = [m for m in body.get("messages", []) if m.get("role") == "user"]
    content = messages[-1].get("content") if messages else None
    if not isinstance(content, list):
        return []
    found = []
    texts = [part for part in content if isinstance(part, dict) and part.get("type") == "text"]
    for part in content:
        if not isinstance(part, dict):
            continue
        kind = part.get("type")
        if kind == "text" and part is not texts[-1]:
            found.append(_table_words(part.get("text", "")))
        elif kind == "image":
            found.append(_image_words(part.get("source") or {}))
        elif kind == "document":
            found.append(_document_words(part))
    return found


def _table_words(text: str) -> str:
    match = re.match(r"(\w+)(?: `([^`]+)`)?: ([\d,]+) rows × ([\d,]+) columns", text)
    if not match:
        return f"a text of {len(text):,} characters"
    kind, name, rows, columns = match.groups()
    section = text.split("| column | dtype | missing | summary |", 1)[-1].split("\n\n", 1)[0]
    names = re.findall(r"^\| ([^|]+?) \| [^|]+ \| [\d,]+", section, flags=re.MULTILINE)
    listed = ", ".join(f"`{n}`" for n in names[:8]) + (", …" if len(names) > 8 else "")
    label = f"{kind} `{name}`" if name else f"a {kind}"
    return f"{label} of {rows} rows × {columns} columns ({listed})"


def _image_words(source: dict[str, Any]) -> str:
    try:
        header = read_header(base64.b64decode(source.get("data", "")))
    except ValueError:
        header = None
    if header is None:
        return "an image"
    return f"a {header.media_type.split('/')[1].upper()} image of {header.width:,} × {header.height:,} pixels"


def _document_words(block: dict[str, Any]) -> str:
    source = block.get("source") or {}
    title = f" *{block['title']}*" if block.get("title") else ""
    if source.get("type") == "text":
        return f"a text document{title} of {len(source.get('data', '')):,} characters"
    try:
        pages = pdf_pages(base64.b64decode(source.get("data", "")))
    except ValueError:
        pages = None
    return f"a PDF{title}" + (f" of {pages} page{'s' if pages != 1 else ''}" if pages else "")

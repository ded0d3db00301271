"""Canned answers for the offline demo: realistic markdown at a realistic pace, clearly labelled as fake."""

from __future__ import annotations

from typing import Any

from .script import Script

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


def generic_answer(prompt: str) -> str:
    shown = prompt.strip().replace("\n", " ")
    if len(shown) > 120:
        shown = shown[:117] + "…"
    return (
        f"You asked: *{shown}*\n\n"
        "I am the built-in fake server, so I cannot really answer, but I can show how a streamed answer looks:\n\n"
        "1. A **typing indicator** appears the moment the request leaves.\n"
        "2. Text appears token by token, rendered as markdown as it arrives.\n"
        "3. The counter shows input tokens at once and output tokens as they grow.\n\n"
        "```python\nfrom claude_widget import Chat\nchat = Chat()  # reads ANTHROPIC_API_KEY\n"
        'chat.send("Explain server-sent events")\n```\n\n'
        "Set `ANTHROPIC_API_KEY` and restart the kernel to talk to Claude for real.\n"
    )


def demo_responder(body: dict[str, Any]) -> Script:
    """Answer the last user message with a canned markdown answer at about 60 tokens per second."""
    prompt = _last_user_text(body)
    topic = prompt.lower()
    text = SSE_ANSWER if ("sse" in topic or "server-sent" in topic or "stream" in topic) else generic_answer(prompt)
    return Script(text=OFFLINE_NOTE + text, chunk_size=4, delay=0.016, first_delay=0.6)


def _last_user_text(body: dict[str, Any]) -> str:
    for message in reversed(body.get("messages", [])):
        if message.get("role") != "user":
            continue
        content = message.get("content")
        if isinstance(content, str):
            return content
        if isinstance(content, list):
            return " ".join(part.get("text", "") for part in content if isinstance(part, dict))
    return ""

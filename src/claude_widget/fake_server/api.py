"""What the real API says and counts, for the fake server: its models, its error bodies and wording, and how it
reads a request (the prompt's size, a prefill, the partial answer a continuation carries). Pure: no socket."""

from __future__ import annotations

import base64
import functools
import json
import math
from typing import Any

from ..files import pdf_pages
from ..image_header import read_header
from ..usage import estimate_tokens

KNOWN_MODELS = (
    "claude-opus-5-5",
    "claude-sonnet-5-5",
    "claude-haiku-5-5",
    "claude-opus-4-8",
    "claude-sonnet-4-6",
    "claude-sonnet-4-5",
    "claude-haiku-4-5",
)
PREFILL_REJECTED = (
    "This model does not support assistant message prefill. The conversation must end with a user message."
)

ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}


def error_body(status: int, message: str, request_id: str) -> dict[str, Any]:
    return {
        "type": "error",
        "error": {"type": ERROR_TYPES.get(status, "api_error"), "message": message},
        "request_id": request_id,
    }


def estimate_input_tokens(body: dict[str, Any]) -> int:
    """A deterministic stand-in for the tokenizer: one token per four characters of prompt, and images and PDFs
    counted as the API counts them (`media_tokens`)."""
    media = 0

    def stub(block: Any) -> Any:
        nonlocal media
        tokens = media_tokens(block)
        if tokens is None:
            return block
        media += tokens
        return {"type": block["type"]}

    messages = [{**m, "content": [stub(b) for b in m["content"]]} if isinstance(m.get("content"), list) else m
                for m in body.get("messages", [])]  # fmt: skip
    prompt = json.dumps(messages) + json.dumps(body.get("system", ""))
    return max(1, estimate_tokens(prompt) + media)


PDF_PAGE_TOKENS = 1_500  # a page's text and its image, about


def media_tokens(block: Any) -> int | None:
    """What a base64 image or PDF block counts as input: an image width × height / 750 (the API's formula), a PDF
    about `PDF_PAGE_TOKENS` a page; None for any other block."""
    if not isinstance(block, dict) or block.get("type") not in ("image", "document"):
        return None
    source = block.get("source") or {}
    if source.get("type") != "base64" or not isinstance(source.get("data"), str):
        return None
    return _media_tokens(block["type"], source["data"])


@functools.lru_cache(maxsize=64)
def _media_tokens(kind: str, text: str) -> int | None:
    # Cached: every later request of a conversation carries its images and PDFs again (a str keeps its hash).
    try:
        data = base64.b64decode(text)
    except ValueError:
        return None
    if kind == "image":
        header = read_header(data)
        return None if header is None else max(1, math.ceil(header.width * header.height / 750))
    pages = pdf_pages(data) if data.startswith(b"%PDF-") else None
    return None if pages is None else pages * PDF_PAGE_TOKENS


def partial_answer(body: dict[str, Any]) -> str:
    """The text of the request's last assistant turn, which a continuation request carries."""
    for message in reversed(body.get("messages", [])):
        if message.get("role") == "assistant":
            content = message.get("content")
            if isinstance(content, str):
                return content
            if isinstance(content, list):
                return "".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
            return ""
    return ""


def message_text(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    return "".join(p.get("text", "") for p in content or [] if isinstance(p, dict))


def is_prefill(message: dict[str, Any]) -> bool:
    """A final assistant turn that is not a paused server-tool turn being resumed."""
    content = message.get("content")
    resumed = isinstance(content, list) and any(b.get("type") == "server_tool_use" for b in content)
    return message.get("role") == "assistant" and not resumed

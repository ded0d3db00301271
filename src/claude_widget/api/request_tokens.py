"""How many input tokens a request is, about: the model's characters a token, and images and PDFs as the API
counts them. The kernel's estimate of a request (the counter's "~N in") and the fake server's count are this one
function, so offline the estimate is exact. Pure."""

from __future__ import annotations

import base64
import functools
import json
import math
from typing import Any

from .media import pdf_pages, read_header
from .models import chars_per_token


def estimate_tokens(text: str, chars_per_token: float = 4.0) -> int:
    """About one token per four characters (fewer for today's tokenizer: `models.chars_per_token`): the estimate
    used wherever the real count is not known yet."""
    return math.ceil(len(text) / chars_per_token)


def estimate_input_tokens(body: dict[str, Any]) -> int:
    """A deterministic stand-in for the tokenizer: the model's characters per token (`models.chars_per_token`: about
    3.1 on today's models, 4 on Claude 4.x), and images and PDFs counted as the API counts them (`media_tokens`). An
    earlier answer's citations are not counted (nor are they by the API)."""
    media = 0

    def stub(block: Any) -> Any:
        nonlocal media
        tokens = media_tokens(block)
        if tokens is None:
            if isinstance(block, dict) and block.get("type") == "text" and "citations" in block:
                return {k: v for k, v in block.items() if k != "citations"}
            return block
        media += tokens
        return {"type": block["type"]}

    messages = [{**m, "content": [stub(b) for b in m["content"]]} if isinstance(m.get("content"), list) else m
                for m in body.get("messages", [])]  # fmt: skip
    prompt = json.dumps(messages) + json.dumps(body.get("system", ""))
    return max(1, estimate_tokens(prompt, chars_per_token(str(body.get("model", "")))) + media)


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

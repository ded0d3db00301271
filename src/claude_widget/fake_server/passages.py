"""What a cited answer can quote: sentences of the documents in a request that asks for citations, each with the
citation the API would give it (`page_location` for a PDF, `char_location` for plain text). Pure."""

from __future__ import annotations

import base64
import io
import re
from dataclasses import dataclass
from typing import Any

# A sentence: from a letter or digit to its full stop (or the end of its line); bullets and heading marks left out.
_SENTENCE = re.compile(r"[^\W_][^.!?\n]*[.!?]?")
MIN_WORDS = 4  # shorter lines are headings and labels, not claims


@dataclass(frozen=True)
class Passage:
    text: str
    citation: dict[str, Any]  # as a citations_delta carries it


def cited_passages(body: dict[str, Any], per_document: int = 2) -> list[Passage]:
    """The first sentences of each document of the last user message, if the request enables citations on it.

    `document_index` counts every document of the request, in every message, as the API counts them.
    """
    messages = body.get("messages") or []
    last_user = max((i for i, m in enumerate(messages) if m.get("role") == "user"), default=-1)
    found: list[Passage] = []
    index = -1
    for i, message in enumerate(messages):
        content = message.get("content")
        for block in content if isinstance(content, list) else []:
            if not isinstance(block, dict) or block.get("type") != "document":
                continue
            index += 1
            if i == last_user and (block.get("citations") or {}).get("enabled"):
                found += _passages(block, index)[:per_document]
    return found


def _passages(block: dict[str, Any], index: int) -> list[Passage]:
    source = block.get("source") or {}
    base = {"document_index": index, "document_title": block.get("title")}
    if source.get("type") == "text":
        return [_passage(m, base, "char_location", start_char_index=m.start(), end_char_index=m.end())
                for m in _sentences(str(source.get("data", "")))]  # fmt: skip
    if source.get("type") == "base64" and source.get("media_type") == "application/pdf":
        pages = enumerate(_pdf_texts(source.get("data", "")), start=1)
        return [_passage(m, base, "page_location", start_page_number=n, end_page_number=n + 1)
                for n, text in pages for m in _sentences(text)]  # fmt: skip
    return []


def _sentences(text: str) -> list[re.Match[str]]:
    return [m for m in _SENTENCE.finditer(text) if len(m.group(0).split()) >= MIN_WORDS]


def _passage(sentence: re.Match[str], base: dict[str, Any], kind: str, **where: int) -> Passage:
    return Passage(sentence.group(0), {"type": kind, "cited_text": sentence.group(0), **base, **where})


def _pdf_texts(data: str) -> list[str]:
    """Each page's text (content.py has refused a PDF that cannot be read before this is asked)."""
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(base64.b64decode(data))).pages]

"""What the API accepts in a request's content blocks, with its own error wording: images (the media type, the
base64 text, the 5 MB limit on it, 8,000 pixels a side, the data being the image its media type says) and
documents (a PDF it can read, at most 100 pages in a request; plain text). Pure."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from ..api.limits import MAX_IMAGE_BASE64_BYTES, MAX_IMAGE_SIDE, MAX_PDF_PAGES
from ..api.media import MEDIA_TYPES, pdf_pages, read_header


def content_problem(body: dict[str, Any]) -> str | None:
    """The first thing the API would refuse in the request's content blocks, as its error message; None if none."""
    pages = 0
    for i, message in enumerate(body.get("messages") or []):
        content = message.get("content") if isinstance(message, dict) else None
        if not isinstance(content, list):
            continue
        for j, block in enumerate(content):
            kind = block.get("type") if isinstance(block, dict) else None
            problem = None
            if kind == "image":
                problem = _image_problem(block.get("source") or {}, f"messages.{i}.content.{j}.image.source.base64")
            elif kind == "document":
                source = block.get("source") or {}
                problem, count = _document_problem(source, f"messages.{i}.content.{j}")
                pages += count
                if problem is None and pages > MAX_PDF_PAGES:
                    problem = (
                        f"messages.{i}.content.{j}.pdf.source.base64.data: A maximum of 100 PDF pages may be provided."
                    )
            if problem:
                return problem
    return None


def _document_problem(source: dict[str, Any], path: str) -> tuple[str | None, int]:
    """What is wrong with a document's source, if anything, and its pages (0 for text)."""
    if source.get("type") == "text":
        if source.get("media_type") != "text/plain":
            return f"{path}.document.source.text.media_type: Input should be 'text/plain'", 0
        return (
            (None, 0)
            if isinstance(source.get("data"), str)
            else (f"{path}.document.source.text.data: Field required", 0)
        )
    if source.get("type") != "base64":
        return None, 0  # URL, content and file sources are not modelled
    if source.get("media_type") != "application/pdf":
        return f"{path}.document.source.base64.media_type: Input should be 'application/pdf'", 0
    try:
        data = base64.b64decode(source.get("data") or "", validate=True)
    except (binascii.Error, ValueError):
        return f"{path}.document.source.base64: invalid base64 data", 0
    pages = pdf_pages(data) if data.startswith(b"%PDF-") else None
    if pages is None:
        return "Could not process PDF", 0
    return None, pages


def _image_problem(source: dict[str, Any], path: str) -> str | None:
    if source.get("type") != "base64":
        return None  # URL and file sources are not modelled
    if source.get("media_type") not in MEDIA_TYPES:
        return f"{path}.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'"
    text = source.get("data") or ""
    if not text:
        return f"{path}: image cannot be empty"
    if len(text) > MAX_IMAGE_BASE64_BYTES:
        return f"{path}: image exceeds 5 MB maximum: {len(text)} bytes > {MAX_IMAGE_BASE64_BYTES} bytes"
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return f"{path}: invalid base64 data"
    header = read_header(data)
    if header is None:
        return f"{path}.data: Image does not match the provided media type {source['media_type']}"
    if header.media_type != source["media_type"]:
        return (f"{path}: The image was specified using the {source['media_type']} media type, but the image appears"
                f" to be a {header.media_type} image")  # fmt: skip
    if max(header.width, header.height) > MAX_IMAGE_SIDE:
        return f"{path}.data: At least one of the image dimensions exceed max allowed size: {MAX_IMAGE_SIDE} pixels"
    return None

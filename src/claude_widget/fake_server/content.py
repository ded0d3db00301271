"""What the API accepts in a request's content blocks, with its own error wording: images (the media type, the
base64 text, the 5 MB limit on it, 8,000 pixels a side, the data being the image its media type says). Pure."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from ..image_header import MEDIA_TYPES, read_header

MAX_IMAGE_BASE64 = 5 * 1024 * 1024
MAX_IMAGE_SIDE = 8000


def content_problem(body: dict[str, Any]) -> str | None:
    """The first thing the API would refuse in the request's content blocks, as its error message; None if none."""
    for i, message in enumerate(body.get("messages") or []):
        content = message.get("content") if isinstance(message, dict) else None
        if not isinstance(content, list):
            continue
        for j, block in enumerate(content):
            if isinstance(block, dict) and block.get("type") == "image":
                problem = _image_problem(block.get("source") or {}, f"messages.{i}.content.{j}.image.source.base64")
                if problem:
                    return problem
    return None


def _image_problem(source: dict[str, Any], path: str) -> str | None:
    if source.get("type") != "base64":
        return None  # URL and file sources are not modelled
    if source.get("media_type") not in MEDIA_TYPES:
        return f"{path}.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'"
    text = source.get("data") or ""
    if not text:
        return f"{path}: image cannot be empty"
    if len(text) > MAX_IMAGE_BASE64:
        return f"{path}: image exceeds 5 MB maximum: {len(text)} bytes > {MAX_IMAGE_BASE64} bytes"
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

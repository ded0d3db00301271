"""An image's format and size read from its first bytes (PNG, JPEG, GIF, WebP: the formats the API takes), without
decoding it and without Pillow; a PDF's page count (pypdf). Pure; the fake server reads media the same way."""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass

MEDIA_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")


@dataclass(frozen=True)
class ImageHeader:
    media_type: str
    width: int
    height: int


def has_image_signature(data: bytes) -> bool:
    """Whether `data` starts the way a PNG, JPEG, GIF or WebP file does (its size may lie further in: a JPEG's
    metadata comes before it)."""
    return (data.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a"))
            or (data[:4] == b"RIFF" and data[8:12] == b"WEBP"))  # fmt: skip


def read_header(data: bytes) -> ImageHeader | None:
    """The image's media type and size, or None if `data` is not a PNG, JPEG, GIF or WebP image we can read."""
    try:
        if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
            width, height = struct.unpack(">II", data[16:24])
            return ImageHeader("image/png", width, height)
        if data[:6] in (b"GIF87a", b"GIF89a"):
            width, height = struct.unpack("<HH", data[6:10])
            return ImageHeader("image/gif", width, height)
        if data.startswith(b"\xff\xd8\xff"):
            return _jpeg(data)
        if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            return _webp(data)
    except struct.error:  # cut short
        return None
    return None


def _jpeg(data: bytes) -> ImageHeader | None:
    # Walk the segments to the first start-of-frame marker, which holds the size.
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # padding
            at += 1
            continue
        length = struct.unpack(">H", data[at + 2 : at + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return ImageHeader("image/jpeg", width, height)
        at += 2 + length
    return None


def _webp(data: bytes) -> ImageHeader | None:
    chunk = data[12:16]
    if chunk == b"VP8X":
        width = 1 + int.from_bytes(data[24:27], "little")
        height = 1 + int.from_bytes(data[27:30], "little")
        return ImageHeader("image/webp", width, height)
    if chunk == b"VP8L":
        bits = int.from_bytes(data[21:25], "little")
        return ImageHeader("image/webp", 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF))
    if chunk == b"VP8 ":
        width, height = struct.unpack("<HH", data[26:30])
        return ImageHeader("image/webp", width & 0x3FFF, height & 0x3FFF)
    return None


def pdf_pages(data: bytes) -> int | None:
    """How many pages a PDF has, or None if it cannot be read (pypdf)."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            return None
        return len(reader.pages)
    except (PyPdfError, ValueError, KeyError, TypeError):
        return None

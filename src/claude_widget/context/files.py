"""A file by its path with a question: a PDF as a document block, with the API's size and page limits checked
first; a CSV or TSV summarised like a DataFrame (a large one from its head and lines read at random offsets, never
whole); an image by its extension; any other text file as a text document. A missing or unreadable file, or a
binary one of another kind, gets a clear error before anything is sent."""

from __future__ import annotations

import base64
import io
import os
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..api.limits import MAX_PDF_PAGES, MAX_REQUEST_BYTES
from ..api.media import pdf_pages
from ..api.request_tokens import estimate_tokens
from . import images, tables
from .images import human_size

MAX_TEXT_TOKENS = 150_000  # a longer text file is refused rather than cut: pass the part that matters
WHOLE_CSV_BYTES = 8 * 1024 * 1024  # a larger CSV is sampled, not read
CSV_HEAD_LINES, CSV_SAMPLED_LINES = 5_000, 5_000
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp"}
TABLE_SUFFIXES = {".csv": ",", ".tsv": "\t"}
KNOWN_BINARY = {".xlsx", ".xls", ".docx", ".doc", ".pptx", ".zip", ".gz", ".parquet", ".feather", ".pkl", ".pickle",
                ".npy", ".npz", ".h5", ".hdf5", ".sqlite", ".db", ".exe", ".so", ".dll", ".bin", ".tif", ".tiff",
                ".bmp", ".heic", ".mp3", ".mp4", ".wav", ".mov"}  # fmt: skip
SUPPORTED = "PDFs, text files (.txt, .md, .py, .json, …), CSV and TSV files, and PNG, JPEG, GIF or WebP images"


@dataclass(frozen=True)
class FileContent:
    """A file as the API gets it, and how the widget's chip names it."""

    blocks: tuple[dict[str, Any], ...]
    label: str  # "report.pdf · 12 pages · 340 KB"


def is_file_reference(obj: object) -> bool:
    """A path: an `os.PathLike`, or a string given after the prompt."""
    return isinstance(obj, (str, os.PathLike))


def file_content(reference: str | os.PathLike[str], *, table_tokens: int = tables.DEFAULT_TABLE_TOKENS) -> FileContent:
    path = Path(reference).expanduser()
    if not path.exists():
        raise FileNotFoundError(f"{reference}: no such file (a string after the prompt is taken as a file's path)")
    if path.is_dir():
        raise IsADirectoryError(f"{reference}: a directory; send() takes files: {SUPPORTED}")
    try:
        size = path.stat().st_size
        suffix = path.suffix.lower()
        if suffix == ".pdf":
            return _pdf(path, path.read_bytes())
        if suffix in IMAGE_SUFFIXES:
            image = images.image_of(path.read_bytes())
            return FileContent((image.block,), f"{path.name} · {image.header.width:,} × {image.header.height:,}")
        if suffix in KNOWN_BINARY:
            raise ValueError(f"{path.name}: cannot send a {suffix} file; send() takes {SUPPORTED}")
        if suffix in TABLE_SUFFIXES:
            return _table(path, size, TABLE_SUFFIXES[suffix], table_tokens)
        return _text(path, path.read_bytes())
    except PermissionError:
        raise PermissionError(f"{reference}: not allowed to read this file") from None


def _pdf(path: Path, data: bytes) -> FileContent:
    if not data.startswith(b"%PDF-"):
        raise ValueError(f"{path.name}: not a PDF (it does not start with %PDF-)")
    if len(base64.b64encode(data)) > MAX_REQUEST_BYTES:
        raise ValueError(f"{path.name} is {human_size(len(data))}: too large for one request (the API takes 32 MB,"
                         " about 24 MB of PDF); split it")  # fmt: skip
    pages = pdf_pages(data)
    if pages is None:
        raise ValueError(f"{path.name}: could not read this PDF (damaged, or encrypted)")
    if pages > MAX_PDF_PAGES:
        raise ValueError(f"{path.name} has {pages} pages: A maximum of {MAX_PDF_PAGES} PDF pages may be provided."
                         " Send fewer pages (for example with pypdf's PdfWriter).")  # fmt: skip
    source = {"type": "base64", "media_type": "application/pdf", "data": base64.b64encode(data).decode()}
    block = {"type": "document", "source": source, "title": path.name}
    return FileContent((block,), f"{path.name} · {pages} page{'s' if pages != 1 else ''} · {human_size(len(data))}")


def _text(path: Path, data: bytes) -> FileContent:
    if b"\x00" in data[:8192]:
        raise ValueError(f"{path.name}: a binary file; send() takes {SUPPORTED}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(f"{path.name}: not UTF-8 text; send() takes {SUPPORTED}") from None
    tokens = estimate_tokens(text)
    if tokens > MAX_TEXT_TOKENS:
        raise ValueError(f"{path.name} is about {tokens:,} tokens, more than {MAX_TEXT_TOKENS:,}: too long to send"
                         " whole; send the part that matters as a string in the prompt")  # fmt: skip
    block = {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": text},
             "title": path.name}  # fmt: skip
    return FileContent((block,), f"{path.name} · {human_size(len(data))}")


def _table(path: Path, size: int, separator: str, table_tokens: int) -> FileContent:
    """A CSV or TSV: summarised by pandas or polars when one is installed, else sent as text (a sample if large)."""
    sampled = size > WHOLE_CSV_BYTES
    if sampled:
        head, lines, estimated_rows = _sample_lines(path)
        text = "".join([head, *lines])
        note = (
            f"`{path.name}` is {human_size(size)}, about {estimated_rows:,} rows (estimated from its size). What"
            f" follows is read from {len(lines):,} of them: its first {CSV_HEAD_LINES:,} data rows and"
            f" {len(lines) - min(CSV_HEAD_LINES, len(lines)):,} read at random offsets (seed {tables.SEED}).\n\n"
        )
    else:
        text, note = path.read_text(encoding="utf-8-sig", errors="replace"), ""
    frame = _read_table(text, separator)
    label = f"{path.name} · {human_size(size)}"
    if frame is None:
        if not sampled:
            return _text(path, text.encode())
        block = {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": note + text},
                 "title": path.name}  # fmt: skip
        return FileContent((block,), label)
    summary = tables.summarize(frame, name=path.name, budget=table_tokens)
    return FileContent(({"type": "text", "text": note + summary.text},), label)


def _read_table(text: str, separator: str) -> Any:
    """The text as a DataFrame (pandas, else polars), or None if neither is installed or the text is not a table
    they can read (it then goes as text)."""
    try:
        import pandas as pd
    except ImportError:
        pass
    else:
        try:
            return pd.read_csv(io.StringIO(text), sep=separator)
        except (ValueError, pd.errors.ParserError):
            return None
    try:
        import polars as pl
    except ImportError:
        return None
    try:
        return pl.read_csv(text.encode(), separator=separator, infer_schema_length=10_000)
    except (ValueError, pl.exceptions.PolarsError):
        return None


def _sample_lines(path: Path) -> tuple[str, list[str], int]:
    """The header line, the first data lines and lines read at random offsets (fixed seed), and the number of rows
    the file's size suggests. Reads a few megabytes, whatever the file's size."""
    size = path.stat().st_size
    rng = random.Random(tables.SEED)
    with path.open("rb") as file:
        header = file.readline()
        head = [file.readline() for _ in range(CSV_HEAD_LINES)]
        head = [line for line in head if line]
        start = file.tell()
        offsets = sorted(rng.randrange(start, size) for _ in range(CSV_SAMPLED_LINES)) if start < size else []
        sampled = []
        for offset in offsets:
            file.seek(offset)
            file.readline()  # the rest of the line the offset fell in
            line = file.readline()
            if line:
                sampled.append(line)
    lines = head + sampled
    average = sum(map(len, lines)) / max(1, len(lines))
    return _decode(header), [_decode(line) for line in lines], round((size - len(header)) / max(1.0, average))


def _decode(raw: bytes) -> str:
    return raw.decode("utf-8-sig", errors="replace")

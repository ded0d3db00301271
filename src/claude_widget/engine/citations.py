"""Citations: where the claims of an answer about documents come from.

With citations enabled on a request's documents, the API splits the answer into text blocks and streams each
block's sources as `citations_delta` events: the passage quoted (`cited_text`) and where it is (PDF pages,
characters of a text document, blocks of a custom document, a web page). A turn numbers its sources in the order
they are first cited, and the same passage cited again keeps its number.

The answer as shown (`w.text`) gets a marker, a markdown footnote reference `[^1]`, after each cited block. The
view renders the markers as links to its footnotes; the saved markdown ends with the footnotes themselves
(`footnotes`), which GitHub renders as such. The history keeps each block's citations as the API sent them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

QUOTE_SHOWN = 300  # characters of a cited passage a footnote quotes (w.citations keeps all of it)


def with_citations(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`messages` with citations enabled on every document (the API takes them on all documents or on none)."""

    def enabled(block: Any) -> Any:
        if isinstance(block, dict) and block.get("type") == "document":
            return {**block, "citations": {"enabled": True}}
        return block

    return [
        {**m, "content": [enabled(b) for b in m["content"]]} if isinstance(m.get("content"), list) else m
        for m in messages
    ]


def marker(number: int) -> str:
    """A citation's marker in the answer's text: a markdown footnote reference."""
    return f"[^{number}]"


@dataclass(frozen=True)
class Citation:
    """One source of an answer: the passage and where it is."""

    number: int
    type: str  # page_location, char_location, content_block_location, web_search_result_location, …
    cited_text: str
    document_index: int | None = None
    document_title: str | None = None
    start: int | None = None  # the first page (1-based), character or block (0-based)
    end: int | None = None  # exclusive, as the API gives it
    url: str | None = None  # a web search result's

    @property
    def source(self) -> str:
        """Where the passage is, for a reader: "report.pdf, p. 3", "pp. 3–4", a web page's title."""
        title = self.document_title or (f"document {self.document_index + 1}" if self.document_index is not None
                                         else self.url or "")  # fmt: skip
        if self.type == "page_location" and self.start is not None:
            last = max(self.start, (self.end or self.start + 1) - 1)
            pages = f"p. {self.start}" if last == self.start else f"pp. {self.start}–{last}"
            return f"{title}, {pages}" if title else pages
        return title

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "source": self.source}


_POSITIONS = {
    "page_location": ("start_page_number", "end_page_number"),
    "char_location": ("start_char_index", "end_char_index"),
    "content_block_location": ("start_block_index", "end_block_index"),
    "search_result_location": ("start_block_index", "end_block_index"),
}


class Citations:
    """A turn's sources, numbered in the order they are first cited."""

    def __init__(self, items: Iterable[Citation] = ()) -> None:
        self.items: list[Citation] = list(items)
        self._numbers = {_key(c): c.number for c in self.items}

    def add(self, raw: dict[str, Any]) -> tuple[Citation, bool]:
        """The citation an API `citation` object is, and whether it is new to the turn."""
        start_key, end_key = _POSITIONS.get(raw.get("type", ""), ("", ""))
        title = raw.get("document_title") if "document_index" in raw else raw.get("title")
        citation = Citation(
            number=0, type=str(raw.get("type", "")), cited_text=str(raw.get("cited_text") or ""),
            document_index=raw.get("document_index"), document_title=title,
            start=raw.get(start_key), end=raw.get(end_key), url=raw.get("url"),
        )  # fmt: skip
        number = self._numbers.get(_key(citation))
        if number is not None:
            return self.items[number - 1], False
        numbered = Citation(**{**asdict(citation), "number": len(self.items) + 1})
        self.items.append(numbered)
        self._numbers[_key(numbered)] = numbered.number
        return numbered, True


def _key(c: Citation) -> tuple[object, ...]:
    return (c.type, c.document_index, c.start, c.end, c.url, c.cited_text)


def footnotes(citations: Iterable[dict[str, Any]]) -> str:
    """The footnotes of an answer's markers, as markdown definitions: the quoted passage and its source."""
    lines = []
    for c in citations:
        quote = " ".join(str(c.get("cited_text", "")).split())
        if len(quote) > QUOTE_SHOWN:
            quote = quote[: QUOTE_SHOWN - 1] + "…"
        source = f" ({c['source']})" if c.get("source") else ""
        lines.append(f"{marker(c['number'])}: “{quote}”{source}")
    return "\n".join(lines)

"""A realistic answer for the wire benchmarks: the project's own markdown and code, never repeated.

Compression makes the bytes on the wire depend on the text: a sentence repeated a thousand times would shrink
to almost nothing. Claude's long answers are prose with headings, lists, tables and code blocks, which is what
this repository's docs and sources are.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def answer_text(size: int) -> str:
    """The first `size` characters of the docs, each source file following as a fenced code block."""
    docs = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    sources = sorted((ROOT / "src" / "claude_widget").glob("*.py")) + sorted((ROOT / "js" / "src").rglob("*.js"))
    parts = [path.read_text() for path in docs]
    for path in sources:
        language = "python" if path.suffix == ".py" else "javascript"
        parts.append(f"Here is `{path.name}`:\n\n```{language}\n{path.read_text()}```\n")
    text = "\n\n".join(parts)
    if len(text) < size:
        raise ValueError(f"the corpus holds {len(text):,} characters, fewer than the {size:,} asked for")
    return text[:size]

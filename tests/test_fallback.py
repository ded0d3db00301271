"""The markdown saved beside the widget: code fences recognised by the view's rule, HTML outside code escaped."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from claude_widget.widget.fallback import escape_html_outside_code
from claude_widget.widget.fences import code_blocks, fence_line

FENCES = json.loads((Path(__file__).parent / "fixtures" / "fences.json").read_text())


@pytest.mark.parametrize("case", FENCES["lines"], ids=lambda c: repr(c["line"]))
def test_a_fence_line_is_recognised_as_the_view_recognises_it(case: dict[str, Any]) -> None:
    fence = fence_line(case["line"])
    assert (asdict(fence) if fence else None) == case["fence"]
    if fence is not None:
        assert (fence.top_level, fence.can_open) == (case["top_level"], case["can_open"])


@pytest.mark.parametrize("case", FENCES["closing"], ids=lambda c: f"{c['opener']!r} {c['line']!r}")
def test_a_fence_closes_as_the_view_closes_it(case: dict[str, Any]) -> None:
    opener, fence = fence_line(case["opener"]), fence_line(case["line"])
    assert opener is not None and fence is not None
    assert fence.closes(opener) is case["closes"]


def test_html_after_inline_code_that_looks_like_a_fence_is_still_escaped() -> None:
    # "``` a`b" is inline code, not a fence: what follows is markdown, and its HTML would run in nbconvert.
    text = "``` a`b\n<img src=x onerror=alert(1)>\n"
    assert escape_html_outside_code(text) == "``` a`b\n&lt;img src=x onerror=alert(1)>\n"


def test_a_fence_that_does_not_close_keeps_its_code_as_it_is() -> None:
    text = "```html\n<b>x</b>\n``` not a closer\n<i>still code</i>\n```\n<u>text</u>\n"
    assert escape_html_outside_code(text) == text.replace("<u>text</u>", "&lt;u>text&lt;/u>")


def test_code_blocks_are_the_fenced_blocks_with_their_language() -> None:
    text = (
        "Intro with `inline` code.\n\n```python\nx = 1\n```\n\n"
        "  ~~~ sql extra words\n  SELECT 1\n    FROM t\n  ~~~\n\n"
        "```` ` not a fence\n\n"
        "    ```\n    indented code, not a fence\n    ```\n\n"
        "```\nleft open\n"
    )
    assert [(b.language, b.code) for b in code_blocks(text)] == [
        ("python", "x = 1"),
        ("sql", "SELECT 1\n  FROM t"),  # the opening fence's indentation comes off
        ("", "left open"),  # open at the end: it runs to the end
    ]
    assert code_blocks("no code here") == []

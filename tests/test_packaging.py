"""The wheel (scripts/build.sh, built once per run: test_install.built_wheel) yields a working widget: it carries
the front-end bundle, which loads nothing remote."""

from __future__ import annotations

import re
import zipfile

import pytest

from .test_install import built_wheel

pytestmark = pytest.mark.build


def test_the_wheel_contains_a_self_contained_bundle() -> None:
    with zipfile.ZipFile(built_wheel()) as archive:
        names = set(archive.namelist())
        assert {
            "claude_widget/static/widget.js",
            "claude_widget/static/widget.css",
            "claude_widget/static/loader.js",
        } <= names
        assert "claude_widget/fake_server/server.py" in names
        assert "claude_widget/recordings/sse-explained.json" in names  # recordings ship with the package
        js = archive.read("claude_widget/static/widget.js").decode()
        css = archive.read("claude_widget/static/widget.css").decode()
    assert "export" in js and len(js) > 10_000
    # Nothing fetched at run time: no remote imports, no remote fonts or stylesheets.
    assert not re.search(r"""(import\s*\(?\s*|from\s*)["']https?://""", js)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", css)
    assert "font/woff2" in css  # KaTeX fonts are inlined

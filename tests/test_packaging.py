"""`pip install .` yields a working widget: the wheel carries the front-end bundle, which loads nothing remote."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.build

ROOT = Path(__file__).resolve().parents[1]


def test_the_wheel_contains_a_self_contained_bundle(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(tmp_path), str(ROOT)],
        check=True,
    )
    [wheel] = tmp_path.glob("claude_widget-*.whl")
    with zipfile.ZipFile(wheel) as archive:
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

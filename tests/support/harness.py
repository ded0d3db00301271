"""The streaming renderer alone in a page (js/test/harness/harness.js, bundled by `node build.mjs --harness`),
served from a directory on 127.0.0.1: for tests/browser/test_rendering.py and bench/render.py."""

from __future__ import annotations

import functools
import http.server
import subprocess
import threading
from pathlib import Path
from typing import Any

from .lab import ROOT

HARNESS_HTML = """<!doctype html>
<html><head><meta charset="utf-8"><title>renderer harness</title>
<link rel="stylesheet" href="harness.css"><script src="harness.js"></script></head>
<body></body></html>
"""


def build_harness(directory: Path) -> None:
    """Bundle the harness into `directory`."""
    subprocess.run(["node", "build.mjs", "--harness", str(directory)], cwd=ROOT / "js", check=True)
    (directory / "harness.html").write_text(HARNESS_HTML)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def serve_directory(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve `directory` on 127.0.0.1 in a daemon thread; return the server and its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"

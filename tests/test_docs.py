"""The docs name only what exists (issue 23, item 9): every path of the package or the front end, and every
dotted module, that README.md and the docs pages name is there; docs/architecture.md names every module of both.
Reads files only: no network, no kernel."""

from __future__ import annotations

import importlib
import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "claude_widget"
JS = ROOT / "js" / "src"
ARCHITECTURE = ROOT / "docs" / "architecture.md"
# docs/benchmarks.md records measurements of its day (and the modules then): it is left out.
PAGES = [ROOT / "README.md", *sorted(p for p in (ROOT / "docs").glob("*.md") if p.name != "benchmarks.md")]

# Made by `npm run build` (scripts/test.sh builds before the tests; a fresh clone has neither yet).
BUILT = ("src/claude_widget/static", "src/claude_widget/labextension")
FULL_PATH = re.compile(r"\b(?:src/claude_widget|js/src)(?:/[\w.-]+)*")
DOTTED = re.compile(r"\bclaude_widget(?:\.\w+)+")
# In docs/architecture.md a module is named from its subpackage: `engine/stream.py`, `ui/view.js`.
PY_SUBPACKAGES = ("api", "engine", "context", "jobs", "widget", "fake_server", "recordings")
JS_FOLDERS = ("wire", "markdown", "ui", "job", "lab")
SHORT_PY = re.compile(rf"(?<![\w/.-])(?:{'|'.join(PY_SUBPACKAGES)})/\w+\.py\b")
SHORT_JS = re.compile(rf"(?<![\w/.-])(?:{'|'.join(JS_FOLDERS)})/\w+\.(?:js|css)\b")
TOP_PY = re.compile(r"(?<![\w/.-])(?:chat|magics|recording|__init__)\.py\b")


def named(pattern: re.Pattern[str], page: Path) -> set[str]:
    return {m.group(0).rstrip(".") for m in pattern.finditer(page.read_text(encoding="utf-8"))}


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_path_named_exists(page: Path) -> None:
    missing = sorted(p for p in named(FULL_PATH, page) if not (ROOT / p).exists() and not p.startswith(BUILT))
    assert not missing, f"{page.name} names paths that do not exist: {missing}"


def resolves(dotted: str) -> bool:
    """A module, or an attribute of the longest module that prefixes it (`claude_widget.replay`)."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        module_name = ".".join(parts[:cut])
        try:
            found = importlib.util.find_spec(module_name) is not None
        except ModuleNotFoundError:
            found = False
        if not found:
            continue
        value: object = importlib.import_module(module_name)
        for attribute in parts[cut:]:
            if not hasattr(value, attribute):
                return False
            value = getattr(value, attribute)
        return True
    return False


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_dotted_module_named_exists(page: Path) -> None:
    missing = sorted(name for name in named(DOTTED, page) if not resolves(name))
    assert not missing, f"{page.name} names modules that do not exist: {missing}"


def test_architecture_names_only_modules_that_exist() -> None:
    python = named(SHORT_PY, ARCHITECTURE) | named(TOP_PY, ARCHITECTURE)
    missing = sorted(p for p in python if not (PACKAGE / p).exists())
    missing += sorted(p for p in named(SHORT_JS, ARCHITECTURE) if not (JS / p).exists())
    assert not missing, f"docs/architecture.md names modules that do not exist: {missing}"


def test_architecture_names_every_module() -> None:
    """A module nobody can find on the map is a module nobody knows the place of (issue 23 found ten unnamed)."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    python = [p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py")]
    python = [p for p in python if not p.endswith(("__init__.py", "__main__.py")) and not p.startswith("recordings/")]
    js = [p.relative_to(JS).as_posix() for p in JS.rglob("*") if p.suffix in (".js", ".css")]
    unnamed = sorted(p for p in python + js if p not in text)
    assert not unnamed, f"docs/architecture.md does not name these modules (say what each one is for): {unnamed}"

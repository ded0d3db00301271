"""The house's floors (docs/architecture.md): a module's place says what it may import. `api` holds the Messages
API's facts; the `engine` runs a request; `context`, `store`, `jobs` and `kernel` (the user's, as Claude may use it)
build on it; the `widget` shows what they make; the entry points at the top (chat, magics, recording) put them
together. The fake server speaks the API from
its facts alone. Read from the source (TYPE_CHECKING imports and imports inside functions count); no import cycle
anywhere."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "claude_widget"
MAY_IMPORT = {
    "api": {"api"},
    "engine": {"api", "engine"},
    "context": {"api", "engine", "context"},
    "store": {"api", "engine", "store"},
    "jobs": {"api", "engine", "context", "store", "jobs"},
    "kernel": {"api", "engine", "context", "kernel"},
    "widget": {"api", "engine", "context", "store", "jobs", "kernel", "widget"},
    "fake_server": {"api", "fake_server"},
}


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The package's modules that `name` imports."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package[: len(package) - node.level + 1], *([base] if base else [])])
            subs = {f"{base}.{alias.name}" for alias in node.names} & known.keys()
            found |= subs or {base}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return {m for m in found if m in known and m != name}


def floor(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in MAY_IMPORT) else "top"


def test_each_floor_imports_only_the_floors_beneath_it() -> None:
    known = modules()
    wrong = [f"{name} imports {target}" for name, path in sorted(known.items())
             for target in sorted(imports(name, path, known))
             if floor(name) in MAY_IMPORT and floor(target) not in MAY_IMPORT[floor(name)]]  # fmt: skip
    assert wrong == []


def test_no_import_cycle() -> None:
    known = modules()
    edges = {name: imports(name, path, known) for name, path in known.items()}

    def reaches(start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            for nxt in edges[todo.pop()] - seen:
                if nxt == goal:
                    return True
                seen.add(nxt)
                todo.append(nxt)
        return False

    assert [name for name in sorted(known) if reaches(name, name)] == []


def test_the_top_floor_holds_only_the_entry_points() -> None:
    top = sorted(path.name for path in PACKAGE.glob("*.py"))
    assert top == ["__init__.py", "chat.py", "magics.py", "recording.py"]


def test_no_module_is_too_long_to_read() -> None:
    """One concept a module: a Python module over 400 lines or a JS one over 300 holds more than one."""
    js = PACKAGE.parents[1] / "js" / "src"
    long = [f"{path.relative_to(PACKAGE.parents[1])}: {lines}" for limit, paths in
            ((400, PACKAGE.rglob("*.py")), (300, js.rglob("*.js")))
            for path in paths if (lines := len(path.read_text().splitlines())) > limit]  # fmt: skip
    assert long == []

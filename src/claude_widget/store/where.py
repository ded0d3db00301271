"""Where a question was asked, as far as the kernel knows: the notebook's path and the cell's id."""

from __future__ import annotations

import os
import sys
from typing import Any


def notebook() -> str | None:
    """The notebook's path: Jupyter Server tells its kernels (JPY_SESSION_NAME), VS Code names it in the namespace;
    a plain script is its own file."""
    named = os.environ.get("JPY_SESSION_NAME")
    if named:
        return named
    shell = _shell()
    if shell is not None:
        vscode = shell.user_ns.get("__vsc_ipynb_file__")
        return str(vscode) if vscode else None
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    return os.path.abspath(path) if isinstance(path, str) else None


def cell() -> str | None:
    """The running cell's id, which JupyterLab and Notebook 7 send with each execution (None elsewhere)."""
    shell = _shell()
    kernel = getattr(shell, "kernel", None)
    get_parent = getattr(kernel, "get_parent", None)
    if get_parent is None:
        return None
    try:
        parent = get_parent()
    except Exception:  # an older ipykernel, or not in a cell
        return None
    metadata = parent.get("metadata", {}) if isinstance(parent, dict) else {}
    found = metadata.get("cellId") if isinstance(metadata, dict) else None
    return str(found) if found else None


def _shell() -> Any:
    """The running IPython, if any (without importing IPython where nothing did)."""
    ipython = sys.modules.get("IPython")
    get = getattr(ipython, "get_ipython", None)
    return get() if get is not None else None

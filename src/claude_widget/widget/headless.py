"""Headless runs (nbclient, `jupyter nbconvert --execute`, papermill, Quarto, nbval) save final answers.

There no front end shows widgets: the executor records what each cell sends while it runs and shuts the kernel
down after the last cell, so an answer still streaming when its cell returns would be saved half-written. In such
a kernel, the cell that starts answers ends only once they have ended: an IPython `post_run_cell` callback waits
for them on the main thread (the streams run on their own thread), and their final markdown goes out while the
cell is still the parent of what the kernel sends. Nobody can click a headless answer, so it is frozen into that
markdown (`Chat(freeze=True)`), which every renderer shows as it is, and its widget state leaves the bundle out.

Told apart by evidence that a front end shows widgets in this kernel; any of:
- a front end followed one of our widgets (anything that runs our view says so as it loads it);
- the kernel was started by a Jupyter server for a notebook (JupyterLab, Notebook 7: `JPY_SESSION_NAME`);
- VS Code (`VSCODE_PID`, or its `__vsc_ipynb_file__` in the user's namespace) or Colab (`google.colab`).
Without any, a cell waits for its answers; a follow arriving meanwhile (over a kernel subshell) ends the wait.
The wait is bounded by `WAIT_LIMIT`; the executor's own cell timeout still applies.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import weakref
from typing import Any, Protocol

from ..kernel.main_thread import main_thread


class Ending(Protocol):
    """An answer being streamed (an engine `Answer` or `StreamManager`): all a headless cell waits on."""

    def join(self, timeout: float | None = None) -> bool: ...


WAIT_LIMIT = 900.0  # seconds a headless cell waits for its answers, at most
_front_end = threading.Event()  # a front end followed one of our widgets in this kernel
_started: weakref.WeakSet[Ending] = weakref.WeakSet()  # answers started by the running cell
_hooked: set[int] = set()  # the shells whose post_run_cell we listen to


def front_end_followed() -> None:
    """A front end showed one of our widgets: this kernel is not headless."""
    _front_end.set()


def is_headless() -> bool:
    """Whether this is an IPython kernel with no sign of a front end that shows widgets."""
    shell = _kernel_shell()
    if shell is None or _front_end.is_set():
        return False
    return not (
        "JPY_SESSION_NAME" in os.environ
        or "VSCODE_PID" in os.environ
        or "__vsc_ipynb_file__" in shell.user_ns
        or "google.colab" in sys.modules
    )


def started(answer: Ending) -> None:
    """`answer` began in a headless kernel: the running cell will wait for it."""
    shell = _kernel_shell()
    if shell is None:
        return
    if id(shell) not in _hooked:
        shell.events.register("post_run_cell", _after_cell)
        _hooked.add(id(shell))
    _started.add(answer)


def _after_cell(_result: object) -> None:
    answers = list(_started)
    _started.clear()
    wait_for(answers, WAIT_LIMIT)


def wait_for(answers: list[Ending], limit: float) -> bool:
    """Block until every one of `answers` has ended, a front end shows up, or `limit` s pass; whether they ended."""
    deadline = time.monotonic() + limit
    for answer in answers:
        # (the code Claude runs in this kernel, with auto_run, runs here meanwhile: no cell ends while this waits)
        def ended(seconds: float | None, answer: Ending = answer) -> bool:
            return answer.join(seconds) or _front_end.is_set()

        if not main_thread.while_waiting(ended, max(deadline - time.monotonic(), 0)):
            return False
        if _front_end.is_set() and not answer.join(0):
            return False
    return True


def nobody_to_click() -> str | None:
    """Why no one can click Run on a tool call here (a script, a headless run), or None where someone can."""
    if in_script():
        where = "this is a plain script"
    elif is_headless():
        where = "this notebook runs headless (nbclient, papermill, nbconvert --execute, nbval)"
    else:
        return None
    return (f"{where}, so nobody can click Run. To let Claude run code without asking, choose it in code: "
            "Chat(kernel=True, auto_run=True).")  # fmt: skip


def in_script() -> bool:
    """Neither a Jupyter kernel nor marimo: nothing will show a widget."""
    return _kernel_shell() is None and "marimo" not in sys.modules


def _kernel_shell() -> Any:
    """The IPython shell of a Jupyter kernel, or None (a plain script, a terminal IPython, marimo)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell if shell is not None and getattr(shell, "kernel", None) is not None else None

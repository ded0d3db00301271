"""Letting a widget's Stop reach the kernel while a cell blocks the kernel's main thread.

JupyterLab >= 4.4 and Notebook 7 send comm messages over a kernel subshell, a shell thread of its own, when the
kernel supports subshells (ipykernel 7; its setting `commsOverSubshells`). ipykernel 7.0-7.3 deliver a comm
message on the subshell the front end chose. ipykernel 7.4 sends it instead to the subshell that last published
on that comm, the main shell for a widget created by a cell, unless the comm routes it otherwise through a
private hook, `BaseComm._reply_subshell_for(data, default)`, where `default` is the front end's choice. Our
widget's message handler is safe on any thread (widget.py), so its comm keeps the front end's choice.

Where there are no subshells (ipykernel 6, hosts that do not use them) messages wait for the main thread, and
the view says that Stop takes effect when the running cell finishes.
"""

from __future__ import annotations

from typing import Any


def keep_front_end_subshell(comm: Any) -> bool:
    """Have the kernel deliver `comm`'s incoming messages on the subshell the front end sent them on; whether
    this kernel needed telling (ipykernel 7.4 and later, so far)."""
    if not callable(getattr(comm, "_reply_subshell_for", None)):
        return False  # older kernels already do, or have no subshells
    comm._reply_subshell_for = _front_end_choice
    return True


def _front_end_choice(_data: object, default: str | None) -> str | None:
    return default

"""Letting a widget's Stop reach the kernel while a cell blocks the kernel's main thread.

JupyterLab >= 4.4 and Notebook 7 send comm messages over a kernel subshell, a shell thread of its own, when the
kernel supports subshells (ipykernel 7; its setting `commsOverSubshells`). ipykernel 7.0-7.3 deliver a comm
message on the subshell the front end chose. ipykernel 7.4 sends it instead to the subshell that last published
on that comm, the main shell for a widget created by a cell, unless the comm routes it otherwise through a
private hook, `BaseComm._reply_subshell_for(data, default)`, where `default` is the front end's choice. Our
widget's message handler is safe on any thread (widget.py), so its comm keeps the front end's choice.

Where there are no subshells (ipykernel 6, hosts that do not use them) messages wait for the main thread, and
the view says that Stop takes effect when the running cell finishes.

`comm`'s own handler fires IPython's `pre_execute` and `post_execute` events around each message, on whatever
thread delivers it: on a subshell, matplotlib-inline's `flush_figures` then draws the cell's open figures there
while the main thread draws them too, and the plot comes out blank or garbled. Our handlers draw nothing and run
no user code, so our comms deliver their messages without those events.

The kernel publishes "busy" and "idle" around every message it handles, a subshell's included, and JupyterLab
shows the last status it received as the kernel's (jupyterlab#10701): a message handled on a subshell while a cell
runs left the notebook showing "Idle" until the next cell started. So once a widget exists, an "idle" from a
subshell while the main shell is busy is followed by the main shell's "busy" again (the protocol's status, with the
running request as its parent): each message still gets its busy/idle pair, and the last word is the truth.
"""

from __future__ import annotations

import threading
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


def deliver_without_execute_events(comm: Any) -> None:
    """Hand `comm`'s incoming messages to its callback alone, without IPython's execute events around them."""

    def handle_msg(msg: dict[str, Any]) -> None:
        if comm._msg_callback is not None:
            comm._msg_callback(msg)

    comm.handle_msg = handle_msg


def keep_kernel_status_truthful(kernel: Any) -> bool:
    """Have `kernel`'s last published status be the main shell's while it is busy, whatever subshells publish;
    whether it was installed now (kernels with subshells, once each)."""
    publish = getattr(kernel, "_publish_status", None)
    if not getattr(kernel, "_supports_kernel_subshells", False) or not callable(publish):
        return False  # everything runs on the main thread: its statuses are already in order
    if getattr(publish, "_main_shell_last", False):
        return False
    kernel._publish_status = _MainShellLast(kernel, publish)
    return True


class _MainShellLast:
    """The kernel's `_publish_status(status, channel, parent=None)`, restating the main shell's busy after a
    subshell's idle. One lock orders every status, so a cell's own idle can never be followed by a stale busy."""

    _main_shell_last = True

    def __init__(self, kernel: Any, publish: Any) -> None:
        self._kernel, self._publish = kernel, publish
        self._lock = threading.Lock()
        self._running: Any = None  # the request the main shell is busy with

    def __call__(self, status: str, channel: str, parent: Any = None) -> None:
        with self._lock:
            self._publish(status, channel, parent)
            if channel != "shell":
                return
            if threading.current_thread() is threading.main_thread():
                self._running = (parent or self._kernel.get_parent(channel)) if status == "busy" else None
            elif status == "idle" and self._running is not None:
                self._publish("busy", channel, self._running)

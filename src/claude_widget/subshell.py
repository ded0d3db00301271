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


def deliver_without_execute_events(comm: Any) -> None:
    """Hand `comm`'s incoming messages to its callback alone, without IPython's execute events around them."""

    def handle_msg(msg: dict[str, Any]) -> None:
        if comm._msg_callback is not None:
            comm._msg_callback(msg)

    comm.handle_msg = handle_msg

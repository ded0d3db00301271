"""Stop while a cell blocks: the widget's comm keeps the subshell the front end sent a message on (subshell.py)."""

from __future__ import annotations

import threading

from ipykernel.comm.comm import BaseComm

from claude_widget.widget.subshell import (
    deliver_without_execute_events,
    keep_front_end_subshell,
    keep_kernel_status_truthful,
)


def test_on_ipykernel_7_4_the_comm_keeps_the_front_ends_subshell() -> None:
    comm = BaseComm(target_name="jupyter.widget")  # what a widget gets in ipykernel 7.4
    # ipykernel 7.4 answers on the subshell that last published on the comm: the main shell (None) for a widget
    # made by a cell, whichever subshell the front end used.
    comm._reply_subshell_id = None
    assert comm._reply_subshell_for({"method": "custom"}, "subshell-1") is None
    assert keep_front_end_subshell(comm)
    assert comm._reply_subshell_for({"method": "custom"}, "subshell-1") == "subshell-1"
    assert comm._reply_subshell_for({"method": "custom"}, None) is None  # the main shell, if that is its choice


def test_kernels_without_the_hook_are_left_alone() -> None:
    class OlderComm:  # ipykernel 6 (no subshells) and 7.0-7.3 (the front end's subshell already)
        pass

    comm = OlderComm()
    assert not keep_front_end_subshell(comm)
    assert vars(comm) == {}


def test_our_comms_deliver_messages_without_ipythons_execute_events() -> None:
    """comm's handler fires pre_execute / post_execute around each message; on a subshell, matplotlib-inline then
    draws the running cell's figures on that thread too (issue 22: blank or garbled plots)."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    fired: list[str] = []
    callbacks = {name: (lambda name=name: fired.append(name)) for name in ("pre_execute", "post_execute")}
    for name, callback in callbacks.items():
        shell.events.register(name, callback)
    try:
        received: list[object] = []
        plain = BaseComm(target_name="jupyter.widget")
        plain.on_msg(received.append)
        plain.handle_msg({"content": {"data": {}}})
        assert fired == ["pre_execute", "post_execute"] and len(received) == 1  # what comm does by itself
        fired.clear()
        ours = BaseComm(target_name="jupyter.widget")
        ours.on_msg(received.append)
        deliver_without_execute_events(ours)
        ours.handle_msg({"content": {"data": {"method": "custom"}}})
        assert fired == [] and received[-1] == {"content": {"data": {"method": "custom"}}}
    finally:
        for name, callback in callbacks.items():
            shell.events.unregister(name, callback)


def test_a_chat_widgets_comm_delivers_without_execute_events() -> None:
    from IPython.core.interactiveshell import InteractiveShell

    from claude_widget import Chat

    w = Chat(offline=True).send("hi")
    w.wait(30)
    shell = InteractiveShell.instance()
    fired: list[str] = []

    def pre_execute() -> None:
        fired.append("pre_execute")

    shell.events.register("pre_execute", pre_execute)
    try:
        assert w.comm is not None
        intent = {"intent": "inspect", "open": True, "frontend": "f1"}
        w.comm.handle_msg({"content": {"data": {"method": "custom", "content": intent}}, "buffers": []})
    finally:
        shell.events.unregister("pre_execute", pre_execute)
    assert fired == []


class RecordingKernel:
    """What `keep_kernel_status_truthful` needs of an ipykernel 7 kernel: statuses, as published on IOPub."""

    _supports_kernel_subshells = True

    def __init__(self) -> None:
        self.published: list[tuple[str, object]] = []
        self.parent: object = None

    def _publish_status(self, status: str, channel: str, parent: object = None) -> None:
        self.published.append((status, parent or self.get_parent(channel)))

    def get_parent(self, channel: str) -> object:
        return self.parent


def on_a_subshell(kernel: RecordingKernel, *statuses: str) -> None:
    def handle() -> None:
        for status in statuses:
            kernel._publish_status(status, "shell", "comm_msg")

    thread = threading.Thread(target=handle)
    thread.start()
    thread.join()


def test_a_subshells_idle_while_a_cell_runs_is_followed_by_the_cells_busy() -> None:
    """JupyterLab shows the last status it gets: without this, 'Idle' while Run All still runs (issue 22)."""
    kernel = RecordingKernel()
    assert keep_kernel_status_truthful(kernel)
    assert not keep_kernel_status_truthful(kernel)  # once per kernel
    kernel.parent = "execute_request"
    kernel._publish_status("busy", "shell")  # the main shell starts a cell
    on_a_subshell(kernel, "busy", "idle")  # our widget's message, handled meanwhile
    assert kernel.published == [("busy", "execute_request"), ("busy", "comm_msg"), ("idle", "comm_msg"),
                                ("busy", "execute_request")]  # fmt: skip
    kernel._publish_status("idle", "shell")  # the cell ends
    kernel.published.clear()
    on_a_subshell(kernel, "busy", "idle")  # nothing runs: the subshell's idle is the truth
    assert kernel.published == [("busy", "comm_msg"), ("idle", "comm_msg")]


def test_kernels_without_subshells_keep_their_own_statuses() -> None:
    kernel = RecordingKernel()
    kernel._supports_kernel_subshells = False
    assert not keep_kernel_status_truthful(kernel)
    assert "_publish_status" not in vars(kernel)

"""Stop while a cell blocks: the widget's comm keeps the subshell the front end sent a message on (subshell.py)."""

from __future__ import annotations

from ipykernel.comm.comm import BaseComm

from claude_widget.subshell import keep_front_end_subshell


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

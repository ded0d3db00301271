"""The tools that give Claude the user's kernel (`Chat(kernel=True)`): `run_python`, `list_variables` and
`describe_variable`, their names part of the API.

`list_variables` and `describe_variable` only read (variables.py) and run at once. `run_python` runs code in the
user's namespace on the kernel's main thread (main_thread.py, runner.py), and only once the user said so: the engine
asks for each call (`Tool.asks`) unless `auto_run` was chosen in code. Whatever a tool returns passes through
`Redactor`: the API key, and any text shaped like one, never goes back to Claude.
"""

from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ..engine.tool_calls import progress
from ..engine.tools import Tool, ToolOutcome
from . import variables
from .main_thread import Interrupted, main_thread
from .runner import Ran, run_code

KERNEL_TOOLS = ("run_python", "list_variables", "describe_variable")
QUEUED_AFTER = 0.2  # seconds: a job not started by then waits behind a running cell, and its card says so
KEY_SHAPE = re.compile(r"sk-ant-[A-Za-z0-9_\-]{8,}")
REDACTED = "[redacted: an API key]"


class Redactor:
    """Takes the API key (and anything shaped like an Anthropic key) out of what the tools return."""

    def __init__(self, secrets: list[str]) -> None:
        self.secrets = [s for s in secrets if s and len(s) >= 8]

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return KEY_SHAPE.sub(REDACTED, text)


def user_namespace() -> dict[str, Any]:
    """Where the user's variables live: the IPython shell's namespace, or a script's `__main__`."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell.user_ns if shell is not None else vars(sys.modules["__main__"])


def kernel_tools(*, asks: Callable[[], str | None] | None, redact: Redactor,
                 namespace: Callable[[], dict[str, Any]] = user_namespace) -> dict[str, Tool]:  # fmt: skip
    """The three kernel tools. `asks`: None to run code at once (auto_run), else the engine asks the user for each
    `run_python` call first (or declines it, where it returns why nobody can be asked)."""

    async def run_python(code: str) -> ToolOutcome:
        """Run Python code in the user's Jupyter kernel, in their namespace: what it defines stays there for their
        later cells. Returns what it printed (stdout and stderr; the start and end of a long output), its displays,
        the value of its last expression, the figures it drew (as images) or the error's traceback. The user sees
        the code first and may decline to run it: keep each call short and focused, and say what it does first.

        Args:
            code: The Python code to run.
        """
        return await _run_in_kernel(code, namespace(), redact)

    def list_variables() -> str:
        """List the variables in the user's Jupyter namespace: each one's name, type, shape and size (DataFrames,
        arrays, models…), never their contents. Call it first to learn what the user is working with."""
        return redacted(redact, variables.list_variables, namespace())

    def describe_variable(name: str) -> str:
        """Describe one variable of the user's namespace: a DataFrame as a summary (its columns with types, missing
        values and statistics, and a sample of rows); any other object by its type, shape, dtype, a short repr
        where that is safe, and the names of its attributes. Reads it without running the object's own code.

        Args:
            name: The variable's name, as list_variables gives it.
        """
        return redacted(redact, variables.describe_variable, namespace(), name)

    made = [Tool.from_function(f) for f in (run_python, list_variables, describe_variable)]
    # Kernel tools run on the stream's loop (their own threads), not on the loop of the cell that made them.
    return {tool.name: replace(tool, home=None, asks=asks if tool.name == "run_python" else None) for tool in made}


def redacted(redact: Redactor, read: Callable[..., str], *args: Any) -> str:
    """What a reading tool returns, its failure's words included, with the key taken out."""
    try:
        return redact(read(*args))
    except Exception as exc:  # (a library's error may quote the data it read)
        return redact(f"{type(exc).__name__}: {exc}")


async def _run_in_kernel(code: str, namespace: dict[str, Any], redact: Redactor) -> ToolOutcome:
    """Run `code` on the main thread behind any running cell; a cancel (Stop, the tool timeout) interrupts it."""
    job = main_thread.submit(lambda: run_code(code, namespace, clean=redact))
    waiting = asyncio.wrap_future(job)
    try:
        done, _ = await asyncio.wait({waiting}, timeout=QUEUED_AFTER)
        if not done and not main_thread.running(job):
            progress("queued")  # behind a running cell: the card says so until the code starts
            while not waiting.done() and not main_thread.running(job):
                await asyncio.wait({waiting}, timeout=0.05)
            progress("running")
        ran: Ran = await waiting
    except asyncio.CancelledError:
        if main_thread.withdraw(job):
            progress("cancelled", "Stopped before the code ran: it did not run.")
        elif main_thread.interrupt(job):
            progress("cancelled", "Stopped: the code was interrupted (KeyboardInterrupt), as the kernel interrupts.")
        elif not job.done():
            progress("cancelled", "Stopped: the code runs on a worker thread here and cannot be interrupted; "
                                  "it goes on to its end, and its result is not sent to Claude.")  # fmt: skip
        raise
    except Interrupted:
        return ToolOutcome("The code was interrupted as it ended; its result was lost.", is_error=True)
    return ToolOutcome(ran.report(), is_error=not ran.ok, blocks=tuple(image.block for image in ran.images))

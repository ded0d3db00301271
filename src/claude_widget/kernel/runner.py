"""Running Claude's code in the user's namespace, as a cell would, and telling Claude what happened, bounded.

`run_code` executes the code (the value of its last expression kept, as a cell shows it), captures what it printed
and displayed, renders the figures it drew (and closes them, so they do not turn up under the next cell), and turns
an exception into its traceback from the code's own lines down. Every part is cut to the bounds below, keeping the
start and the end of a long output, and `Ran.report()` is the text Claude reads.
"""

from __future__ import annotations

import ast
import contextlib
import io
import itertools
import linecache
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ..context.images import Image, image_of

OUTPUT_CHARS = 8_000  # what it printed (stdout and stderr each): the first 2,000 and the last 6,000 characters
OUTPUT_HEAD = 2_000
VALUE_CHARS = 4_000  # the repr of its last expression
TRACEBACK_CHARS = 4_000  # the traceback, from the end
DISPLAY_CHARS = 2_000  # each display's text
MAX_DISPLAYS = 5  # displays described, at most
MAX_IMAGES = 2  # figures sent to Claude as images, at most (each within the API's 1,568-pixel edge)
_counter = itertools.count(1)


@dataclass
class Ran:
    """What running a piece of code did."""

    code: str
    stdout: str = ""
    stderr: str = ""
    value: str | None = None  # repr of the last expression's value, if it had one (and it was not None)
    error: str | None = None  # the traceback, trimmed to the code's own frames
    interrupted: bool = False
    displays: list[str] = field(default_factory=list)  # each display's text
    images: list[Image] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None and not self.interrupted

    def report(self) -> str:
        """What Claude reads: each part that has something, labelled, bounded."""
        parts = []
        if self.stdout:
            parts.append("[stdout]\n" + _ends(self.stdout.rstrip(), OUTPUT_CHARS))
        if self.stderr:
            parts.append("[stderr]\n" + _ends(self.stderr.rstrip(), OUTPUT_CHARS))
        for number, shown in enumerate(self.displays, 1):
            parts.append(f"[display {number}]\n{shown}")
        if self.images:
            parts.append(f"[figures]\n{len(self.images)} figure(s), attached as images: "
                         + ", ".join(image.label for image in self.images))  # fmt: skip
        if self.value is not None:
            parts.append("[value]\n" + self.value)
        if self.interrupted:
            parts.append("[interrupted]\nThe user stopped the code before it finished.")
        elif self.error is not None:
            parts.append("[error]\n" + self.error)
        if not parts:
            parts.append("(The code ran without output, and its last line has no value.)")
        return "\n\n".join(parts)


def run_code(code: str, namespace: dict[str, Any], *, clean: Callable[[str], str] = str) -> Ran:
    """Run `code` in `namespace` on this thread, capturing what it shows; never raises for the code's faults (a
    KeyboardInterrupt, the user's Stop, ends it as `interrupted`). `clean` is applied to every text it captured
    before that is cut to its bounds (the API key taken out whole, not a cut piece of it left behind)."""
    ran = Ran(code)
    shell = _shell()
    if shell is not None:  # as a cell: `!pip install …`, `%timeit …` and other IPython syntax
        with contextlib.suppress(Exception):  # (what it cannot transform is compiled as it is, and fails there)
            code = shell.transform_cell(code)
    filename = f"<claude-{next(_counter)}>"
    # So a traceback shows the code's lines, as it shows a cell's.
    linecache.cache[filename] = (len(code), None, code.splitlines(keepends=True), filename)
    started = time.perf_counter()
    figures_before = _figure_numbers()
    with _captured(ran, clean):
        try:
            body, last = _compiled(code, filename)
            exec(body, namespace)
            if last is not None:
                value = eval(last, namespace)
                if value is not None:
                    ran.value = _ends(clean(_repr(value)), VALUE_CHARS)
        except KeyboardInterrupt:
            ran.interrupted = True
        except BaseException as exc:  # SystemExit too: the kernel must not exit because Claude's code said so
            ran.error = _tail(clean(_traceback(exc, filename)), TRACEBACK_CHARS)
    ran.images = _new_figures(figures_before)
    ran.seconds = time.perf_counter() - started
    return ran


def _compiled(code: str, filename: str) -> tuple[Any, Any]:
    """The code without its last expression, and that expression to evaluate (None if it ends otherwise)."""
    tree = ast.parse(code, filename, "exec")
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = compile(ast.Expression(tree.body[-1].value), filename, "eval")
        tree.body.pop()
    return compile(tree, filename, "exec"), last


@contextlib.contextmanager
def _captured(ran: Ran, clean: Callable[[str], str]) -> Iterator[None]:
    """Capture stdout, stderr and (in IPython) displays into `ran`, each cleaned, while the block runs."""
    shell = _shell()
    if shell is not None:
        from IPython.utils.capture import capture_output

        with capture_output(display=True) as captured:
            yield
        ran.stdout, ran.stderr = clean(captured.stdout), clean(captured.stderr)
        for output in captured.outputs[:MAX_DISPLAYS]:
            shown = str(output.data.get("text/plain", "(a display without text)"))
            ran.displays.append(_ends(clean(shown), DISPLAY_CHARS))
        return
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        yield
    ran.stdout, ran.stderr = clean(stdout.getvalue()), clean(stderr.getvalue())


def _traceback(exc: BaseException, filename: str) -> str:
    """The traceback from the first frame of the code itself (not ours above it)."""
    if isinstance(exc, SyntaxError) and exc.filename == filename:
        return "".join(traceback.format_exception_only(exc))
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != filename:
        tb = tb.tb_next
    lines = traceback.format_exception(type(exc), exc, tb if tb is not None else exc.__traceback__)
    return "".join(lines)


def _repr(value: Any) -> str:
    try:
        return repr(value)
    except Exception as exc:
        return f"<{type(value).__name__}: its repr failed: {exc!r}>"


def _figure_numbers() -> set[int]:
    pyplot = sys.modules.get("matplotlib.pyplot")
    return set(pyplot.get_fignums()) if pyplot is not None else set()


def _new_figures(before: set[int]) -> list[Image]:
    """The figures the code opened, as images (at most MAX_IMAGES), each closed once rendered."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is None:
        return []
    images: list[Image] = []
    for number in sorted(set(pyplot.get_fignums()) - before):
        figure = pyplot.figure(number)
        if len(images) < MAX_IMAGES:
            with contextlib.suppress(Exception):
                images.append(image_of(figure))
        pyplot.close(figure)
    return images


def _ends(text: str, limit: int) -> str:
    """`text` within `limit` characters: its start and its end, with what was left out counted between."""
    if len(text) <= limit:
        return text
    head = min(OUTPUT_HEAD, limit // 4)
    tail = limit - head
    return f"{text[:head]}\n… ({len(text) - head - tail:,} characters left out) …\n{text[-tail:]}"


def _tail(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"… ({len(text) - limit:,} characters left out)\n" + text[-limit:]


def _shell() -> Any:
    ipython = sys.modules.get("IPython")
    return ipython.get_ipython() if ipython is not None else None

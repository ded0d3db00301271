"""The kernel tools' pure parts, without HTTP: what `run_python` tells Claude and its bounds, what `list_variables`
and `describe_variable` read (and what they never run), the redaction of keys, and the main thread's queue."""

from __future__ import annotations

import json
import threading
from typing import Any

import numpy as np
import pandas as pd

from claude_widget.kernel import runner, variables
from claude_widget.kernel.main_thread import MainThread
from claude_widget.kernel.runner import run_code
from claude_widget.kernel.tools import REDACTED, Redactor
from claude_widget.kernel.variables import describe_variable, list_variables


class Touchy:
    """An object whose property, repr and len would each be a side effect (or a long wait)."""

    calls: list[str] = []  # noqa: RUF012 - shared on purpose: what was called

    def __init__(self) -> None:
        self.rows = 3
        self.label = "x"

    @property
    def shape(self) -> tuple[int, int]:
        Touchy.calls.append("shape")
        return (1, 1)

    def __repr__(self) -> str:
        Touchy.calls.append("repr")
        return "Touchy()"

    def __len__(self) -> int:
        Touchy.calls.append("len")
        return 1


def test_run_code_reports_output_value_and_error_as_claude_reads_them() -> None:
    namespace: dict[str, Any] = {}
    ran = run_code("import sys\nprint('out')\nprint('err', file=sys.stderr)\nx = [1, 2]\nx", namespace)
    assert ran.report() == "[stdout]\nout\n\n[stderr]\nerr\n\n[value]\n[1, 2]"
    assert namespace["x"] == [1, 2]
    assert run_code("y = 1", namespace).report() == "(The code ran without output, and its last line has no value.)"
    failed = run_code("def f():\n    return 1 / 0\nprint('before')\nf()", namespace)
    assert not failed.ok
    report = failed.report()
    assert report.startswith('[stdout]\nbefore\n\n[error]\nTraceback (most recent call last):\n  File "<claude-')
    assert "return 1 / 0" in report and report.rstrip().endswith("ZeroDivisionError: division by zero")
    assert "runner.py" not in report  # the traceback starts at the code's own lines
    assert "SyntaxError" in run_code("def f(:", namespace).report()
    assert "SystemExit" in run_code("raise SystemExit(3)", namespace).report()  # the kernel does not exit


def test_long_output_keeps_its_start_and_end_within_the_bounds() -> None:
    ran = run_code("for i in range(5000): print(f'line {i:05d}')\n'v' * 50_000", {})
    stdout = ran.report().split("[value]")[0]
    assert "line 00000" in stdout and "line 04999" in stdout and "line 02500" not in stdout
    assert "characters left out" in stdout
    assert len(stdout) < runner.OUTPUT_CHARS + 200
    value = ran.report().split("[value]\n")[1]
    assert len(value) < runner.VALUE_CHARS + 100
    deep = run_code("def f(n):\n    return f(n + 1)\nf(0)", {})
    assert "RecursionError" in deep.report() and len(deep.error or "") <= runner.TRACEBACK_CHARS + 60


def test_a_figure_drawn_comes_back_as_an_image_and_is_closed() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ran = run_code("import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nax.plot([1, 2, 3])", {})
    assert len(ran.images) == 1 and ran.images[0].block["type"] == "image"
    assert "1 figure(s), attached as images" in ran.report()
    assert plt.get_fignums() == []  # closed: it will not turn up under the next cell


def test_list_variables_names_types_shapes_and_sizes_never_contents() -> None:
    Touchy.calls.clear()
    namespace = {"df": pd.DataFrame({"id": [1, 2, 2], "secret_column": ["a", "b", "c"]}), "arr": np.zeros((100, 3)),
                 "words": ["a"] * 7, "n": 5, "thing": Touchy(), "_hidden": 1, "np": np, "In": [],
                 "DataFrame": pd.DataFrame}  # fmt: skip
    listed = list_variables(namespace)
    assert listed.splitlines() == [
        "df: DataFrame (3 rows × 2 columns, 180 bytes)",
        "arr: numpy.ndarray (shape 100×3, dtype float64, 2.3 KB)",
        "words: list (7 items)",
        "n: int",
        "thing: tests.Touchy",
    ]
    assert Touchy.calls == []  # no property, repr or len of an unknown object
    many = {f"v{i}": i for i in range(variables.MAX_LISTED + 5)}
    assert list_variables(many).splitlines()[-1] == "… and 5 more not listed"
    assert list_variables({}) == "No variables are defined in the user's namespace yet."


def test_describe_variable_summarizes_a_table_as_send_does_and_reads_other_objects_statically() -> None:
    Touchy.calls.clear()
    frame = pd.DataFrame({"id": range(10_000), "v": np.arange(10_000) * 0.5})
    namespace = {"df": frame, "thing": Touchy(), "text": "y" * 100_000}
    described = describe_variable(namespace, "df")
    assert described.startswith("DataFrame `df`: 10,000 rows × 2 columns.")
    assert described.count("\n| ") < 40  # a sample of rows, as send gives it, not 10,000
    thing = describe_variable(namespace, "thing")
    assert thing == "thing: tests.Touchy\n\nattributes: rows (int), label (str)"
    assert Touchy.calls == []
    assert len(describe_variable(namespace, "text")) <= variables.DESCRIPTION_CHARS
    assert describe_variable(namespace, "DF") == "No variable named 'DF' in the user's namespace. Did you mean 'df'?"


def test_the_redactor_takes_out_the_key_and_anything_shaped_like_one() -> None:
    redact = Redactor(["my-own-secret-key", ""])
    assert redact("a my-own-secret-key b") == f"a {REDACTED} b"
    assert redact("sk-ant-api03-abcdefghijklmnop and more") == f"{REDACTED} and more"
    assert redact("sk-ant-") == "sk-ant-"  # too short to be a key


def test_the_main_thread_queue_runs_jobs_in_order_and_withdraws_one_not_started() -> None:
    queue = MainThread()
    gate, order = threading.Event(), []
    first = queue.submit(lambda: (gate.wait(5), order.append(1))[1])  # no kernel: a worker thread
    second = queue.submit(lambda: order.append(2))
    third = queue.submit(lambda: order.append(3))
    assert queue.withdraw(third) and third.cancelled()
    assert not queue.interrupt(first)  # not on the main thread: it cannot be interrupted, and says so
    gate.set()
    first.result(5), second.result(5)
    assert order == [1, 2] and not queue.withdraw(second)


def test_the_saved_markdown_shows_the_code_claude_ran_where_it_ran_with_its_output() -> None:
    from claude_widget.widget.fallback import answer_markdown

    ran = {"name": "run_python", "at": 13, "status": "done", "input_json": json.dumps({"code": "print('```')"}),
           "result": "[stdout]\n```"}  # fmt: skip
    skipped = {**ran, "at": 25, "status": "declined", "result": "The user chose not to run this code."}
    listed = {"name": "list_variables", "at": 0, "status": "done", "input_json": "{}", "result": "df: DataFrame"}
    markdown = answer_markdown("Let me check.It ran fine.", status="done", model="m", calls=[ran, skipped, listed])
    assert markdown == (
        "Let me check.\n\n*Ran in the kernel:*\n\n````python\nprint('```')\n````\n\n````text\n[stdout]\n```\n````"
        "\n\nIt ran fine.\n\n*Not run:*\n\n````python\nprint('```')\n````\n\n"
        "```text\nThe user chose not to run this code.\n```"
    )


def test_the_key_is_taken_out_before_an_output_is_cut_and_from_a_reading_tools_error() -> None:
    from claude_widget.kernel.tools import redacted

    key = "sk-ant-api03-" + "k" * 40
    redact = Redactor([key])
    # The head of a long output ends inside the key: cut first, a piece of the key would be left behind.
    ran = run_code(f"print('x' * {runner.OUTPUT_HEAD - 10} + {key!r} + 'y' * 20000)\nraise ValueError({key!r})", {},
                   clean=redact)  # fmt: skip
    report = ran.report()
    assert all(key[i : i + 12] not in report for i in range(len(key) - 12)) and REDACTED[:12] in report

    def fails() -> str:
        raise KeyError(f"no column {key}")

    assert redacted(redact, fails) == f"KeyError: 'no column {REDACTED}'"


def test_reading_never_calls_a_subclass_or_an_elements_own_repr_and_hides_what_the_list_hides() -> None:
    class Loud(list):  # type: ignore[type-arg]
        def __repr__(self) -> str:
            raise AssertionError("a subclass's repr was called")

        def __len__(self) -> int:
            raise AssertionError("a subclass's len was called")

    namespace = {"points": [Touchy(), 1.5, "a"], "loud": Loud([1]), "In": ["secret = 'typed earlier'"]}
    Touchy.calls.clear()
    assert describe_variable(namespace, "points") == "points: list (3 items)\n\n[<Touchy>, 1.5, 'a']"
    assert describe_variable(namespace, "loud") == "loud: tests.Loud"
    assert Touchy.calls == []
    assert describe_variable(namespace, "In").startswith("No variable named 'In'")  # IPython's history: not the user's


def test_a_malformed_intent_is_refused_whatever_its_name_and_odd_code_is_left_out_of_the_markdown() -> None:
    from claude_widget.widget.fallback import answer_markdown
    from claude_widget.widget.protocol import is_stop, parse_intent

    assert parse_intent({"intent": "stop", "reason": 5}) is None and not is_stop({"intent": "stop", "call": []})
    odd = {"name": "run_python", "at": 0, "status": "done", "input_json": '{"code": 5}', "result": "x"}
    assert answer_markdown("Text.", status="done", model="m", calls=[odd]) == "Text."

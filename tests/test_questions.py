"""How `chat.map` makes each item's question: templates, dicts and rows, tuples with objects, functions; a template
that does not fit fails before anything is sent. Pure."""

from __future__ import annotations

import pandas as pd
import pytest

from claude_widget.jobs.questions import Question, items_of, questions


def test_a_template_fills_each_item_or_each_rows_fields() -> None:
    assert [q.text for q in questions(["great", "awful"], "Classify: {}")] == ["Classify: great", "Classify: awful"]
    rows = items_of(pd.DataFrame({"title": ["A", "B"], "body": ["x", "y"]}))
    assert [q.text for q in questions(rows, "{title}: {body}")] == ["A: x", "B: y"]
    assert questions(pd.Series(["a", "b"]).pipe(items_of), None)[1] == Question(1, "b", "b")


def test_a_tuple_carries_objects_and_a_function_makes_the_question() -> None:
    frame = pd.DataFrame({"a": [1]})
    [q] = questions([("What stands out?", frame)], None)
    assert q.text == "What stands out?" and q.objects[0] is frame
    [q] = questions([("sales", frame)], "Describe the {} table")
    assert q.text == "Describe the sales table" and q.objects == (frame,)
    [q] = questions([3], lambda n: f"Square {n}")
    assert q.text == "Square 3"


@pytest.mark.parametrize(
    ("items", "prompt", "message"),
    [
        (
            [{"title": "A"}, {"name": "B"}],
            "{title}",
            r"prompt '\{title\}' does not fit item 1 \(\{'name': 'B'\}\): it has no title",
        ),
        (["a"], "{title}", r"names fields \(title\), but item 0 \('a'\) is not a dict"),
        ([{"title": "A"}], None, r"item 0 .* is a dict: give prompt= a template"),
        (["ok", "  "], None, r"item 1 \('  '\): the question is empty"),
        (["a"], "{", r"is not a valid template"),
        (["a"], lambda item: 1 / 0, r"prompt\(item 0 \('a'\)\) raised ZeroDivisionError"),
        ([(1, 2)], None, r"a tuple whose first part is not the question's text"),
    ],
)
def test_an_item_that_does_not_fit_fails_the_whole_job_before_anything_is_sent(
    items: list[object], prompt: object, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        questions(items, prompt)  # type: ignore[arg-type]


def test_items_must_be_a_collection() -> None:
    with pytest.raises(TypeError, match="not one string"):
        items_of("abc")
    with pytest.raises(TypeError, match="not int"):
        items_of(5)
    with pytest.raises(TypeError, match="prompt must be a template string or a function"):
        questions(["a"], 5)  # type: ignore[arg-type]

"""A DataFrame or Series as a bounded, faithful summary for the prompt (tables.py): pure, no HTTP."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import polars as pl
import pytest

from claude_widget.api.request_tokens import estimate_tokens
from claude_widget.context import tables
from claude_widget.context.tables import is_table, summarize


def sales(rows: int = 10_000) -> dict[str, object]:
    rng = np.random.default_rng(7)
    return {
        "units": rng.integers(1, 500, rows),
        "price": rng.normal(20.0, 4.0, rows).round(2),
        "region": rng.choice(["north", "south", "east", "west"], rows, p=[0.4, 0.3, 0.2, 0.1]),
    }


def column_line(text: str, name: str) -> str:
    [line] = [line for line in text.splitlines() if line.startswith(f"| {name} |")]
    return line


def test_a_pandas_frame_gives_its_shape_dtypes_missing_counts_figures_and_frequent_values() -> None:
    frame = pd.DataFrame(sales())
    frame.loc[::100, "price"] = np.nan
    summary = summarize(frame, name="df")
    text = summary.text
    assert text.startswith("DataFrame `df`: 10,000 rows × 3 columns.\nShown: 20 of 10,000 rows.")
    assert summary.label == "DataFrame · 10,000 × 3"
    assert summary.columns == ("units", "price", "region")

    units = column_line(text, "units")
    assert "| int64 | 0 |" in units
    assert f"min {frame.units.min():,}" in units and f"max {frame.units.max():,}" in units
    assert f"mean {frame.units.mean():,.6g}" in units and f"std {frame.units.std():,.6g}" in units
    assert f"median {frame.units.median():,.6g}" in units
    assert "| 100 (1.0%) |" in column_line(text, "price")  # every 100th price is missing
    assert f"mean {frame.price.mean():,.6g}" in column_line(text, "price")  # NaNs left out, as pandas does
    region = column_line(text, "region")
    shares = frame.region.value_counts(normalize=True)
    assert f"4 distinct · top: north {shares['north']:.0%} · south {shares['south']:.0%}" in region


def test_rows_are_the_head_then_a_fixed_seed_sample_with_missing_values_marked() -> None:
    frame = pd.DataFrame(sales())
    frame.loc[3, "region"] = None
    text = summarize(frame).text
    rows = re.findall(r"^\| (\d+) \|", text, flags=re.MULTILINE)
    assert [int(r) for r in rows[:10]] == list(range(10))
    sampled = [int(r) for r in rows[10:]]
    assert len(sampled) == 10 and sampled == sorted(sampled) and min(sampled) >= 10
    assert summarize(frame).text == text  # the same sample every time
    assert re.search(r"^\| 3 \| \d+ \| [\d.]+ \| NA \|$", text, flags=re.MULTILINE)
    assert "Rows (first 10, then 10 at random (seed 0)):" in text


def test_polars_gives_the_same_figures_as_pandas() -> None:
    data = sales()
    by_pandas = summarize(pd.DataFrame(data)).text
    by_polars = summarize(pl.DataFrame(data)).text
    for name in ("units", "price"):
        figures = column_line(by_pandas, name).split("|")[4]
        assert column_line(by_polars, name).split("|")[4] == figures
    assert "| region | String | 0 | 4 distinct · top: north 40%" in by_polars


def test_a_series_is_a_one_column_table() -> None:
    series = pd.Series([1.5, 2.5, None], name="score")
    summary = summarize(series)
    assert summary.label == "Series · 3 × 1"
    assert "| score | float64 | 1 (33.3%) | min 1.5 · median 2 · mean 2 · max 2.5 · std 0.707107 |" in summary.text
    assert summarize(pl.Series("score", [1.5, 2.5, None])).label == "Series · 3 × 1"


def test_a_wide_frame_fits_the_budget_and_says_what_it_left_out() -> None:
    frame = pd.DataFrame(np.arange(30 * 200).reshape(30, 200), columns=[f"feature_{i}" for i in range(200)])
    summary = summarize(frame, budget=1_500)
    assert estimate_tokens(summary.text) <= 1_500
    assert summary.shown_columns < 200
    assert f"{summary.shown_rows} of 30 rows, {summary.shown_columns} of 200 columns" in summary.text
    assert "Columns not summarised: feature_" in summary.text
    roomy = summarize(frame, budget=50_000)
    assert roomy.shown_columns == tables.MAX_COLUMNS  # never more than that many, whatever the budget
    assert roomy.shown_rows == 20


def test_a_smaller_budget_drops_sample_rows_before_columns() -> None:
    frame = pd.DataFrame(sales(1_000))
    full = summarize(frame)
    tight = summarize(frame, budget=estimate_tokens(full.text) - 50)
    assert tight.shown_columns == 3
    assert 0 < tight.shown_rows < 20
    assert "then" in tight.text  # still some rows drawn at random, not only the head


@pytest.mark.parametrize("library", ["pandas", "polars"])
def test_a_large_frame_says_which_figures_come_from_a_sample(library: str) -> None:
    rows = tables.SAMPLED_ABOVE + 50_000
    data = {"x": np.arange(rows, dtype=float), "tag": np.where(np.arange(rows) % 4 == 0, "a", "b"),
            "id": np.array([f"id{i}" for i in range(rows)])}  # fmt: skip
    text = summarize(pd.DataFrame(data) if library == "pandas" else pl.DataFrame(data)).text
    assert f"come from a random sample of {tables.SAMPLED_ABOVE:,} rows.)" in text
    assert "min 0 · median " in column_line(text, "x") and f"max {rows - 1:,} ·" in column_line(text, "x")
    assert "| 2 distinct · top: b 75% · a 25% |" in column_line(text, "tag")  # few values: counted whole
    assert f"| ≥ {tables.SAMPLED_ABOVE:,} distinct · top: id" in column_line(text, "id")  # many: the sample's


def test_empty_and_all_missing_columns_are_summarised_too() -> None:
    assert summarize(pd.DataFrame({"a": []})).text.startswith("DataFrame: 0 rows × 1 columns.")
    text = summarize(pd.DataFrame({"a": [np.nan, np.nan], "b": [None, None]})).text
    assert "| a | float64 | 2 (100.0%) |  |" in text
    assert "| b | object | 2 (100.0%) | 0 distinct |" in text


def test_only_pandas_and_polars_tables_are_taken() -> None:
    class DataFrame:  # a look-alike from elsewhere
        pass

    assert is_table(pd.DataFrame()) and is_table(pl.Series([1])) and not is_table(DataFrame())
    with pytest.raises(TypeError, match="not a pandas or polars DataFrame or Series: DataFrame"):
        summarize(DataFrame())
    with pytest.raises(ValueError, match="at least 100 tokens"):
        summarize(pd.DataFrame({"a": [1]}), budget=10)

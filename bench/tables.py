"""How long a DataFrame's summary takes to build, and how big it is (tables.py): 1,000,000 rows × 50 columns
(25 float columns, 25 string columns of five values, 1% missing in each), pandas and polars, best of five runs,
at the default token budget.

    .venv/bin/python bench/tables.py
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import polars as pl

from claude_widget.context.tables import DEFAULT_TABLE_TOKENS, summarize

ROWS, COLUMNS, RUNS = 1_000_000, 50, 5


def data() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    columns = {}
    for i in range(COLUMNS):
        if i % 2:
            values = rng.normal(size=ROWS)
            values[rng.random(ROWS) < 0.01] = np.nan
        else:
            values = rng.choice(np.array(["alpha", "beta", "gamma", "delta", None], dtype=object), ROWS,
                                p=[0.3, 0.3, 0.2, 0.19, 0.01])  # fmt: skip
        columns[f"c{i:02d}"] = values
    return columns


def main() -> None:
    columns = data()
    frames = {"pandas": pd.DataFrame(columns), "polars": pl.DataFrame(columns, strict=False)}
    print(f"{ROWS:,} rows × {COLUMNS} columns, budget {DEFAULT_TABLE_TOKENS:,} tokens, best of {RUNS}:")
    for library, frame in frames.items():
        times = []
        for _ in range(RUNS):
            started = time.perf_counter()
            summary = summarize(frame, name="df")
            times.append(time.perf_counter() - started)
        print(f"  {library:7} {min(times) * 1000:6.0f} ms (median {sorted(times)[RUNS // 2] * 1000:.0f} ms)  "
              f"{len(summary.text):,} characters, ~{summary.tokens:,} tokens, "
              f"{summary.shown_columns} of {COLUMNS} columns, {summary.shown_rows} rows")  # fmt: skip


if __name__ == "__main__":
    main()

"""A table from the kernel, a pandas or polars DataFrame or Series, as a bounded and faithful text summary for a
prompt: its shape; each column's name, dtype and missing count; a numeric summary of the numeric columns and the
most frequent values of the others; a sample of rows (the head, then a fixed-seed random sample), as compact
tables. It fits a token budget and says what it left out ("20 of 10,000 rows, 30 of 200 columns shown").

pandas and polars are optional: a table is recognised by its type's module, and each library is used only on its
own objects. Above `SAMPLED_ABOVE` rows, medians come from a fixed-seed sample of that many rows, and so do the
frequent values of a column with many distinct values (the summary says so); everything else reads every row.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ..api.request_tokens import estimate_tokens

DEFAULT_TABLE_TOKENS = 2_000
MIN_TABLE_TOKENS = 100
HEAD_ROWS = 10
SAMPLE_ROWS = 10
SEED = 0
TOP_VALUES = 5
MAX_COLUMNS = 100  # at most this many columns are summarised at all (the budget may show fewer)
SAMPLED_ABOVE = 200_000
FEW_DISTINCT = 1_000  # a column with at most this many distinct values in the sample is counted whole
CELL_CHARS = 40
NUMERIC_STATS = ("min", "median", "mean", "max", "std")


@dataclass(frozen=True)
class ColumnSummary:
    name: str
    dtype: str
    missing: int
    summary: str  # "min 1 · median 5 · mean 5.2 · max 9 · std 2.1", or "37 distinct · top: Paris 12% · …"


@dataclass(frozen=True)
class TableSummary:
    """What the prompt gets (`text`) and what the widget's chip says (`label`, `columns`)."""

    kind: str  # "DataFrame" or "Series"
    rows: int
    columns: tuple[str, ...]  # every column's name, shown or not
    shown_rows: int
    shown_columns: int
    text: str

    @property
    def label(self) -> str:
        return f"{self.kind} · {self.rows:,} × {len(self.columns):,}"

    @property
    def tokens(self) -> int:
        return estimate_tokens(self.text)


def checked_table_tokens(tokens: object) -> int:
    """A table summary's budget as given, or a clear error."""
    if not isinstance(tokens, int) or isinstance(tokens, bool) or tokens < MIN_TABLE_TOKENS:
        raise ValueError(f"table_tokens must be an integer of at least {MIN_TABLE_TOKENS}, got {tokens!r:.60}")
    return tokens


def is_table(obj: object) -> bool:
    """A pandas or polars DataFrame or Series (checked without importing either library)."""
    kind = type(obj)
    return kind.__name__ in ("DataFrame", "Series") and kind.__module__.split(".")[0] in ("pandas", "polars")


def summarize(obj: Any, *, name: str | None = None, budget: int = DEFAULT_TABLE_TOKENS) -> TableSummary:
    """The summary of a DataFrame or Series within `budget` tokens: fewer sample rows first, then fewer columns."""
    if not is_table(obj):
        raise TypeError(f"not a pandas or polars DataFrame or Series: {type(obj).__name__}")
    if budget < MIN_TABLE_TOKENS:
        raise ValueError(f"a table summary needs a budget of at least {MIN_TABLE_TOKENS} tokens, got {budget}")
    table = _adapt(obj)
    names = table.column_names()
    columns = table.summarize_columns(names[:MAX_COLUMNS])
    head, sample = _row_indices(table.height)
    for shown_rows, shown_columns in _smaller_and_smaller(len(head) + len(sample), len(columns)):
        # Fewer rows: as many from the head as drawn at random.
        from_sample = shown_rows // 2 if shown_rows < len(head) + len(sample) else len(sample)
        from_head = head[: shown_rows - from_sample]
        rows = from_head + sample[:from_sample]
        text = _render(table, name, names, columns[:shown_columns], rows, len(from_head))
        if estimate_tokens(text) <= budget:
            break
    return TableSummary(table.kind, table.height, tuple(names), len(rows), shown_columns, text)


def _smaller_and_smaller(rows: int, columns: int) -> Iterator[tuple[int, int]]:
    """(rows, columns) to try, largest first: half the rows; then fewer columns down to 8, keeping 10 rows; then
    4 rows and none; then fewer columns down to one. The last is used whether it fits or not."""
    yield rows, columns
    rows = min(rows, HEAD_ROWS)
    yield rows, columns
    while columns > 8:
        columns = max(8, columns // 2)
        yield rows, columns
    yield min(rows, 4), columns
    yield 0, columns
    while columns > 1:
        columns //= 2
        yield 0, columns


def _row_indices(height: int) -> tuple[list[int], list[int]]:
    """The head, and a fixed-seed random sample of the rest (in order)."""
    head = list(range(min(HEAD_ROWS, height)))
    rest = range(len(head), height)
    return head, sorted(random.Random(SEED).sample(rest, min(SAMPLE_ROWS, len(rest))))


def _render(
    table: _Table,
    name: str | None,
    names: Sequence[str],
    columns: Sequence[ColumnSummary],
    rows: Sequence[int],
    head: int,
) -> str:
    """The summary's text; `rows` are `head` first rows, then rows drawn at random."""
    title = f"{table.kind} `{name}`" if name else table.kind
    lines = [f"{title}: {table.height:,} rows × {len(names):,} columns."]
    left_out = []
    if len(rows) < table.height:
        left_out.append(f"{len(rows):,} of {table.height:,} rows")
    if len(columns) < len(names):
        left_out.append(f"{len(columns):,} of {len(names):,} columns")
    if left_out:
        lines.append(f"Shown: {', '.join(left_out)}.")
    if len(columns) < len(names):
        rest = ", ".join(_cell(n) for n in names[len(columns) : len(columns) + 50])
        more = " …" if len(names) - len(columns) > 50 else ""
        lines.append(f"Columns not summarised: {rest}{more}")
    sampled = table.height > SAMPLED_ABOVE
    lines += ["", "| column | dtype | missing | summary |", "|---|---|---:|---|"]
    for column in columns:
        missing = f"{column.missing:,}" + (f" ({column.missing / table.height:.1%})" if column.missing else "")
        lines.append(f"| {_cell(column.name)} | {column.dtype} | {missing} | {column.summary} |")
    if sampled:
        lines.append(f"(Medians, and the frequent values of columns with more than {FEW_DISTINCT:,} distinct values"
                     f" (≥), come from a random sample of {SAMPLED_ABOVE:,} rows.)")  # fmt: skip
    if rows:
        head = min(head, len(rows))
        described = f"first {head}" + (f", then {len(rows) - head} at random (seed {SEED})" if len(rows) > head else "")
        shown = [c.name for c in columns]
        lines += ["", f"Rows ({described}):", "", "| row | " + " | ".join(_cell(n) for n in shown) + " |",
                  "|---:|" + "---|" * len(shown)]  # fmt: skip
        for index, values in zip(rows, table.rows(rows, shown), strict=True):
            lines.append(f"| {index} | " + " | ".join(_cell(v) for v in values) + " |")
    return "\n".join(lines)


def _cell(value: object) -> str:
    """A value as one table cell: missing values as NA, floats to 6 significant digits, at most CELL_CHARS."""
    if value is None:
        text = "NA"
    elif isinstance(value, float):
        text = f"{value:.6g}"
    else:
        text = str(value)
    text = text.replace("\n", " ").replace("|", "\\|")
    return text if len(text) <= CELL_CHARS else text[: CELL_CHARS - 1] + "…"


def _number(value: object) -> str:
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else f"{value:,.6g}"
    return str(value)


def _numeric_summary(stats: dict[str, object]) -> str:
    """A numeric (or datetime) column's figures, in order; those that do not apply are left out."""
    return " · ".join(f"{key} {_number(value)}" for key, value in stats.items() if value is not None)


def _top_summary(distinct: int, top: Sequence[tuple[object, float]], sampled: bool) -> str:
    """How many distinct values, and the most frequent ones with their share of the rows."""
    shares = " · ".join(f"{_cell(value)} {share:.0%}" for value, share in top)
    return f"{'≥ ' if sampled else ''}{distinct:,} distinct · top: {shares}" if top else f"{distinct:,} distinct"


class _Table(Protocol):
    kind: str
    height: int

    def column_names(self) -> list[str]: ...
    def summarize_columns(self, names: Sequence[str]) -> list[ColumnSummary]: ...
    def rows(self, indices: Sequence[int], names: Sequence[str]) -> list[list[object]]: ...


def _adapt(obj: Any) -> _Table:
    if type(obj).__module__.split(".")[0] == "pandas":
        return _PandasTable(obj)
    return _PolarsTable(obj)


class _PandasTable:
    def __init__(self, obj: Any) -> None:
        self.kind = type(obj).__name__
        self.frame = obj.to_frame(name=obj.name if obj.name is not None else "value") if self.kind == "Series" else obj
        self.height = len(self.frame)

    def column_names(self) -> list[str]:
        return [str(c) for c in self.frame.columns]

    def summarize_columns(self, names: Sequence[str]) -> list[ColumnSummary]:
        import numpy as np

        frame = self.frame.iloc[:, : len(names)]
        sample = frame
        if self.height > SAMPLED_ABOVE:
            positions = np.random.default_rng(SEED).choice(self.height, SAMPLED_ABOVE, replace=False)
            sample = frame.take(np.sort(positions))
        return [self._column(name, frame.iloc[:, i], sample.iloc[:, i]) for i, name in enumerate(names)]

    def _column(self, name: str, column: Any, sample: Any) -> ColumnSummary:
        import numpy as np
        import pandas as pd

        dtype = "category" if isinstance(column.dtype, pd.CategoricalDtype) else str(column.dtype)
        if _pandas_numeric(column):
            values = column.to_numpy(dtype="float64", na_value=np.nan)
            stats = _numpy_stats(values, sample.to_numpy(dtype="float64", na_value=np.nan))
            figures: dict[str, object] = dict(stats)
            if pd.api.types.is_integer_dtype(column.dtype):  # integers stay integers where they can
                figures.update({k: int(v) for k, v in stats.items() if k in ("min", "max") and v is not None})
            return ColumnSummary(name, dtype, int(np.isnan(values).sum()), _numeric_summary(figures))
        if pd.api.types.is_datetime64_any_dtype(column.dtype):
            figures = {"min": _scalar(column.min()), "max": _scalar(column.max())}
            return ColumnSummary(name, dtype, int(column.isna().sum()), _numeric_summary(figures))
        # Counting every value is fast when there are few distinct ones (the sample says); else the sample's counts.
        counts = sample.value_counts(dropna=False)
        exact = len(sample) == len(column) or len(counts) <= FEW_DISTINCT
        if exact and len(sample) != len(column):
            counts = column.value_counts(dropna=False)
        missing_in = [key for key in counts.index if _scalar(key) is None]
        present = counts.drop(missing_in)
        missing = int(counts[missing_in].sum()) if exact else int(column.isna().sum())
        share = 1 / max(1, len(column) if exact else len(sample))
        top = [(_scalar(v), c * share) for v, c in present.head(TOP_VALUES).items()]
        return ColumnSummary(name, dtype, missing, _top_summary(len(present), top, sampled=not exact))

    def rows(self, indices: Sequence[int], names: Sequence[str]) -> list[list[object]]:
        block = self.frame.iloc[list(indices), : len(names)]
        return [[_scalar(v) for v in row] for row in block.itertuples(index=False, name=None)]


def _numpy_stats(values: Any, sample: Any) -> dict[str, float | None]:
    """min, median (of the sample), mean, max and std (n - 1) of a float array, ignoring NaNs."""
    import numpy as np

    present = values[~np.isnan(values)]
    if present.size == 0:
        return {}
    figures = {"min": present.min(), "median": np.nanmedian(sample), "mean": present.mean(), "max": present.max(),
               "std": present.std(ddof=1) if present.size > 1 else None}  # fmt: skip
    return {key: None if value is None else float(value) for key, value in figures.items()}


def _pandas_numeric(series: Any) -> bool:
    import pandas as pd

    return bool(pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype))


class _PolarsTable:
    def __init__(self, obj: Any) -> None:
        self.kind = type(obj).__name__
        self.frame = obj.to_frame() if self.kind == "Series" else obj
        self.height = self.frame.height

    def column_names(self) -> list[str]:
        return [str(c) for c in self.frame.columns]

    def summarize_columns(self, names: Sequence[str]) -> list[ColumnSummary]:
        import polars as pl

        frame = self.frame.select(names)
        missing = frame.null_count().row(0)
        sampled = self.height > SAMPLED_ABOVE
        sample = frame.sample(n=SAMPLED_ABOVE, seed=SEED) if sampled else frame
        wanted = {n: NUMERIC_STATS if dtype.is_numeric() else ("min", "max")
                  for n, dtype in frame.schema.items() if dtype.is_numeric() or dtype.is_temporal()}  # fmt: skip
        stats: dict[str, dict[str, object]] = {}
        if wanted:
            aggregates = [getattr(pl.col(n), key)().alias(f"{key}\x00{n}")
                          for n, keys in wanted.items() for key in keys]  # fmt: skip
            row = frame.select(aggregates).row(0, named=True)
            stats = {n: {key: _scalar(row[f"{key}\x00{n}"]) for key in keys} for n, keys in wanted.items()}
            if sampled:  # medians from the sample, as with pandas
                medians = sample.select([pl.col(n).median() for n, keys in wanted.items() if "median" in keys])
                for n, value in medians.row(0, named=True).items():
                    stats[n]["median"] = _scalar(value)
        out = []
        for i, (name, dtype) in enumerate(frame.schema.items()):
            if name in stats:
                summary = _numeric_summary(stats[name])
            else:
                counts = sample.get_column(name).drop_nulls().value_counts(sort=True)
                exact = not sampled or counts.height <= FEW_DISTINCT  # as with pandas
                if exact and sampled:
                    counts = frame.get_column(name).drop_nulls().value_counts(sort=True)
                share = 1 / max(1, self.height if exact else sample.height)
                top = [(_scalar(v), c * share) for v, c in counts.head(TOP_VALUES).iter_rows()]
                summary = _top_summary(counts.height, top, sampled=not exact)
            out.append(ColumnSummary(name, str(dtype), int(missing[i]), summary))
        return out

    def rows(self, indices: Sequence[int], names: Sequence[str]) -> list[list[object]]:
        block = self.frame.select(names[: len(names)])[list(indices)]
        return [[_scalar(v) for v in row] for row in block.iter_rows()]


def _scalar(value: Any) -> object:
    """A numpy or pandas scalar as the Python value it stands for (missing values as None)."""
    item = getattr(value, "item", None)
    if callable(item) and type(value).__module__.split(".")[0] == "numpy":
        value = item()
    try:
        if value is None or value != value:  # NaN, NaT, pandas.NA (whose comparison raises)
            return None
    except (TypeError, ValueError):
        return None
    return value

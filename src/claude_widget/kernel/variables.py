"""What Claude may learn of the user's variables: `list_variables` and `describe_variable`, read without side effects.

Nothing here runs the user's code: no property is read (attributes are looked up statically), no `__len__` or
`__repr__` of an object whose type we do not know is called, and a DataFrame gets the summary `send` gives it (its
rows no further than that). Sizes are what the object's own buffers say (`nbytes`, pandas' `memory_usage`), never a
walk over its contents. Each result is bounded (the figures below).
"""

from __future__ import annotations

import inspect
import reprlib
import sys
import types
from collections.abc import Mapping
from typing import Any

from ..context.images import human_size
from ..context.tables import is_table, summarize

MAX_LISTED = 200  # variables listed, at most (the rest are counted)
LINE_CHARS = 160  # one variable's line in the list, at most
DESCRIPTION_CHARS = 4_000  # one variable's description, at most
TABLE_TOKENS = 1_500  # a DataFrame's summary, as `send` would make it within this budget
REPR_CHARS = 1_500  # a repr within the description
ATTRIBUTES = 40  # an object's attributes named, at most
# Names every IPython namespace has, which are not the user's.
SHELL_NAMES = frozenset(("In", "Out", "exit", "quit", "get_ipython", "open"))
# Types whose repr is the interpreter's own (bounded by reprlib) or a library's that bounds itself.
SAFE_REPR = (int, float, complex, bool, str, bytes, type(None), list, tuple, dict, set, frozenset, range)


def user_variables(namespace: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """The user's own variables: not modules, not IPython's history, not names starting with `_`."""
    names = list(namespace.items())  # a copy: the main thread may be changing the namespace meanwhile
    return [(name, value) for name, value in names if _users(name, value)]


def _users(name: str, value: Any) -> bool:
    if name.startswith("_") or name in SHELL_NAMES or isinstance(value, types.ModuleType):
        return False
    # A class or function imported from a library is not the user's (`from sklearn... import Ridge`); their own is.
    imported = (inspect.isclass(value) or inspect.isroutine(value)) and getattr(value, "__module__", "") != "__main__"
    return not imported


def list_variables(namespace: Mapping[str, Any]) -> str:
    """One line per variable: its name, type, shape and size; never its contents."""
    found = user_variables(namespace)
    if not found:
        return "No variables are defined in the user's namespace yet."
    lines = [_clip(f"{name}: {kind_of(value)}", LINE_CHARS) for name, value in found[:MAX_LISTED]]
    if len(found) > MAX_LISTED:
        lines.append(f"… and {len(found) - MAX_LISTED} more not listed")
    return "\n".join(lines)


def describe_variable(namespace: Mapping[str, Any], name: str) -> str:
    """A bounded summary of one variable: a table as `send` summarizes it; anything else by its type."""
    if name not in namespace or not _users(name, namespace[name]):
        near = [n for n, _ in user_variables(namespace) if n.lower() == name.lower()]
        hint = f" Did you mean {near[0]!r}?" if near else " list_variables names the variables there are."
        return f"No variable named {name!r} in the user's namespace.{hint}"
    value = namespace[name]
    if is_table(value):
        return summarize(value, name=name, budget=TABLE_TOKENS).text
    lines = [f"{name}: {kind_of(value)}"]
    shown = _bounded_repr(value)
    if shown is not None:
        lines += ["", shown]
    attributes = _attributes(value)
    if attributes:
        lines += ["", "attributes: " + ", ".join(attributes)]
    return _clip("\n".join(lines), DESCRIPTION_CHARS)


def kind_of(value: Any) -> str:
    """The type, with the shape, dtype, length and size where the object states them without computing."""
    kind = type(value)
    library = kind.__module__.split(".")[0]
    name = kind.__name__ if library in ("builtins", "__main__") else f"{library}.{kind.__name__}"
    details: list[str] = []
    if is_table(value):
        shape = value.shape
        details.append(f"{shape[0]:,} rows × {shape[1]:,} columns" if len(shape) == 2 else f"{shape[0]:,} rows")
        details.append(human_size(_table_bytes(value)))
        return f"{kind.__name__} ({', '.join(details)})"
    shape, dtype, nbytes = (_static(value, attr) for attr in ("shape", "dtype", "nbytes"))
    if isinstance(shape, tuple):
        details.append("shape " + ("×".join(str(n) for n in shape) or "()"))
    if dtype is not None and _is_plain(dtype):
        details.append(f"dtype {dtype}")
    if isinstance(nbytes, int):
        details.append(human_size(nbytes))
    elif type(value) in (str, bytes, list, tuple, dict, set, frozenset):  # (not a subclass: its len could compute)
        details.append(f"{len(value):,} items" if not isinstance(value, (str, bytes)) else f"{len(value):,} characters")
    elif inspect.isroutine(value) or inspect.isclass(value):
        details.append(_signature(value))
    return f"{name} ({', '.join(details)})" if details else name


def _static(value: Any, attribute: str) -> Any:
    """An attribute of a known array type (numpy, torch, jax, xarray: their shape is stored, not computed); None for
    any other object, whose attribute might be a property that computes."""
    module = type(value).__module__.split(".")[0]
    if module not in ("numpy", "torch", "jax", "jaxlib", "xarray", "scipy", "pandas", "polars"):
        return None
    try:
        return getattr(value, attribute, None)
    except Exception:
        return None


def _is_plain(dtype: Any) -> bool:
    return type(dtype).__module__.split(".")[0] in ("numpy", "torch", "jax", "jaxlib", "polars", "pandas")


def _table_bytes(table: Any) -> int:
    try:
        if type(table).__module__.startswith("polars"):
            return int(table.estimated_size())
        usage = table.memory_usage(index=True, deep=False)
        return int(usage.sum()) if hasattr(usage, "sum") else int(usage)
    except Exception:
        return 0


def _bounded_repr(value: Any) -> str | None:
    """The repr of a value whose repr we know to be bounded and free of side effects; None otherwise."""
    if type(value) in SAFE_REPR:  # the type itself: a subclass may have a repr of its own
        return _clip(_Shortened().repr(value), REPR_CHARS)
    module = type(value).__module__.split(".")[0]
    if module == "numpy" and "numpy" in sys.modules:
        numpy = sys.modules["numpy"]
        with numpy.printoptions(threshold=200, edgeitems=3, linewidth=100):
            return _clip(repr(value), REPR_CHARS)
    own_repr: Any = type(value).__repr__
    if own_repr is object.__repr__ or inspect.isroutine(value) or inspect.isclass(value):
        return repr(value)
    return None  # its own __repr__, which could compute anything: left out, its attributes named instead


class _Shortened(reprlib.Repr):
    """The interpreter's repr, shortened (reprlib), that names an element of any other type instead of calling its
    repr: a list of the user's objects shows as `[<Point>, <Point>, …]`."""

    def __init__(self) -> None:
        super().__init__()  # (its keyword arguments are Python 3.12's)
        self.maxlevel, self.maxstring, self.maxlong, self.maxother = 3, REPR_CHARS, 60, 200
        self.maxlist = self.maxtuple = self.maxdict = self.maxset = self.maxfrozenset = 20

    def repr_instance(self, x: Any, level: int) -> str:
        return repr(x) if type(x) in SAFE_REPR else f"<{type(x).__name__}>"


def _attributes(value: Any) -> list[str]:
    """The names of an object's own data attributes (its `__dict__`, read without calling anything), with types."""
    if type(value) in SAFE_REPR or inspect.isroutine(value) or inspect.isclass(value) or is_table(value):
        return []
    slot: Any = next((k.__dict__["__dict__"] for k in type(value).__mro__ if "__dict__" in k.__dict__), None)
    if type(slot).__name__ != "getset_descriptor":
        return []  # no instance dict, or a class that computes its own
    own = slot.__get__(value)  # the interpreter's own slot: no code of the object's runs
    names = [f"{key} ({type(item).__name__})" for key, item in list(own.items()) if not str(key).startswith("_")]
    return names[:ATTRIBUTES] + ([f"… {len(names) - ATTRIBUTES} more"] if len(names) > ATTRIBUTES else [])


def _signature(value: Any) -> str:
    try:
        return f"{getattr(value, '__name__', '')}{inspect.signature(value)}"
    except (TypeError, ValueError):
        return "callable"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"

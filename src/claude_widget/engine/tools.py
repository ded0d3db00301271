"""Plain Python functions as Claude tools: a JSON schema from type hints and the docstring, and safe execution.

`Tool.from_function(fn)` describes a function or says clearly why it cannot. `Tool.run(input)` validates the
input against the signature, runs the function under a timeout (a plain one in a worker thread, so the kernel
stays responsive; an async one on the loop that was running where the tool was described, the kernel's in a
notebook, since whatever it awaits may belong to that loop), and turns the outcome into a tool result: an
exception becomes an error result that Claude can read, never a crash of the stream.
"""

from __future__ import annotations

import asyncio
import inspect
import json
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, get_type_hints

import docstring_parser
import pydantic


class ToolDefinitionError(TypeError):
    """A function cannot be offered to Claude as a tool (the message says why and how to fix it)."""


@dataclass(frozen=True)
class ToolOutcome:
    content: str
    is_error: bool = False
    blocks: tuple[dict[str, Any], ...] = ()  # content blocks besides the text (a figure's image)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    input_schema: dict[str, Any]
    function: Callable[..., Any]
    arguments: type[pydantic.BaseModel]
    home: asyncio.AbstractEventLoop | None = field(default_factory=_running_loop)  # where an async tool runs
    # Whether each call waits for the user's word (Run or Skip) before it runs: None, never; else asked before each
    # call, and what it returns is why nobody can be asked (a headless run), in which case the call is declined.
    asks: Callable[[], str | None] | None = None

    @classmethod
    def from_function(cls, function: Callable[..., Any]) -> Tool:
        name = getattr(function, "__name__", "")
        if not callable(function) or not name.isidentifier() or name == "<lambda>":
            raise ToolDefinitionError(f"{function!r} is not a named function; tools must be plain `def` functions")
        docs = docstring_parser.parse(inspect.getdoc(function) or "")
        description = "\n\n".join(p for p in (docs.short_description, docs.long_description) if p)
        if not description:
            raise ToolDefinitionError(f"{name}() has no docstring: Claude needs one to know when to use the tool")
        try:
            hints = get_type_hints(function)
        except Exception as exc:
            raise ToolDefinitionError(f"{name}(): cannot resolve its type hints ({exc})") from exc
        param_docs = {p.arg_name: p.description for p in docs.params}
        fields: dict[str, Any] = {}
        for param in inspect.signature(function).parameters.values():
            if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
                raise ToolDefinitionError(f"{name}(): *{param.name} arguments cannot be described to Claude")
            if param.name not in hints:
                raise ToolDefinitionError(f"{name}(): parameter {param.name!r} needs a type hint")
            default = ... if param.default is param.empty else param.default
            fields[param.name] = (hints[param.name], pydantic.Field(default, description=param_docs.get(param.name)))
        try:
            arguments = pydantic.create_model(f"{name}_input", **fields)
            schema = arguments.model_json_schema()
        except Exception as exc:
            raise ToolDefinitionError(f"{name}(): a parameter type cannot be described as JSON ({exc})") from exc
        return cls(name, description, _without_titles(schema), function, arguments)

    def definition(self) -> dict[str, Any]:
        """The tool as the Messages API expects it."""
        return {"name": self.name, "description": self.description, "input_schema": self.input_schema}

    async def run(self, tool_input: Any, timeout: float) -> ToolOutcome:
        try:
            arguments = self.arguments.model_validate(tool_input)
        except pydantic.ValidationError as exc:
            return ToolOutcome(f"Invalid input for {self.name}: {exc.errors(include_url=False)}", is_error=True)
        kwargs = {field: getattr(arguments, field) for field in type(arguments).model_fields}
        try:
            if inspect.iscoroutinefunction(self.function):
                result = await asyncio.wait_for(self._at_home(self.function(**kwargs)), timeout)
            else:
                # A sync function cannot be interrupted: on a timeout or a Stop it finishes in its thread,
                # and its result is discarded.
                result = await asyncio.wait_for(asyncio.to_thread(self.function, **kwargs), timeout)
        except TimeoutError:
            return ToolOutcome(f"{self.name} did not finish within {timeout:g} s", is_error=True)
        except Exception as exc:
            return ToolOutcome(f"{type(exc).__name__}: {exc}", is_error=True)
        return result if isinstance(result, ToolOutcome) else ToolOutcome(_as_text(result))

    def _at_home(self, call: Coroutine[Any, Any, Any]) -> Awaitable[Any]:
        """`call`, run on the tool's home loop if that is another one and still running (a timeout or a Stop
        cancels it there)."""
        home = self.home
        if home is None or not home.is_running() or home is asyncio.get_running_loop():
            return call
        return asyncio.wrap_future(asyncio.run_coroutine_threadsafe(call, home))


def tools_from(functions: list[Callable[..., Any]] | None) -> dict[str, Tool]:
    tools = [Tool.from_function(f) for f in functions or []]
    names = [t.name for t in tools]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise ToolDefinitionError(f"two tools share the name {sorted(duplicates)[0]!r}")
    return {t.name: t for t in tools}


def _as_text(result: Any) -> str:
    if isinstance(result, str):
        return result
    try:
        return json.dumps(result, default=str, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(result)


def _without_titles(schema: Any) -> Any:
    # pydantic adds a "title" to every property; Claude does not need them.
    if isinstance(schema, dict):
        return {k: _without_titles(v) for k, v in schema.items() if k != "title"}
    if isinstance(schema, list):
        return [_without_titles(v) for v in schema]
    return schema

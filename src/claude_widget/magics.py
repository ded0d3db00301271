"""`%load_ext claude_widget`: the `%%claude` cell magic, the `%claude` line magic, and `%claude_code`, which puts a
code block of the last answer into a new cell.

Named chats live in the user's namespace, so `%%claude -c review` continues the conversation held in the
variable `review` (created on first use), and `review.history` is right there to inspect.
"""

from __future__ import annotations

from typing import Any

from IPython.core.magic import Magics, line_cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring

from .api.models import DEFAULT_MODEL, EFFORTS
from .chat import Chat, last_answer
from .context.attachments import Named
from .engine.errors import MissingAPIKeyError
from .widget.chat_widget import ChatWidget

DEFAULT_CHAT = "_claude_chat"


@magics_class
class ClaudeMagics(Magics):
    @magic_arguments()
    @argument("-m", "--model", default=None, help=f"model name (default: {DEFAULT_MODEL})")
    @argument("-s", "--system", default=None, help="system prompt (quote it if it has spaces)")
    @argument("-t", "--max-tokens", type=int, default=None,
              help="maximum output tokens, thinking included (default: what fits the model)")  # fmt: skip
    @argument("-e", "--effort", default=None, choices=EFFORTS,
              help="how hard Claude works on this question: low … max (default: the model's)")  # fmt: skip
    @argument("-c", "--chat", default=None,
              help="name of a chat to continue; created on first use and kept as a variable of that name")  # fmt: skip
    @argument("--offline", action="store_true", help="stream from the built-in fake server, no API key needed")
    @argument("-w", "--with", dest="objects", default=None, metavar="NAMES",
              help="kernel variables to ask about, comma-separated (e.g. df,fig): sent with the prompt")  # fmt: skip
    @argument("prompt", nargs="*", help="the prompt (line magic); with %%%%claude the cell body is the prompt")
    @line_cell_magic
    def claude(self, line: str, cell: str | None = None) -> ChatWidget:
        """Ask Claude and stream the answer into the cell's output.

        Usage::

            %%claude [-m MODEL] [-s SYSTEM] [-t MAX_TOKENS] [-e EFFORT] [-c CHAT] [--offline] [--with df,fig]
            Your prompt, on as many lines as you like.

            %claude [options] your prompt on one line

        Without ``-c`` every magic call continues one default conversation; ``-c NAME`` keeps a separate one in
        the variable ``NAME`` (a ``claude_widget.Chat``). Options given when a chat is created (model, system
        prompt, max tokens) stay with it; ``-e`` is this question's effort. ``--with df,fig`` sends those kernel
        variables with the prompt, as ``chat.send(prompt, df, fig)`` would. The API key comes from
        ``ANTHROPIC_API_KEY``.
        """
        args = parse_argstring(self.claude, line)
        prompt = cell if cell is not None else " ".join(args.prompt)
        if cell is not None and args.prompt:
            prompt = " ".join(args.prompt) + "\n" + cell
        if not prompt.strip():
            raise ValueError("nothing to ask: put the prompt after %claude, or in the cell body of %%claude")
        objects = self._objects(args.objects)
        chat = self._chat(args)
        return chat._ask(prompt, tuple(objects), None, args.effort, "magic")

    @line_magic
    def claude_code(self, line: str) -> None:
        """Put a code block of the last answer into a new cell below this one.

        Usage::

            %claude_code      the answer's only code block, or its first (and says how many there are)
            %claude_code N    its N-th code block (1 is the first; -1 the last)
        """
        answer = last_answer()
        if answer is None:
            raise ValueError("no answer yet: ask with chat.send(...) or %%claude first")
        blocks = answer.code_blocks
        if not blocks:
            raise ValueError("the last answer has no code block")
        argument = line.strip()
        if argument and not argument.lstrip("-").isdigit():
            raise ValueError(f"%claude_code takes a block number, got {argument!r}")
        number = int(argument) if argument else 1
        if number == 0 or abs(number) > len(blocks):
            raise IndexError(f"the last answer has {len(blocks)} code block{'s' if len(blocks) != 1 else ''};"
                             f" ask for 1 to {len(blocks)} (or -1 for the last)")  # fmt: skip
        if self.shell is not None:
            self.shell.set_next_input(blocks[number - 1 if number > 0 else number].code, replace=False)
        if not argument and len(blocks) > 1:
            print(f"The first of {len(blocks)} code blocks; %claude_code 2 for the next.")

    def _objects(self, names: str | None) -> list[Named]:
        """The variables `--with` names, in order, each with its name (which the summary of a table gives)."""
        namespace = self.shell.user_ns if self.shell is not None else {}
        found = []
        for name in (n.strip() for n in (names or "").split(",")):
            if not name:
                continue
            if name not in namespace:
                raise NameError(f"--with {name}: no variable named {name!r} in the kernel")
            found.append(Named(namespace[name], name))
        return found

    def _chat(self, args: Any) -> Chat:
        namespace = self.shell.user_ns if self.shell is not None else {}
        name = args.chat or DEFAULT_CHAT
        if not name.isidentifier():
            raise ValueError(f"-c needs a Python identifier, got {name!r}")
        existing = namespace.get(name)
        if isinstance(existing, Chat):
            return existing
        if existing is not None:
            raise ValueError(f"{name!r} already names a {type(existing).__name__}, not a Chat: choose another -c name")
        options: dict[str, Any] = {"offline": args.offline}
        if args.model:
            options["model"] = args.model
        if args.system:
            options["system"] = _unquote(args.system)
        if args.max_tokens:
            options["max_tokens"] = args.max_tokens
        try:
            chat = Chat(**options)
        except MissingAPIKeyError:
            raise MissingAPIKeyError(
                "No Anthropic API key: set one in this notebook with %env ANTHROPIC_API_KEY=sk-ant-..., or add "
                "--offline to stream canned answers from the built-in fake server."
            ) from None
        namespace[name] = chat
        return chat


def _unquote(value: str) -> str:
    # IPython's argument splitter keeps the quotes around a quoted value.
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value

"""The README's install path, as a user takes it: scripts/build.sh makes a wheel, and `pip install` of it into a
fresh virtualenv (nothing of the repository's .venv) gives a package that imports, a JupyterLab extension that
JupyterLab lists as enabled and OK, and a `Chat` that answers offline in a plain script.

The virtualenv, with the wheel's dependencies and JupyterLab, is made once per constraints.txt and pyproject.toml
(.venv/fresh-install/<their hash>, installed by uv as scripts/setup.sh installs .venv); the wheel is uninstalled from it
and installed again by pip, as a user would, on every run.
"""

from __future__ import annotations

import atexit
import fcntl
import functools
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

pytestmark = pytest.mark.build

ROOT = Path(__file__).resolve().parents[1]
ANSI = re.compile(r"\x1b\[[0-9;]*m")
CACHE = ROOT / ".venv" / "fresh-install"


def run(*command: str | Path, env: dict[str, str], cwd: Path) -> str:
    """Run a command; return what it printed (stdout and stderr), failing the test with it if the command fails."""
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=300)
    printed = ANSI.sub("", done.stdout + done.stderr)
    assert done.returncode == 0, f"{command} exited {done.returncode}:\n{printed[-3000:]}"
    return printed


@functools.cache
def built_wheel() -> Path:
    """The wheel scripts/build.sh makes, built once per test run: tests/test_packaging.py reads it, `installed_wheel`
    installs it. scripts/test.sh has its build reuse the front end scripts/setup.sh built in the same run
    (HATCH_JUPYTER_BUILDER_SKIP_NPM=1): the front end is built once per run."""
    out = Path(tempfile.mkdtemp(prefix="claude-widget-dist-"))
    atexit.register(shutil.rmtree, out, ignore_errors=True)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")} | {"PYTHON": sys.executable}
    printed = run(ROOT / "scripts" / "build.sh", out, env=env, cwd=out)
    [wheel] = out.glob("claude_widget-*.whl")
    assert wheel.name in printed
    return wheel


@contextmanager
def installed_wheel(tmp_path: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    """Build the wheel with scripts/build.sh and install it into the fresh virtualenv; yield that virtualenv and a
    user's environment variables for running its commands. Nobody else uses the virtualenv until the block ends."""
    # A user's environment: no PYTHONPATH, no active virtualenv, no key, and Jupyter's own directories empty, so
    # only what the wheel installed can be found.
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "JPY_SESSION_NAME")
           and not k.startswith("JUPYTER")}  # fmt: skip
    env |= {"JUPYTER_CONFIG_DIR": str(tmp_path / "jupyter-config"), "JUPYTER_DATA_DIR": str(tmp_path / "jupyter-data")}
    wheel = built_wheel()

    key = hashlib.sha256((ROOT / "constraints.txt").read_bytes() + (ROOT / "pyproject.toml").read_bytes())
    venv = CACHE / key.hexdigest()[:16]
    python = venv / "bin" / "python"
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one run at a time uses it (helpers and CI may share a checkout)
        if not (venv / "ready").exists():
            for old in CACHE.iterdir():
                if old.is_dir():
                    shutil.rmtree(old)
            run(sys.executable, "-m", "venv", venv, env=env, cwd=tmp_path)
            # The versions the tests passed on, as scripts/setup.sh installs them; JupyterLab to list the extension.
            uv = Path(sys.executable).with_name("uv")
            run(uv, "pip", "install", "--quiet", "--python", python, "--constraint", ROOT / "constraints.txt", wheel,
                "jupyterlab", env=env, cwd=tmp_path)  # fmt: skip
            (venv / "ready").touch()
        run(python, "-m", "pip", "uninstall", "--yes", "claude-widget", env=env, cwd=tmp_path)
        assert not (venv / "share" / "jupyter" / "labextensions" / "claude-widget").exists()
        run(python, "-m", "pip", "install", "--quiet", "--constraint", ROOT / "constraints.txt", wheel,
            env=env, cwd=tmp_path)  # fmt: skip
        yield venv, env


def test_the_wheel_installs_into_a_fresh_virtualenv_with_its_labextension(tmp_path: Path) -> None:
    with installed_wheel(tmp_path) as (venv, env):
        check_the_install(venv, env, tmp_path)


def check_the_install(venv: Path, env: dict[str, str], tmp_path: Path) -> None:
    python = venv / "bin" / "python"
    where = run(python, "-c", "import claude_widget; print(claude_widget.__file__)", env=env, cwd=tmp_path)
    assert where.strip().startswith(str(venv / "lib")), where  # the wheel's copy, not the repository's src/

    listed = run(venv / "bin" / "jupyter", "labextension", "list", env=env, cwd=tmp_path)
    assert str(venv / "share" / "jupyter" / "labextensions") in listed
    assert re.search(r"claude-widget v\d+\.\d+\.\d+\S* enabled OK \(python, claude-widget\)", listed), listed

    script = tmp_path / "ask.py"
    script.write_text(
        "from claude_widget import Chat\n"
        "w = Chat(offline=True).send('hi')\n"
        "text = w.wait()\n"
        "print(w.status, len(text) > 100, 'Offline demo' in text)\n"
    )
    said = run(python, script, env=env, cwd=tmp_path)
    assert said.strip().splitlines()[-1] == "done True True", said

"""The SDK the tests ran on: the one asked for, and inside the range pyproject.toml claims.

scripts/test.sh runs the engine's fault, error and continuation tests, this file among them, on the oldest and the
newest anthropic the package allows (installed by scripts/setup.sh into .venv/sdks/<version>, put first on
PYTHONPATH) as well as on the one in .venv (pinned by constraints.txt).
"""

from __future__ import annotations

import os
import tomllib
from importlib import metadata
from pathlib import Path

import anthropic
from packaging.requirements import Requirement
from packaging.version import Version

from .conftest import EXPECT_ANTHROPIC

ROOT = Path(__file__).resolve().parent.parent


def test_the_sdk_loaded_is_the_one_asked_for() -> None:
    expected = os.environ.get(EXPECT_ANTHROPIC) or metadata.version("anthropic")
    assert anthropic.__version__ == expected
    if os.environ.get(EXPECT_ANTHROPIC):
        assert Path(anthropic.__file__).parent.parent.name == expected  # .venv/sdks/<version>/anthropic


def test_the_sdk_is_in_the_range_the_package_claims() -> None:
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    [requirement] = [Requirement(d) for d in dependencies if Requirement(d).name == "anthropic"]
    assert Version(anthropic.__version__) in requirement.specifier, requirement

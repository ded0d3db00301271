#!/usr/bin/env bash
# Refreshes constraints.txt: the exact version of every package the "test" extra installs (the "lab" extra's are
# among them), as a fresh, unconstrained install of this package resolves them today. scripts/setup.sh installs with
# `--constraint constraints.txt`, so a fresh clone gets what the tests passed on; the anthropic pinned here is also the
# newest SDK that scripts/test.sh runs the engine's tests on. After it: scripts/test.sh, then commit constraints.txt.
# To take a newer anthropic, raise the upper bound of its range in pyproject.toml first.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v npm >/dev/null || { echo "npm (Node.js 18+) is needed to build the front end" >&2; exit 1; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
"${PYTHON:-python3}" -m venv "$scratch/venv"
"$scratch/venv/bin/python" -m pip install --quiet --upgrade pip
"$scratch/venv/bin/python" -m pip install --quiet ".[test]"
{
  echo "# The exact versions that scripts/setup.sh installs (uv pip --constraint), for the \"lab\" and \"test\" extras."
  echo "# Made by scripts/lock.sh with $("$scratch/venv/bin/python" --version) on $(date -u +%Y-%m-%d); refresh it with that script."
  "$scratch/venv/bin/python" -m pip freeze --exclude claude-widget
} > "$scratch/constraints.txt"
mv "$scratch/constraints.txt" constraints.txt
echo "constraints.txt: $(grep -c '==' constraints.txt) packages, $(grep '^anthropic==' constraints.txt)"

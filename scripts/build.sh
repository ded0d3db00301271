#!/usr/bin/env bash
# Builds the wheel into dist/ (or the directory given): the Python package with the widget's front end bundled in it
# (claude_widget/static) and the JupyterLab / Notebook 7 extension (share/jupyter/labextensions/claude-widget),
# both built from js/ with npm by the build backend (pyproject.toml). The wheel installs into any environment with
# Python 3.11+, and no Node.js there:  pip install dist/claude_widget-*.whl
set -euo pipefail
cd "$(dirname "$0")/.."

command -v npm >/dev/null || { echo "npm (Node.js 18+) is needed to build the front end" >&2; exit 1; }
out=${1:-dist}
mkdir -p "$out"
rm -f "$out"/claude_widget-*.whl
"${PYTHON:-python3}" -m pip wheel --no-deps --quiet --wheel-dir "$out" .
ls "$out"/claude_widget-*.whl

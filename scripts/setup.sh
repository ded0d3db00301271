#!/usr/bin/env bash
# Installs what the demo ("lab") or the test suite ("test") needs: a virtualenv in .venv with this package
# installed in editable mode. Installing builds the front-end bundle from js/ with npm and esbuild.
set -euo pipefail
cd "$(dirname "$0")/.."
extra=${1:-lab}

command -v npm >/dev/null || { echo "npm (Node.js 18+) is needed to build the front end" >&2; exit 1; }
[ -x .venv/bin/python ] || "${PYTHON:-python3}" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet --editable ".[$extra]"

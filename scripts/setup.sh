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
if [ "$extra" = test ]; then
  # Older kernels beside the one in .venv, for the tests of Stop while a cell blocks (tests/browser/test_busy_kernel.py):
  # each in a directory of its own, put first on the kernel's PYTHONPATH by a kernelspec the test writes.
  for version in 6.31.0 7.0.1; do
    target=.venv/ipykernels/$version
    [ -d "$target/ipykernel" ] || .venv/bin/python -m pip install --quiet --no-deps --target "$target" "ipykernel==$version"
  done
fi

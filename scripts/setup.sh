#!/usr/bin/env bash
# Installs what the demo ("lab") or the test suite ("test") needs: a virtualenv in .venv with this package
# installed in editable mode. Installing builds the front-end bundle from js/ with npm and esbuild.
set -euo pipefail
cd "$(dirname "$0")/.."
extra=${1:-lab}

command -v npm >/dev/null || { echo "npm (Node.js 18+) is needed to build the front end" >&2; exit 1; }
[ -x .venv/bin/python ] || "${PYTHON:-python3}" -m venv .venv
# uv installs what pip would, in a third of the time (20 s, not 61 s, for a fresh .venv here).
[ "$(.venv/bin/uv --version 2>/dev/null)" = "uv 0.13.10" ] || .venv/bin/python -m pip install --quiet uv==0.13.10
# Compiled to bytecode as it installs (pip does that, uv does not by default): else every new Python process, each
# kernel among them, compiles what it imports again (1.5 s more to start a kernel here).
install() { .venv/bin/uv pip install --quiet --compile-bytecode --python .venv/bin/python "$@"; }
# The versions the tests passed on (constraints.txt, refreshed by scripts/lock.sh), so a fresh clone installs those.
install --constraint constraints.txt --editable ".[$extra]"
if [ "$extra" = test ]; then
  # The oldest and the newest anthropic SDK the package allows (pyproject.toml; the newest as pinned in
  # constraints.txt), for scripts/test.sh to run the engine's tests on each, put first on PYTHONPATH. Both take the
  # httpx2 in .venv (every anthropic 2.x asks for httpx2>=2,<3). A version no longer listed is removed.
  sdks="2.15.0 $(sed -n 's/^anthropic==//p' constraints.txt)"
  mkdir -p .venv/sdks
  shopt -s nullglob
  for target in .venv/sdks/*/; do
    [[ " $sdks " == *" $(basename "$target") "* ]] || rm -rf "$target"
  done
  for version in $sdks; do
    target=.venv/sdks/$version
    [ -d "$target/anthropic" ] || install --no-deps --target "$target" "anthropic==$version"
  done
  # Older kernels beside the one in .venv, for the tests of Stop while a cell blocks (tests/browser/test_busy_kernel.py):
  # each in a directory of its own, put first on the kernel's PYTHONPATH by a kernelspec the test writes.
  for version in 6.31.0 7.0.1; do
    target=.venv/ipykernels/$version
    [ -d "$target/ipykernel" ] || install --no-deps --target "$target" "ipykernel==$version"
  done
fi

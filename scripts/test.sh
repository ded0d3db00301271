#!/usr/bin/env bash
# Runs every test: lint and type checks, the front end's unit tests, then pytest (Python tests, real-browser tests in
# JupyterLab + Chromium, and every notebook under nbval), all against the built-in fake Anthropic server.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
# `scripts/test.sh fast [pytest args]`: the fast tier alone, a verdict while working (no browser, no kernels, no
# builds, nothing that needs minutes of real time: see the markers in pyproject.toml). The whole command below is
# what gates a change.
if [ "${1:-}" = fast ]; then
  shift
  exec env -u ANTHROPIC_API_KEY -u ANTHROPIC_BASE_URL .venv/bin/python -m pytest -q \
    -m "not browser and not kernel and not build and not slow" tests "$@"
fi
scripts/install-chromium.sh

.venv/bin/ruff check src tests bench
.venv/bin/ruff format --check src tests bench
.venv/bin/mypy  # strict, on src/claude_widget (pyproject.toml)
(cd js && npm install --silent --no-audit --no-fund && npm run --silent typecheck && npm test --silent)
# The engine's fault, error and continuation tests on the oldest and the newest anthropic SDK the package allows
# (.venv/sdks/<version>, from scripts/setup.sh), each put first on PYTHONPATH; the session checks it loaded that one.
sdk_tests=(tests/test_sdk_versions.py tests/test_errors.py tests/test_fake_server.py tests/test_faults.py
           tests/test_fault_injection.py tests/test_stream_manager.py tests/test_continuation.py tests/test_seam.py
           tests/test_watchdog.py tests/test_rate_limits.py tests/test_batches_api.py
           # minutes of real time, for the watchdog rather than the SDK: the main run has them
           -m "not slow")
for sdk in .venv/sdks/*/; do
  version=$(basename "$sdk")
  echo "anthropic $version"
  env -u ANTHROPIC_API_KEY -u ANTHROPIC_BASE_URL CLAUDE_WIDGET_EXPECT_ANTHROPIC="$version" \
    PYTHONPATH="$PWD/$sdk${PYTHONPATH:+:$PYTHONPATH}" .venv/bin/python -m pytest -q "${sdk_tests[@]}"
done
# Never the real API: the notebooks must take their offline path.
env -u ANTHROPIC_API_KEY -u ANTHROPIC_BASE_URL .venv/bin/python -m pytest "$@"

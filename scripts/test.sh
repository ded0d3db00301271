#!/usr/bin/env bash
# Runs every test: lint and type checks, the front end's unit tests, and pytest (Python tests, real-browser tests in
# JupyterLab + Chromium, and every notebook under nbval), all against the built-in fake Anthropic server.
set -euo pipefail
cd "$(dirname "$0")/.."
# Python may keep the bytecode it compiles (some machines say otherwise in their environment): the tests start a
# hundred kernels, servers and workers, and each would compile the package and the test modules again.
unset PYTHONDONTWRITEBYTECODE
# Set up (install, build the front end) once for what pyproject.toml and constraints.txt say; the full run always
# does, the fast tier only when they changed since (its tests read the Python sources, installed editable).
setup_stamp=.venv/.setup-test
setup_wanted=$(cat pyproject.toml constraints.txt | sha256sum | cut -c1-16)
if [ "${1:-}" != fast ] || [ "$(cat "$setup_stamp" 2>/dev/null)" != "$setup_wanted" ]; then
  scripts/setup.sh test
  echo "$setup_wanted" > "$setup_stamp"
fi
# `scripts/test.sh fast [pytest args]`: the fast tier alone, a verdict while working (no browser, no kernels, no
# builds, nothing that needs minutes of real time: see the markers in pyproject.toml), on two workers: its tests
# mostly wait on loopback streams, each on a server of its own (port 0). The whole command below gates a change.
if [ "${1:-}" = fast ]; then
  shift
  exec env -u ANTHROPIC_API_KEY -u ANTHROPIC_BASE_URL .venv/bin/python -m pytest -q -n 2 \
    -m "not browser and not kernel and not build and not slow" tests "$@"
fi
scripts/install-chromium.sh

.venv/bin/ruff check src tests bench
.venv/bin/ruff format --check src tests bench
# The checks that need no browser, beside the tests below (which mostly wait on a browser, a kernel or a stream, and
# leave a core half idle): mypy, the front end's types and unit tests, and the engine's fault, error and continuation
# tests on the oldest anthropic SDK the package allows (.venv/sdks/<version>, from scripts/setup.sh, put first on
# PYTHONPATH; the session checks it loaded that one). The tests below are on the installed one (constraints.txt: the
# newest), which needs no run of its own.
sdk_tests=(tests/test_sdk_versions.py tests/test_errors.py tests/test_fake_server.py tests/test_faults.py
           tests/test_fault_injection.py tests/test_stream_manager.py tests/test_continuation.py tests/test_seam.py
           tests/test_watchdog.py tests/test_rate_limits.py tests/test_batches_api.py
           # minutes of real time, for the watchdog rather than the SDK: the main run has them
           -m "not slow")
sdk_run() {  # the tests above on the SDK in $1 (.venv/sdks/<version>/)
  echo "anthropic $(basename "$1")"
  env -u ANTHROPIC_API_KEY -u ANTHROPIC_BASE_URL CLAUDE_WIDGET_EXPECT_ANTHROPIC="$(basename "$1")" \
    PYTHONPATH="$PWD/$1${PYTHONPATH:+:$PYTHONPATH}" .venv/bin/python -m pytest -q "${sdk_tests[@]}"
}
installed=$(.venv/bin/python -c "import anthropic; print(anthropic.__version__)")
checks() {  # the type checkers at a lower priority: they wait on nothing, and the tests beside them do
  nice .venv/bin/mypy  # strict, on src/claude_widget (pyproject.toml)
  (cd js && npm install --silent --no-audit --no-fund && nice npm run --silent typecheck && npm test --silent)
  for sdk in .venv/sdks/*/; do
    if [ "$(basename "$sdk")" != "$installed" ]; then sdk_run "$sdk"; fi
  done
}
# Never the real API: the notebooks must take their offline path. The wheel the build tests make (once:
# tests/test_install.py, built_wheel) carries the front end scripts/setup.sh built above, not a second npm build.
pytest=(env -u ANTHROPIC_API_KEY -u ANTHROPIC_BASE_URL HATCH_JUPYTER_BUILDER_SKIP_NPM=1 .venv/bin/python -m pytest)
if [ $# -gt 0 ]; then
  checks
  exec "${pytest[@]}" "$@"  # what was asked for, as asked
fi
# Everything but the build tier and the slow tests on WORKERS (2) workers, a test file each at a time (a file's tests
# share its kernels and servers; each worker has its own Jupyter server and Chromium). Beside them, each printed when it
# ends: the checks above; the build tier (its tests share one wheel and one fresh virtualenv, made once); the slow tests
# (minutes of real time spent waiting on a timeout, which would hold a worker and leave its core idle). The run is bound
# by the two cores (about 9.5 minutes from a clean clone): with every test timed, two workers kept them 80-85% busy
# (10 min 55 s); three kept them 97-99% busy and took 9 min 57 s, but each test ran up to 2.5 times as long, and each
# of two such runs failed a test that a loaded machine delays (WORKERS=3 to try). The slowest tests are listed, to
# keep the run's time in view.
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
checks > "$logs/checks" 2>&1 &
checks_pid=$!
"${pytest[@]}" -m build > "$logs/build" 2>&1 &
build_pid=$!
"${pytest[@]}" -m "slow and not build" > "$logs/slow" 2>&1 &
slow_pid=$!
failed=0
"${pytest[@]}" -n "${WORKERS:-2}" --dist loadfile -m "not build and not slow" --durations=25 || failed=1
echo "== the checks: mypy, tsc, node tests, the oldest SDK"
wait "$checks_pid" || failed=1
cat "$logs/checks"
echo "== the build tier"
wait "$build_pid" || failed=1
cat "$logs/build"
echo "== the slow tests"
wait "$slow_pid" || failed=1
cat "$logs/slow"
exit "$failed"

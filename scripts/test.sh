#!/usr/bin/env bash
# Runs every test: lint and type checks, the front end's unit tests, then pytest (Python tests, real-browser tests in
# JupyterLab + Chromium, and every notebook under nbval), all against the built-in fake Anthropic server.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
scripts/install-chromium.sh

.venv/bin/ruff check src tests bench
.venv/bin/ruff format --check src tests bench
.venv/bin/mypy  # strict, on src/claude_widget (pyproject.toml)
(cd js && npm install --silent --no-audit --no-fund && npm run --silent typecheck && npm test --silent)
# Never the real API: the notebooks must take their offline path.
env -u ANTHROPIC_API_KEY -u ANTHROPIC_BASE_URL .venv/bin/python -m pytest "$@"

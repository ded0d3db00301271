#!/usr/bin/env bash
# Opens the quickstart notebook in JupyterLab. Without ANTHROPIC_API_KEY it streams offline from the
# built-in fake server; with a key, from Claude.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh lab
if [ -z "${ANTHROPIC_API_KEY:-}" ]; then
  echo "No ANTHROPIC_API_KEY is set: the demo streams offline from claude-widget's built-in fake server."
else
  echo "ANTHROPIC_API_KEY is set: the demo talks to Claude."
fi
args=()
[ "$(id -u)" = 0 ] && args+=(--allow-root)
exec .venv/bin/jupyter lab "${args[@]}" "$@" notebooks/quickstart.ipynb

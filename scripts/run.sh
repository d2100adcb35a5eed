#!/usr/bin/env bash
# The main job: set up, ingest corpus/, then start the chat UI (http://127.0.0.1:7860).
# --local-llm: also set up the local model (scripts/setup-local-llm.sh) and answer with it.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--local-llm" ]; then
  shift
  scripts/setup.sh
  scripts/setup-local-llm.sh
  export QA_LLM=local
else
  scripts/setup.sh
fi
# the embedding model and the answer selector on ONNX Runtime: exported once from their verified
# weights (each export sha256-pinned), so no question imports torch
.venv/bin/python -m qa.onnx_export >/dev/null
.venv/bin/qa ingest corpus
if .venv/bin/qa ui --help >/dev/null 2>&1; then
  exec .venv/bin/qa ui "$@"
fi
.venv/bin/qa ask "How much working capital did Wogen provide to Magrathea?"

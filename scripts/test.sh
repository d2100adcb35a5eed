#!/usr/bin/env bash
# Set up with test extras (plus Debian's chromium and CJK fonts for the browser tests, llama.cpp
# and SmolLM2 for the LLM tests) and run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
# the LLM-path tests run against a real llama.cpp server: the runtime (built once per machine,
# then reused from qa's wheelhouse) and the small SmolLM2-135M model, hash-pinned and verified
scripts/setup-local-llm.sh smollm2-135m
if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -q "Noto Sans CJK"; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
    chromium chromium-driver fonts-noto-cjk >/dev/null
fi
.venv/bin/ruff check qa ui tests eval
.venv/bin/mypy
exec .venv/bin/python -m pytest "$@"

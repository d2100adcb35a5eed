#!/usr/bin/env bash
# Generality check: the eval suite on XQuAD (English), 48 Wikipedia articles, 1,190 questions.
# Not part of the default test run (it takes several minutes). The file is never copied
# into the repo: its documents are built under $QA_HOME/eval-docs/ and ingested into the
# collection eval-xquad-en-<hash>.
# Usage: eval/bench_xquad.sh [path/to/xquad.en.json] [extra qa eval options]
set -euo pipefail
cd "$(dirname "$0")/.."
xquad="${1:-../shared/benchmarks/xquad-en/xquad.en.json}"
shift || true
qa="${QA_BIN:-.venv/bin/qa}"
[ -x "$qa" ] || qa="python -m qa"
exec $qa eval --set "$xquad" --baselines --out "eval/runs/xquad-$(date +%Y%m%d-%H%M%S)" "$@"

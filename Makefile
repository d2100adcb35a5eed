.PHONY: run test lint bench
run:
	bash scripts/run.sh
test:
	bash scripts/test.sh
lint:
	.venv/bin/ruff check qa ui tests eval && .venv/bin/mypy
bench:
	.venv/bin/python tests/bench/bench_core.py

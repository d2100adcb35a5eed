"""Module boundaries: answerers read passages, not the store; the pipeline loads no reader."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT
from tests.test_answer import WOGEN

FORBIDDEN = ("qa.store", "qa.retrieval", "chromadb")


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def test_no_answerer_imports_the_store_retrieval_or_chroma() -> None:
    for path in sorted((ROOT / "qa" / "answer").glob("*.py")):
        bad = [n for n in _imports(path) if n.startswith(FORBIDDEN) or n == "qa.store"]
        assert not bad, f"{path.name} imports {bad}"


def test_importing_the_pipeline_loads_no_reader_and_no_heavy_library() -> None:
    code = (
        "import sys, qa.pipeline\n"
        "mods = ('qa.answer.extractive', 'qa.answer.selector', 'qa.answer.token_match', "
        "'qa.answer.answer_types', 'qa.answer.llm', 'qa.ingest', 'qa.retrieval', 'bm25s', "
        "'scipy', 'torch', 'chromadb', 'openai')\n"
        "print('LOADED', [m for m in mods if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert "LOADED []" in out.stdout, out.stdout + out.stderr[-500:]


def test_a_registered_backend_is_one_factory_away(make_qa) -> None:
    from qa.answer import registry
    from qa.answer.base import Answerer, Draft

    seen: list[int] = []

    class Counter(Answerer):
        mode = "count"

        def answer(self, question, passages, query):  # type: ignore[no-untyped-def]
            seen.append(len(passages))
            assert passages[0].sentences and query.vector.shape == (384,)
            return Draft(text=f"{len(passages)} passages")

    registry.register("count", lambda parts: Counter())
    try:
        qa = make_qa(top_k=3)
        qa.ingest()
        assert "count" in registry.modes() and qa.resolve_mode("count") == "count"
        answer = qa.ask(WOGEN, mode="count")
        assert answer.text == "3 passages" and answer.mode == "count" and seen == [3]
    finally:
        registry._registered.pop("count", None)
    assert "count" not in registry.modes()

"""eval/sentence_diff.py: the sentence spans of a folder, and how two dumps differ."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "eval" / "sentence_diff.py"


def _run(*args: str | Path) -> str:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), *map(str, args)], capture_output=True, text=True, check=True
    )
    return done.stdout


def test_a_dump_holds_each_files_sentences_and_compare_names_what_changed(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.md").write_text("# Plant\n\nThe plant cost 48 mln. euro. It opens in May.\n")
    (folder / "notes.xyz").write_text("not a document")
    before = tmp_path / "before.json"
    assert _run("dump", before, folder).strip() == "1 files"
    dumped = json.loads(before.read_text(encoding="utf-8"))
    [(path, (text, spans))] = dumped.items()
    assert path.endswith("a.md")
    assert "It opens in May." in [text[s:e] for s, e in spans]
    assert "0 of 1 documents split differently" in _run("compare", before, before)
    # another build splitting the same text differently: one sentence fewer
    after = tmp_path / "after.json"
    after.write_text(json.dumps({path: [text, spans[:-1]]}), encoding="utf-8")
    out = _run("compare", before, after)
    assert "1 spans gone, 0 new" in out
    assert "1 of 1 documents split differently" in out

"""A QA over a folder of small documents written by the test."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def docs_qa(make_qa: Any, tmp_path: Path, files: dict[str, str]) -> tuple[Any, Path]:
    """A QA (from the ``make_qa`` fixture) over ``tmp_path / "docs"`` holding ``files`` (name
    -> text, UTF-8), ingested; and the folder."""
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    qa = make_qa(corpus_dir=folder)
    qa.ingest([folder])
    return qa, folder

"""Eval sets: questions with accepted answers and gold evidence quotes, loaded from any format.

Three formats are read (``load_set`` tells them apart by their keys):

- ours (``eval/sets/*.json``): ``facts`` with evidence quotes, accepted answers and questions,
  ``multi_hop`` questions that need every one of several quotes, and ``unanswerable`` ones;
- llama-index's ``LabelledRagDataset`` JSON (``examples``), with its source documents folder;
- SQuAD v1.1 JSON (``data[].paragraphs``), one document built per article from its paragraphs.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from qa.errors import InvalidPathError, QAError

__all__ = [
    "SPLITS",
    "EvalQuestion",
    "EvalSet",
    "EvalSetError",
    "Evidence",
    "hash_split",
    "load_set",
    "slug",
]

SPLITS = ("dev", "test", "all")


class EvalSetError(QAError):
    """An eval set file that cannot be read or has the wrong shape."""

    exit_code = 2


@dataclass(frozen=True)
class Evidence:
    """A gold evidence quote; ``doc`` (a file name) and ``start`` pin it when it is known."""

    quote: str
    doc: str | None = None
    start: int | None = None


@dataclass
class EvalQuestion:
    """One question to ask, with what counts as a right answer and as its evidence.

    ``answers`` are accepted strings: any one of them (``answers_mode="any"``) or all of them
    (``"all"``, multi-hop) must appear in the answer. ``reference_answer`` is a free-text answer
    scored by token F1 only (LabelledRagDataset). ``evidence`` items are alternatives
    (``evidence_mode="any"``) or all needed (``"all"``). No answers and no evidence means the
    corpus does not answer the question and the right response is to abstain.
    """

    id: str
    question: str
    category: str
    split: str = "test"
    answers: list[str] = field(default_factory=list)
    answers_mode: Literal["any", "all"] = "any"
    reference_answer: str | None = None
    evidence: list[Evidence] = field(default_factory=list)
    evidence_mode: Literal["any", "all"] = "any"
    style: str = ""
    statement: str = ""

    @property
    def answerable(self) -> bool:
        return bool(self.answers or self.evidence or self.reference_answer)


@dataclass
class EvalSet:
    """Questions plus the documents they are about (files or folders to ingest)."""

    name: str
    questions: list[EvalQuestion]
    documents: list[Path]
    format: str
    description: str = ""

    def select(self, split: str = "all", limit: int | None = None) -> list[EvalQuestion]:
        """The questions of ``split`` ('dev', 'test' or 'all'), at most ``limit`` of them."""
        if split not in SPLITS:
            raise EvalSetError(f"unknown split {split!r}: use one of {', '.join(SPLITS)}")
        chosen = [q for q in self.questions if split == "all" or q.split == split]
        return chosen[:limit] if limit else chosen


def slug(text: str, max_len: int = 48) -> str:
    """A file- and collection-name-safe form of ``text``."""
    s = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()
    return (s or "set")[:max_len].strip("-") or "set"


def hash_split(qid: str, test_share: float = 1 / 3) -> str:
    """A stable dev/test split for sets that have none: by a hash of the question id."""
    bucket = int(hashlib.sha1(qid.encode("utf-8")).hexdigest()[:8], 16) / 0xFFFFFFFF
    return "test" if bucket < test_share else "dev"


def _find_up(start: Path, relative: str) -> Path | None:
    for folder in [start, *start.parents, Path.cwd()]:
        candidate = folder / relative
        if candidate.exists():
            return candidate
    return None


def _load_ours(path: Path, data: dict[str, Any]) -> EvalSet:
    corpus = _find_up(path.parent, str(data.get("corpus", "corpus")))
    if corpus is None:
        raise EvalSetError(f"{path}: corpus folder {data.get('corpus')!r} not found")
    questions: list[EvalQuestion] = []
    for fact in data.get("facts", []):
        evidence = [Evidence(q) for q in fact["evidence"]]
        for q in fact["questions"]:
            questions.append(
                EvalQuestion(
                    id=q["id"],
                    question=q["question"],
                    category=q.get("category", fact["category"]),
                    split=q.get("split", "test"),
                    answers=list(fact["answers"]),
                    evidence=evidence,
                    style=q.get("style", ""),
                    statement=fact.get("statement", ""),
                )
            )
    for item in data.get("multi_hop", []):
        all_of = item.get("answers_all")
        questions.append(
            EvalQuestion(
                id=item["id"],
                question=item["question"],
                category=item.get("category", "multi_hop"),
                split=item.get("split", "test"),
                answers=list(all_of or item.get("answers", [])),
                answers_mode="all" if all_of else "any",
                evidence=[Evidence(q) for q in item["evidence"]],
                evidence_mode="all",
            )
        )
    for item in data.get("unanswerable", []):
        questions.append(
            EvalQuestion(
                id=item["id"],
                question=item["question"],
                category=item.get("category", "unanswerable"),
                split=item.get("split", "test"),
            )
        )
    return EvalSet(
        name=str(data.get("name") or path.stem),
        questions=questions,
        documents=[corpus],
        format="qa",
        description=str(data.get("description", "")),
    )


def load_set(path: str | Path, *, documents: Path | None = None, work_dir: Path) -> EvalSet:
    """Load an eval set in any supported format.

    Args:
        path: the set's JSON file (ours, LabelledRagDataset or SQuAD).
        documents: the source documents folder of a LabelledRagDataset (default:
            ``source_files/`` or ``source_docs/`` beside the JSON).
        work_dir: where documents built from a SQuAD file are written.
    """
    from qa.evaluation.interop import load_labelled_rag, load_squad

    path = Path(path)
    if not path.is_file():
        raise InvalidPathError(f"eval set not found: {path}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EvalSetError(f"cannot read eval set {path}: {exc}") from None
    if not isinstance(data, dict):
        raise EvalSetError(f"{path}: expected a JSON object")
    try:
        if "facts" in data:
            return _load_ours(path, data)
        if "examples" in data:
            return load_labelled_rag(path, data, documents)
        if "data" in data and isinstance(data["data"], list):
            return load_squad(path, data, work_dir)
    except (KeyError, TypeError, ValueError) as exc:
        raise EvalSetError(f"{path}: malformed eval set ({type(exc).__name__}: {exc})") from None
    raise EvalSetError(
        f"{path}: not an eval set (expected 'facts', LabelledRagDataset 'examples' or SQuAD 'data')"
    )

"""Eval sets: questions with accepted answers and gold evidence quotes, loaded from any format.

Three formats are read (``load_set`` tells them apart by their keys):

- ours (``qa/evaluation/sets/*.json``, ``eval/sets/*.json``): ``facts`` with evidence quotes,
  accepted answers and questions,
  ``multi_hop`` questions that need every one of several quotes, and ``unanswerable`` ones;
- llama-index's ``LabelledRagDataset`` JSON (``examples``), with its source documents folder;
- SQuAD v1.1 or v2.0 JSON (``data[].paragraphs``), one document built per article from its
  paragraphs; SQuAD 2.0's ``is_impossible`` questions are unanswerable.

Every format is checked with pydantic models (extra keys are allowed): a malformed set, a
``split`` other than dev/test or a question id used twice is a one-line ``EvalSetError`` naming
the file and the place, e.g. ``set.json: facts[3].answers: Input should be a valid list``.
Questions without a split get a stable one by a hash of their id.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field, ValidationError, model_validator

from qa.errors import InvalidInputError, InvalidPathError, QAError

__all__ = [
    "SPLITS",
    "EvalQuestion",
    "EvalSet",
    "EvalSetError",
    "Evidence",
    "hash_split",
    "load_set",
    "schema_error",
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
    # a published dataset's own baselines (llama datasets' card.json), as read from the card
    published_baselines: list[dict[str, Any]] = field(default_factory=list)
    # what loading found wrong but kept (a SQuAD answer not in its context), one line each,
    # naming the file; `qa eval` prints them on stderr
    warnings: list[str] = field(default_factory=list)

    def select(self, split: str = "all", limit: int | None = None) -> list[EvalQuestion]:
        """The questions of ``split`` ('dev', 'test' or 'all'), at most ``limit`` of them.

        A limit takes an evenly spread sample in set order (every k-th question, k = n / limit,
        the same on every run), so a short run of a slow answerer still covers every part of
        the set (its facts, multi-hop and unanswerable questions) rather than its first fact.
        """
        if split not in SPLITS:
            raise EvalSetError(f"unknown split {split!r}: use one of {', '.join(SPLITS)}")
        chosen = [q for q in self.questions if split == "all" or q.split == split]
        if not limit or limit >= len(chosen):
            return chosen
        return [chosen[i * len(chosen) // limit] for i in range(limit)]


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


def _not_blank(text: str) -> str:
    if not text.strip():
        raise ValueError("must not be empty")
    return text


Text = Annotated[str, AfterValidator(_not_blank)]
"""A string that is not empty or blank."""

Split = Literal["dev", "test"]


class _Question(BaseModel):
    """What every question of our format has."""

    id: Text
    question: Text
    category: str | None = None
    style: str = ""
    split: Split | None = None


class _Fact(BaseModel):
    """A fact: its evidence quotes and accepted answers, and the questions that ask for it."""

    id: Text
    category: Text
    statement: str = ""
    evidence: Annotated[list[Text], Field(min_length=1)]
    answers: Annotated[list[Text], Field(min_length=1)]
    questions: Annotated[list[_Question], Field(min_length=1)]


class _MultiHop(_Question):
    """A question needing every one of its evidence quotes: ``answers`` or ``answers_all``."""

    evidence: Annotated[list[Text], Field(min_length=1)]
    answers: list[Text] = []
    answers_all: list[Text] = []

    @model_validator(mode="after")
    def _has_answers(self) -> _MultiHop:
        if not (self.answers or self.answers_all):
            raise ValueError("needs 'answers' or 'answers_all'")
        return self


class _Unanswerable(_Question):
    """A question the corpus does not answer: it has no evidence and no answers."""

    @model_validator(mode="before")
    @classmethod
    def _no_evidence(cls, data: Any) -> Any:
        if isinstance(data, dict):
            given = [k for k in ("evidence", "answers", "answers_all") if data.get(k)]
            if given:
                raise ValueError(
                    f"an unanswerable question has no {given[0]} (a question the corpus "
                    "answers belongs under a fact)"
                )
        return data


class _OurSet(BaseModel):
    """Our eval-set file (``qa/evaluation/sets/*.json``); extra keys are ignored."""

    name: str | None = None
    description: str | None = ""
    corpus: str = "corpus"
    facts: list[_Fact]
    multi_hop: list[_MultiHop] = []
    unanswerable: list[_Unanswerable] = []

    @model_validator(mode="after")
    def _unique_fact_ids(self) -> _OurSet:
        seen: set[str] = set()
        for fact in self.facts:
            if fact.id in seen:
                raise ValueError(f"duplicate fact id {fact.id!r}")
            seen.add(fact.id)
        return self


def _place(loc: tuple[int | str, ...]) -> str:
    """A pydantic error location as a JSON path: ``facts[3].answers``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out.lstrip(".")


def schema_error(path: Path, exc: ValidationError) -> EvalSetError:
    """The first error of ``exc`` as one line naming the file and the place."""
    errors = exc.errors()
    first = errors[0]
    place = _place(first["loc"])
    msg = first["msg"].removeprefix("Value error, ")
    if first["type"] in ("model_type", "model_attributes_type", "dict_type"):
        msg = "Input should be a JSON object"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return EvalSetError(f"{path}: {place + ': ' if place else ''}{msg}{more}")


def _load_ours(path: Path, data: dict[str, Any]) -> EvalSet:
    try:
        parsed = _OurSet.model_validate(data)
    except ValidationError as exc:
        raise schema_error(path, exc) from None
    corpus = _find_up(path.parent, parsed.corpus)
    if corpus is None:
        raise EvalSetError(f"{path}: corpus folder {parsed.corpus!r} not found")
    questions: list[EvalQuestion] = []
    for fact in parsed.facts:
        evidence = [Evidence(q) for q in fact.evidence]
        for q in fact.questions:
            questions.append(
                EvalQuestion(
                    id=q.id,
                    question=q.question,
                    category=q.category or fact.category,
                    split=q.split or hash_split(q.id),
                    answers=list(fact.answers),
                    evidence=evidence,
                    style=q.style,
                    statement=fact.statement,
                )
            )
    for item in parsed.multi_hop:
        questions.append(
            EvalQuestion(
                id=item.id,
                question=item.question,
                category=item.category or "multi_hop",
                split=item.split or hash_split(item.id),
                answers=list(item.answers_all or item.answers),
                answers_mode="all" if item.answers_all else "any",
                evidence=[Evidence(q) for q in item.evidence],
                evidence_mode="all",
                style=item.style,
            )
        )
    for u in parsed.unanswerable:
        questions.append(
            EvalQuestion(
                id=u.id,
                question=u.question,
                category=u.category or "unanswerable",
                split=u.split or hash_split(u.id),
                style=u.style,
            )
        )
    return EvalSet(
        name=parsed.name or path.stem,
        questions=questions,
        documents=[corpus],
        format="qa",
        description=parsed.description or "",
    )


def _check_unique_ids(path: Path, eval_set: EvalSet) -> EvalSet:
    """``eval_set`` unless two of its questions share an id (runs are compared by id)."""
    counts = Counter(q.id for q in eval_set.questions)
    duplicates = [qid for qid, n in counts.items() if n > 1]
    if duplicates:
        shown = ", ".join(repr(d) for d in duplicates[:5])
        raise EvalSetError(f"{path}: duplicate question id {shown}")
    return eval_set


def load_set(
    path: str | Path, *, documents: Path | None = None, work_dir: Path | None = None
) -> EvalSet:
    """Load an eval set in any supported format.

    Args:
        path: the set's JSON file (ours, LabelledRagDataset or SQuAD).
        documents: the source documents folder of a LabelledRagDataset (default:
            ``source_files/`` or ``source_docs/`` beside the JSON); EvalSetError for a set of
            another format, InvalidPathError when it is not a folder.
        work_dir: where documents built from a SQuAD file are written (default: ``eval-docs``
            under ``QA_HOME``).

    Raises InvalidPathError (no such file), EvalSetError (not a valid set, one line naming
    the file and the place) or InvalidInputError (``path`` not a str or path).
    """
    from qa.evaluation.interop import load_labelled_rag, load_squad

    if not isinstance(path, (str, os.PathLike)):
        raise InvalidInputError(f"the eval set must be a path, not {type(path).__name__}")
    if work_dir is None:
        from qa.config import Settings

        work_dir = Settings().home / "eval-docs"
    path = Path(path)
    if documents is not None and not Path(documents).is_dir():
        raise InvalidPathError(f"documents folder not found: {documents}")
    if path.is_dir():
        raise InvalidPathError(f"{path} is a folder: give the eval set's JSON file")
    if not path.is_file():
        raise InvalidPathError(f"eval set not found: {path}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EvalSetError(f"cannot read eval set {path}: {exc}") from None
    if not isinstance(data, dict):
        raise EvalSetError(f"{path}: expected a JSON object")
    try:
        if documents is not None and "examples" not in data:
            raise EvalSetError(
                f"{path}: documents are given only for a LabelledRagDataset set; this set "
                "names its own (drop --docs)"
            )
        if "facts" in data:
            return _check_unique_ids(path, _load_ours(path, data))
        if "examples" in data:
            return _check_unique_ids(path, load_labelled_rag(path, data, documents))
        if "data" in data and isinstance(data["data"], list):
            return _check_unique_ids(path, load_squad(path, data, work_dir))
    except (KeyError, TypeError, ValueError) as exc:
        raise EvalSetError(f"{path}: malformed eval set ({type(exc).__name__}: {exc})") from None
    raise EvalSetError(
        f"{path}: not an eval set (expected 'facts', LabelledRagDataset 'examples' or SQuAD 'data')"
    )

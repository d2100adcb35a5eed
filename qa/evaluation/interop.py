"""Other eval-set formats: llama-index's LabelledRagDataset (read and write), SQuAD 1.1/2.0 (read).

``LabelledRagDataset`` is read and written as its JSON (``{"examples": [...]}`` with ``query``,
``query_by``, ``reference_contexts``, ``reference_answer``, ``reference_answer_by``), the
layout of a published llama dataset: ``rag_dataset.json`` beside a ``source_files/`` folder.
The class itself left llama-index-core in 0.14 (``llama_index.core.llama_dataset`` is gone),
so the schema is checked here with an equivalent pydantic model. Our own fields ride along as
``qa_*`` keys, which llama-index's model ignores, so an exported set loads back unchanged
(``qa_evidence`` keeps each quote's document and offset). Every format is checked with
pydantic models; a malformed file is a one-line ``EvalSetError``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

from qa.evaluation.sets import (
    EvalQuestion,
    EvalSet,
    EvalSetError,
    Evidence,
    Split,
    Text,
    hash_split,
    schema_error,
    slug,
)

__all__ = [
    "CARD_FILE",
    "LABELLED_RAG_FILE",
    "export_labelled_rag",
    "load_card",
    "load_labelled_rag",
    "load_squad",
]

LABELLED_RAG_FILE = "rag_dataset.json"
CARD_FILE = "card.json"
SOURCE_FOLDERS = ("source_files", "source_docs", "documents")


def _int_to_str(value: object) -> object:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


QuestionId = Annotated[Text, BeforeValidator(_int_to_str)]
"""A question id: a string, or an integer read as one."""


class CreatedBy(BaseModel):
    """Who wrote a query or answer (llama-index ``CreatedBy``)."""

    model_config = ConfigDict(protected_namespaces=())
    model_name: str | None = ""
    type: str = "human"


class LabelledRagExample(BaseModel):
    """One example of a LabelledRagDataset (llama-index ``LabelledRagDataExample``)."""

    model_config = ConfigDict(extra="allow")
    query: str
    query_by: CreatedBy | None = None
    reference_contexts: list[str] | None = None
    reference_answer: str
    reference_answer_by: CreatedBy | None = None


class EvidenceItem(BaseModel):
    """A gold evidence quote, pinned to a document and offset when ``doc``/``start`` are set."""

    quote: Text
    doc: str | None = None
    start: int | None = None


class QALabelledRagExample(LabelledRagExample):
    """A LabelledRagDataset example with our own ``qa_*`` fields (all optional)."""

    qa_id: QuestionId | None = None
    qa_category: str | None = None
    qa_split: Split | None = None
    qa_style: str | None = None
    qa_statement: str | None = None
    qa_answers: list[Text] = []
    qa_answers_mode: Literal["any", "all"] = "any"
    qa_evidence: list[EvidenceItem] | None = None
    qa_evidence_mode: Literal["any", "all"] = "any"
    qa_unanswerable: bool = False


class LabelledRagFile(BaseModel):
    """A ``rag_dataset.json``."""

    name: str | None = None
    examples: list[QALabelledRagExample]


def _labelled_question(n: int, ex: QALabelledRagExample) -> EvalQuestion:
    """Example number ``n`` (from 1) as an EvalQuestion."""
    qid = ex.qa_id or f"L{n:04d}"
    if ex.qa_evidence is not None:
        evidence = [Evidence(e.quote, doc=e.doc, start=e.start) for e in ex.qa_evidence]
    else:
        evidence = [Evidence(c) for c in ex.reference_contexts or []]
    unanswerable = ex.qa_unanswerable
    return EvalQuestion(
        id=qid,
        question=ex.query,
        category=ex.qa_category or "labelled",
        split=ex.qa_split or hash_split(qid),
        answers=[] if unanswerable else list(ex.qa_answers),
        answers_mode=ex.qa_answers_mode,
        reference_answer=None if unanswerable else ex.reference_answer,
        evidence=[] if unanswerable else evidence,
        evidence_mode=ex.qa_evidence_mode,
        style=ex.qa_style or "",
        statement=ex.qa_statement or "",
    )


class CardBaseline(BaseModel):
    """One published baseline of a llama dataset: how it was run and what it scored."""

    model_config = ConfigDict(extra="allow")
    name: str
    config: dict[str, Any] = {}
    metrics: dict[str, float | None] = {}
    codeUrl: str | None = None


class DatasetCard(BaseModel):
    """A llama dataset's ``card.json`` (its name, description, sources and baselines)."""

    model_config = ConfigDict(extra="allow")
    name: str | None = None
    description: str | None = None
    baselines: list[CardBaseline] = []


def load_card(path: Path) -> list[dict[str, Any]]:
    """The baselines of the ``card.json`` at ``path`` (``[]`` when there is none).

    Each is ``{"name", "config", "metrics", "code_url"}``; a llama-hub card's metrics are
    ``contextSimilarity``, ``correctness`` (1-5), ``faithfulness`` and ``relevancy`` (0-1).
    A card that is not valid JSON or not of this shape is a one-line ``EvalSetError``.
    """
    if not path.is_file():
        return []
    try:
        card = DatasetCard.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EvalSetError(f"cannot read {path}: {exc}") from None
    except ValidationError as exc:
        raise schema_error(path, exc) from None
    return [
        {"name": b.name, "config": b.config, "metrics": b.metrics, "code_url": b.codeUrl}
        for b in card.baselines
    ]


def load_labelled_rag(path: Path, data: dict[str, Any], documents: Path | None) -> EvalSet:
    """A LabelledRagDataset JSON and its source documents folder as an EvalSet.

    ``qa_evidence`` (quotes pinned to a document and offset) is preferred over
    ``reference_contexts`` when present. A ``card.json`` beside the JSON (a published llama
    dataset's) gives the set's published baselines.
    """
    try:
        parsed = LabelledRagFile.model_validate(data)
    except ValidationError as exc:
        raise schema_error(path, exc) from None
    if documents is None:
        documents = next(
            (path.parent / f for f in SOURCE_FOLDERS if (path.parent / f).is_dir()), None
        )
    if documents is None or not documents.exists():
        raise EvalSetError(
            f"{path}: a LabelledRagDataset needs its source documents: pass --docs FOLDER "
            f"(or put them in {'/, '.join(SOURCE_FOLDERS)}/ beside the JSON)"
        )
    return EvalSet(
        name=parsed.name or path.parent.name or path.stem,
        questions=[_labelled_question(n, ex) for n, ex in enumerate(parsed.examples, start=1)],
        documents=[documents],
        format="labelled-rag",
        published_baselines=load_card(path.parent / CARD_FILE),
    )


def _example(q: EvalQuestion) -> dict[str, Any]:
    """``q`` as a LabelledRagDataset example with our fields as ``qa_*`` keys."""
    human = {"model_name": "", "type": "human"}
    reference = q.reference_answer or q.statement or " and ".join(q.answers)
    return {
        "query": q.question,
        "query_by": human,
        "reference_contexts": [e.quote for e in q.evidence],
        "reference_answer": reference if q.answerable else "",
        "reference_answer_by": human,
        "qa_id": q.id,
        "qa_category": q.category,
        "qa_split": q.split,
        "qa_style": q.style,
        "qa_statement": q.statement,
        "qa_answers": q.answers,
        "qa_answers_mode": q.answers_mode,
        "qa_evidence": [{"quote": e.quote, "doc": e.doc, "start": e.start} for e in q.evidence],
        "qa_evidence_mode": q.evidence_mode,
        "qa_unanswerable": not q.answerable,
    }


def _hidden(rel: Path) -> bool:
    return any(part.startswith(".") for part in rel.parts)


def _document_files(eval_set: EvalSet) -> dict[Path, Path]:
    """Each file of the set's documents by its path under ``source_files/`` (no hidden ones)."""
    files: dict[Path, Path] = {}
    for doc in eval_set.documents:
        found = [doc] if doc.is_file() else sorted(p for p in doc.rglob("*") if p.is_file())
        for f in found:
            rel = Path(f.name) if doc.is_file() else f.relative_to(doc)
            if not _hidden(rel):
                files[rel] = f
    return files


def _check_target(out: Path, sources: Path, files: dict[Path, Path]) -> None:
    """Refuse to write where it would mix the set with other files (before anything is written)."""
    if out.exists() and not out.is_dir():
        raise EvalSetError(f"cannot export to {out}: it is a file, not a folder")
    if sources.exists() and not sources.is_dir():
        raise EvalSetError(f"cannot export to {out}: {sources} is a file, not a folder")
    if not sources.is_dir():
        return
    present = (p.relative_to(sources) for p in sources.rglob("*") if p.is_file())
    foreign = sorted(str(rel) for rel in present if not _hidden(rel) and rel not in files)
    if foreign:
        shown = ", ".join(foreign[:3]) + (" ..." if len(foreign) > 3 else "")
        raise EvalSetError(
            f"cannot export to {out}: {sources} holds files that are not this set's documents "
            f"({shown}); choose an empty folder"
        )


def _copy_documents(sources: Path, files: dict[Path, Path]) -> None:
    """Copy the set's documents into ``sources``, skipping any that already are the target."""
    for rel, f in files.items():
        target = sources / rel
        if target.exists() and target.samefile(f):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(f, target)


def export_labelled_rag(eval_set: EvalSet, out: Path) -> Path:
    """Write ``eval_set`` as ``out/rag_dataset.json`` plus ``out/source_files/``; returns the JSON.

    Evidence quotes become ``reference_contexts`` (and ``qa_evidence``, which keeps their
    document and offset); the reference answer is the fact's statement (multi-hop: the accepted
    answers joined). Unanswerable questions get no contexts, an empty reference answer and
    ``qa_unanswerable: true``. Re-exporting a set into its own folder is fine; a
    ``source_files/`` holding other files is refused before anything is written.
    """
    examples = [_example(q) for q in eval_set.questions]
    for raw in examples:  # what we write must satisfy the schema we read
        QALabelledRagExample.model_validate(raw)
    sources = out / "source_files"
    files = _document_files(eval_set)
    _check_target(out, sources, files)
    target = out / LABELLED_RAG_FILE
    try:
        sources.mkdir(parents=True, exist_ok=True)
        _copy_documents(sources, files)
        target.write_text(
            json.dumps({"name": eval_set.name, "examples": examples}, indent=2, ensure_ascii=False),
            encoding="utf-8",
        )
    except OSError as exc:
        raise EvalSetError(f"cannot export to {out}: {exc}") from None
    return target


class SquadAnswer(BaseModel):
    """One annotator's answer: its text and offset in the paragraph."""

    text: str
    answer_start: int


class SquadQuestion(BaseModel):
    """A SQuAD question; SQuAD 2.0's ``is_impossible`` ones have no answers."""

    id: QuestionId
    question: Text
    answers: list[SquadAnswer] = []
    is_impossible: bool = False


class SquadParagraph(BaseModel):
    """A paragraph of an article and the questions about it."""

    context: str
    qas: list[SquadQuestion]


class SquadArticle(BaseModel):
    """An article: its title and paragraphs."""

    title: str | None = None
    paragraphs: list[SquadParagraph]


class SquadFile(BaseModel):
    """A SQuAD v1.1 or v2.0 JSON file."""

    name: str | None = None
    data: list[SquadArticle]


def _squad_question(
    qa: SquadQuestion, context: str, file_name: str, offset: int, category: str
) -> EvalQuestion:
    """A SQuAD question; each located answer is evidence pinned in the built document."""
    evidence: list[Evidence] = []
    answers: list[str] = []
    for ans in [] if qa.is_impossible else qa.answers:
        text, start = ans.text, ans.answer_start
        if not text.strip():
            continue
        answers.append(text.strip())
        if context[start : start + len(text)] != text:
            start = context.find(text)
        if start >= 0:
            evidence.append(Evidence(text, doc=file_name, start=offset + start))
    return EvalQuestion(
        id=qa.id,
        question=qa.question.strip(),
        category=category,
        split=hash_split(qa.id),
        answers=list(dict.fromkeys(answers)),
        evidence=list(dict.fromkeys(evidence)),
    )


def load_squad(path: Path, data: dict[str, Any], work_dir: Path) -> EvalSet:
    """A SQuAD v1.1 or v2.0 file as an EvalSet: one ``.txt`` per article, paragraphs joined.

    Each answer becomes evidence pinned to its exact offset in the built document; the
    annotators' answers are alternatives. An answer whose text is not in its paragraph is still
    accepted, without evidence; when no answer of a question is in its paragraph, the set's
    ``warnings`` name it (it is scored without gold evidence). SQuAD 2.0 questions with
    ``is_impossible: true`` are unanswerable (the right response is to abstain). Questions get
    a stable dev/test split by id.
    """
    try:
        parsed = SquadFile.model_validate(data)
    except ValidationError as exc:
        raise schema_error(path, exc) from None
    name = parsed.name or path.stem
    folder = work_dir / slug(name)
    folder.mkdir(parents=True, exist_ok=True)
    questions: list[EvalQuestion] = []
    wanted: set[str] = set()
    for n, article in enumerate(parsed.data, start=1):
        title = article.title or f"article {n}"
        file_name = f"{n:03d}-{slug(title)}.txt"
        wanted.add(file_name)
        parts: list[str] = []
        offset = 0
        for para in article.paragraphs:
            for qa in para.qas:
                questions.append(
                    _squad_question(qa, para.context, file_name, offset, slug(title, 32))
                )
            parts.append(para.context)
            offset += len(para.context) + 2
        text = "\n\n".join(parts) + "\n"
        target = folder / file_name
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
    for stale in folder.glob("*.txt"):
        if stale.name not in wanted:
            stale.unlink()
    lost = [q.id for q in questions if q.answers and not q.evidence]
    return EvalSet(
        name=name,
        questions=questions,
        documents=[folder],
        format="squad",
        warnings=[_not_in_context(path, lost)] if lost else [],
    )


def _not_in_context(path: Path, ids: list[str]) -> str:
    """The warning for the questions of ``path`` none of whose answers is in its context."""
    shown = ", ".join(ids[:5]) + (", ..." if len(ids) > 5 else "")
    return (
        f"{path}: no answer of {len(ids)} question(s) is in its context ({shown}); they have "
        "no gold evidence: their answers are scored, their retrieval and citations are not"
    )

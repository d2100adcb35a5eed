"""Other eval-set formats: llama-index's LabelledRagDataset (read and write) and SQuAD (read).

``LabelledRagDataset`` is read and written as its JSON (``{"examples": [...]}`` with ``query``,
``query_by``, ``reference_contexts``, ``reference_answer``, ``reference_answer_by``), the
layout of a published llama dataset: ``rag_dataset.json`` beside a ``source_files/`` folder.
The class itself left llama-index-core in 0.14 (``llama_index.core.llama_dataset`` is gone),
so the schema is checked here with an equivalent pydantic model. Our own fields ride along as
``qa_*`` keys, which llama-index's model ignores, so an exported set loads back unchanged.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from qa.evaluation.sets import EvalQuestion, EvalSet, EvalSetError, Evidence, hash_split, slug

__all__ = ["LABELLED_RAG_FILE", "export_labelled_rag", "load_labelled_rag", "load_squad"]

LABELLED_RAG_FILE = "rag_dataset.json"
SOURCE_FOLDERS = ("source_files", "source_docs", "documents")


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


def load_labelled_rag(path: Path, data: dict[str, Any], documents: Path | None) -> EvalSet:
    """A LabelledRagDataset JSON and its source documents folder as an EvalSet."""
    if documents is None:
        documents = next(
            (path.parent / f for f in SOURCE_FOLDERS if (path.parent / f).is_dir()), None
        )
    if documents is None or not documents.exists():
        raise EvalSetError(
            f"{path}: a LabelledRagDataset needs its source documents: pass --docs FOLDER "
            f"(or put them in {'/, '.join(SOURCE_FOLDERS)}/ beside the JSON)"
        )
    questions = []
    for i, raw in enumerate(data["examples"], start=1):
        try:
            ex = LabelledRagExample.model_validate(raw)
        except ValidationError as exc:
            raise EvalSetError(f"{path}: example {i}: {exc.errors()[0]['msg']}") from None
        extra = ex.model_extra or {}
        qid = str(extra.get("qa_id") or f"L{i:04d}")
        unanswerable = bool(extra.get("qa_unanswerable"))
        questions.append(
            EvalQuestion(
                id=qid,
                question=ex.query,
                category=str(extra.get("qa_category") or "labelled"),
                split=str(extra.get("qa_split") or hash_split(qid)),
                answers=[] if unanswerable else list(extra.get("qa_answers") or []),
                answers_mode=extra.get("qa_answers_mode", "any"),
                reference_answer=None if unanswerable else ex.reference_answer,
                evidence=[] if unanswerable else [Evidence(c) for c in ex.reference_contexts or []],
                evidence_mode=extra.get("qa_evidence_mode", "any"),
                style=str(extra.get("qa_style") or ""),
            )
        )
    return EvalSet(
        name=str(data.get("name") or path.parent.name or path.stem),
        questions=questions,
        documents=[documents],
        format="labelled-rag",
    )


def export_labelled_rag(eval_set: EvalSet, out: Path) -> Path:
    """Write ``eval_set`` as ``out/rag_dataset.json`` plus ``out/source_files/``; returns the JSON.

    Evidence quotes become ``reference_contexts``; the reference answer is the fact's statement
    (multi-hop: the accepted answers joined). Unanswerable questions get no contexts, an empty
    reference answer and ``qa_unanswerable: true``.
    """
    out.mkdir(parents=True, exist_ok=True)
    human = {"model_name": "", "type": "human"}
    examples = []
    for q in eval_set.questions:
        reference = q.reference_answer or q.statement or " and ".join(q.answers)
        examples.append(
            {
                "query": q.question,
                "query_by": human,
                "reference_contexts": [e.quote for e in q.evidence],
                "reference_answer": reference if q.answerable else "",
                "reference_answer_by": human,
                "qa_id": q.id,
                "qa_category": q.category,
                "qa_split": q.split,
                "qa_style": q.style,
                "qa_answers": q.answers,
                "qa_answers_mode": q.answers_mode,
                "qa_evidence_mode": q.evidence_mode,
                "qa_unanswerable": not q.answerable,
            }
        )
    for raw in examples:  # what we write must satisfy the schema we read
        LabelledRagExample.model_validate(raw)
    sources = out / "source_files"
    sources.mkdir(exist_ok=True)
    for doc in eval_set.documents:
        files = [doc] if doc.is_file() else sorted(p for p in doc.rglob("*") if p.is_file())
        for f in files:
            rel = f.name if doc.is_file() else f.relative_to(doc)
            if any(part.startswith(".") for part in Path(rel).parts):
                continue
            (sources / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(f, sources / rel)
    target = out / LABELLED_RAG_FILE
    target.write_text(
        json.dumps({"name": eval_set.name, "examples": examples}, indent=2, ensure_ascii=False),
        encoding="utf-8",
    )
    return target


def load_squad(path: Path, data: dict[str, Any], work_dir: Path) -> EvalSet:
    """A SQuAD v1.1 file as an EvalSet: one ``.txt`` per article, paragraphs joined by a blank line.

    Each answer becomes evidence pinned to its exact offset in the built document; the
    annotators' answers are alternatives. Questions get a stable dev/test split by id.
    """
    name = str(data.get("name") or path.stem)
    folder = work_dir / slug(name)
    folder.mkdir(parents=True, exist_ok=True)
    questions: list[EvalQuestion] = []
    wanted: set[str] = set()
    for n, article in enumerate(data["data"], start=1):
        title = str(article.get("title") or f"article {n}")
        file_name = f"{n:03d}-{slug(title)}.txt"
        wanted.add(file_name)
        parts: list[str] = []
        offset = 0
        for para in article["paragraphs"]:
            context = para["context"]
            for qa in para["qas"]:
                evidence, answers = [], []
                for ans in qa.get("answers", []):
                    text, start = ans["text"], int(ans["answer_start"])
                    if context[start : start + len(text)] != text:
                        found = context.find(text)
                        if found < 0:
                            continue
                        start = found
                    evidence.append(Evidence(text, doc=file_name, start=offset + start))
                    answers.append(text.strip())
                qid = str(qa["id"])
                questions.append(
                    EvalQuestion(
                        id=qid,
                        question=qa["question"].strip(),
                        category=slug(title, 32),
                        split=hash_split(qid),
                        answers=list(dict.fromkeys(a for a in answers if a)),
                        evidence=list(dict.fromkeys(evidence)),
                    )
                )
            parts.append(context)
            offset += len(context) + 2
        text = "\n\n".join(parts) + "\n"
        target = folder / file_name
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
    for stale in folder.glob("*.txt"):
        if stale.name not in wanted:
            stale.unlink()
    return EvalSet(name=name, questions=questions, documents=[folder], format="squad")

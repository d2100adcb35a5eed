"""Plain data types of the public API: documents, chunks, hits, citations, answers."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

__all__ = [
    "Answer",
    "Chunk",
    "Citation",
    "Document",
    "DocumentInfo",
    "Hit",
    "IngestReport",
    "Note",
    "NoteLevel",
    "Sentence",
    "SentenceSupport",
    "ShortAnswer",
    "same_words",
]


@dataclass
class Document:
    """A loaded source file. Citations index into ``text``; chunking covers ``body_start:``."""

    doc_id: str
    path: str
    text: str
    metadata: dict[str, Any]
    body_start: int = 0
    source: str = ""  # absolute path, used to find files that disappeared
    # the absolute path it was found under, links not followed (a file in a linked folder is
    # under the ingested folder by this path, not by ``source``)
    route: str = ""

    @property
    def title(self) -> str:
        return str(self.metadata.get("title") or self.path)


@dataclass
class Chunk:
    """A span of a document: ``document.text[start:end] == text``."""

    chunk_id: str
    doc_id: str
    index: int
    start: int
    end: int
    text: str
    sentences: list[tuple[int, int]] = field(default_factory=list)  # absolute offsets


@dataclass
class Sentence:
    """A sentence of a retrieved passage: the document span ``[start, end)``.

    ``id`` is its store id; ``vector`` its stored embedding (L2-normalised float32, shape
    ``(dimension,)``; None when the store holds none); ``previous`` the text of the sentence (or
    heading) just before it, when a passage retrieved with it holds that one, else "".
    """

    id: str
    start: int
    end: int
    vector: Any = field(default=None, repr=False, compare=False)
    previous: str = ""


@dataclass
class Hit:
    """A retrieved passage (a stored chunk): its fused score, per-retriever ranks (1-based, None
    = missed) and what answerers read of it, filled by retrieval.

    ``text == document_text[start:end]`` of version ``version`` of the document; ``index`` is
    the chunk's place in that version (0 = the first); ``sentences`` are the sentence spans
    inside it, in order; ``document`` is the document's metadata (title, published, ...);
    ``first_chunk`` is the document's first chunk when this is another one and retrieval could
    read it (it holds the dateline), else None; ``table_header`` the header and rule rows of
    the table the chunk begins inside, read from the chunks before it, else "".
    """

    chunk_id: str
    doc_id: str
    title: str
    path: str
    start: int
    end: int
    text: str
    score: float
    dense_rank: int | None = None
    lexical_rank: int | None = None
    dense_score: float | None = None
    version: str = ""
    index: int = -1
    sentences: list[Sentence] = field(default_factory=list)
    document: dict[str, Any] = field(default_factory=dict)
    first_chunk: Hit | None = field(default=None, repr=False, compare=False)
    # the header and rule rows of the table this chunk begins inside, when an earlier chunk
    # holds them (qa.chunking.table_header_above), else ""
    table_header: str = field(default="", repr=False, compare=False)

    def span_text(self, start: int, end: int) -> str:
        """The text of the document span ``[start, end)``, which this chunk holds."""
        return self.text[start - self.start : end - self.start]

    def with_table_header(self) -> tuple[str, int]:
        """The chunk's text below ``table_header`` (a line of its own), and where the chunk's
        own text starts in it (0 without a header): what a row is read against."""
        above = f"{self.table_header}\n" if self.table_header else ""
        return above + self.text, len(above)

    def to_dict(self) -> dict[str, Any]:
        """The passage as JSON: sentences as ``[start, end]`` pairs; no vectors."""
        return {
            "chunk_id": self.chunk_id,
            "doc_id": self.doc_id,
            "title": self.title,
            "path": self.path,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "score": self.score,
            "dense_rank": self.dense_rank,
            "lexical_rank": self.lexical_rank,
            "dense_score": self.dense_score,
            "version": self.version,
            "index": self.index,
            "sentences": [[s.start, s.end] for s in self.sentences],
            "document": dict(self.document),
        }


def same_words(text: str) -> str:
    """``text`` with its whitespace normalised: two passages are copies when this is equal."""
    return " ".join(text.split())


@dataclass
class Citation:
    """An exact span of a source: ``quote == document_text[start:end]``."""

    id: int
    doc_id: str
    title: str
    path: str
    start: int
    end: int
    quote: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ShortAnswer:
    """The answer phrase ("$10 million") inside the sentence a citation quotes.

    ``start``/``end`` index the document's text like the citation's (``text ==
    document_text[start:end]``, inside ``[citation.start, citation.end)``); ``citation`` is the
    id of that citation; ``margin`` is the span reader's log-probability of the phrase (at most
    0, qa.answer.span_reader), how sure the reader is of it.
    """

    text: str
    citation: int
    start: int
    end: int
    margin: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SentenceSupport:
    """How well one answer sentence is supported by the spans it cites.

    ``start``/``end`` index into ``Answer.text``; ``supported`` is False for a sentence with no
    citation or whose cited spans do not back it (score below the verifier's threshold).
    """

    text: str
    start: int
    end: int
    citations: list[int]
    score: float
    supported: bool

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


NoteLevel = Literal["info", "warning"]


@dataclass(frozen=True)
class Note:
    """A remark on how an answer was reached.

    ``level`` is ``"info"`` (how it was found: thresholds, parts, retries) or ``"warning"``
    (something the reader should know: a fallback answered, sentences were flagged, markers
    were removed); the CLI prints warnings on stderr and the UI shows them under the answer.
    """

    level: NoteLevel
    text: str

    @classmethod
    def info(cls, text: str) -> Note:
        return cls("info", text)

    @classmethod
    def warning(cls, text: str) -> Note:
        return cls("warning", text)

    @property
    def is_warning(self) -> bool:
        return self.level == "warning"

    def to_dict(self) -> dict[str, str]:
        """``{"level": "info" | "warning", "text": str}``, as in ``qa ask --json``."""
        return {"level": self.level, "text": self.text}


@dataclass
class Answer:
    """An answer with citations; ``to_dict()`` is the JSON contract of ``qa ask --json``."""

    question: str
    text: str
    citations: list[Citation]
    abstained: bool
    mode: str
    timings_ms: dict[str, float] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)
    sentences: list[SentenceSupport] = field(default_factory=list)
    standalone_question: str | None = None
    hits: list[Hit] = field(default_factory=list, repr=False)
    short: ShortAnswer | None = None  # the answer phrase, when the question asks for one

    @property
    def warnings(self) -> list[Note]:
        """The notes of level ``"warning"``, in order."""
        return [n for n in self.notes if n.is_warning]

    @property
    def unsupported(self) -> list[SentenceSupport]:
        """The answer sentences flagged as not supported by their citations."""
        return [s for s in self.sentences if not s.supported]

    def to_dict(self) -> dict[str, Any]:
        """The answer object of docs/contracts.md (``qa ask --json``)."""
        return {
            "question": self.question,
            "answer": self.text,
            "abstained": self.abstained,
            "mode": self.mode,
            "citations": [c.to_dict() for c in self.citations],
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
            "notes": [n.to_dict() for n in self.notes],
            "sentences": [s.to_dict() for s in self.sentences],
            "short": self.short.to_dict() if self.short is not None else None,
        }


@dataclass
class IngestReport:
    """What an ingest did, in documents and chunks."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "path: reason"
    warnings: list[str] = field(default_factory=list)
    chunks_written: int = 0
    # of ``chunks_written``, those whose vector was copied from another stored document of the
    # same version (a moved, renamed or copied file) instead of embedded
    reused: int = 0
    documents: int = 0
    chunks: int = 0
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class DocumentInfo:
    """A document as the store holds it."""

    doc_id: str
    title: str
    path: str
    chunks: int
    metadata: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

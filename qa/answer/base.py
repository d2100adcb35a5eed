"""The answerer protocol: ``(question, passages, query) -> Draft``, shared by every backend.

An answerer reads only what it is given: the retrieved passages (``qa.types.Hit``, with their
sentences, sentence vectors and the document's first chunk filled in by retrieval) and the
question's encoding. It never opens the store. Backends are registered by mode name in
``qa.answer.registry``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from qa.types import Citation, Hit, Note, SentenceSupport, ShortAnswer

if TYPE_CHECKING:
    from qa.embeddings import QueryEncoding

__all__ = ["ABSTAIN_LABEL", "ABSTAIN_TEXT", "Answerer", "CorpusStats", "Draft"]

ABSTAIN_LABEL = "Not found in the corpus"  # what the UI shows as the abstention's label
ABSTAIN_TEXT = f"{ABSTAIN_LABEL}: the ingested documents do not answer this question."


@dataclass
class Draft:
    """What an answerer returns; the pipeline adds the question, mode and timings."""

    text: str
    citations: list[Citation] = field(default_factory=list)
    abstained: bool = False
    notes: list[Note] = field(default_factory=list)
    sentences: list[SentenceSupport] = field(default_factory=list)
    mode: str | None = None  # who answered, when not the answerer's own mode (a fallback)
    short: ShortAnswer | None = None  # the answer phrase the text leads with, if any

    @classmethod
    def abstain(cls, *notes: Note | str) -> Draft:
        """The fixed 'not found in the corpus' answer, without citations; a plain string is
        an info note."""
        typed = [n if isinstance(n, Note) else Note.info(n) for n in notes]
        return cls(text=ABSTAIN_TEXT, citations=[], abstained=True, notes=typed)


class CorpusStats(Protocol):
    """Term statistics of the whole corpus (the BM25 index), over ``qa.lexical.terms``."""

    def idf(self, term: str) -> float:
        """Inverse document frequency of a stemmed term (0 for an unknown one)."""
        ...

    def knows(self, term: str) -> bool:
        """True when some chunk of the corpus holds the stemmed term."""
        ...


class Answerer(ABC):
    """An answering backend: one module per backend, registered in ``qa.answer.registry``."""

    mode: str = ""

    @abstractmethod
    def answer(self, question: str, passages: Sequence[Hit], query: QueryEncoding) -> Draft:
        """Answer ``question`` from ``passages`` (best first), citing spans of them.

        ``query`` is the question's encoding (pooled and word-piece vectors), as retrieval
        made it. Raises ``QAError`` subclasses only (e.g. ``LLMError``).
        """

    def for_turn(self) -> Answerer:
        """The answerer for one question (condense, then answer). Default: ``self``.

        The LLM answerer returns a copy whose calls share one deadline.
        """
        return self

    def warm_up(self) -> None:  # noqa: B027 - optional hook, nothing to load by default
        """Load the models answering needs now, not on the first question. Default: none."""

    def stream(
        self, question: str, passages: Sequence[Hit], query: QueryEncoding
    ) -> Iterator[str | Draft]:
        """Text deltas, then the final Draft. The default yields the whole answer at once."""
        draft = self.answer(question, passages, query)
        yield draft.text
        yield draft

    def condense(self, history: list[tuple[str, str]], question: str) -> str:
        """A standalone version of a follow-up question (default: the no-LLM rule)."""
        from qa.conversation import condense_rule

        return condense_rule(history, question)

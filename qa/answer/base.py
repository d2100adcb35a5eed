"""The answerer protocol shared by the extractive reader and the LLM answerer."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from qa.types import Citation, Hit, SentenceSupport

__all__ = ["ABSTAIN_TEXT", "Answerer", "Draft"]

ABSTAIN_TEXT = "Not found in the corpus: the ingested documents do not answer this question."


@dataclass
class Draft:
    """What an answerer returns; the pipeline adds the question, mode and timings."""

    text: str
    citations: list[Citation] = field(default_factory=list)
    abstained: bool = False
    notes: list[str] = field(default_factory=list)
    sentences: list[SentenceSupport] = field(default_factory=list)
    mode: str | None = None  # who answered, when not the answerer's own mode (a fallback)

    @classmethod
    def abstain(cls, *notes: str) -> Draft:
        """The fixed 'not found in the corpus' answer, without citations."""
        return cls(text=ABSTAIN_TEXT, citations=[], abstained=True, notes=list(notes))


class Answerer:
    """Base class of answerers; one module per backend."""

    mode: str = ""

    def for_turn(self) -> Answerer:
        """The answerer for one question (condense, then answer). Default: ``self``.

        The LLM answerer returns a copy whose calls share one deadline.
        """
        return self

    def answer(self, question: str, hits: list[Hit], query_vector: np.ndarray) -> Draft:
        """Answer ``question`` from ``hits`` (best first), citing spans of them."""
        raise NotImplementedError

    def warm_up(self) -> None:
        """Load the models answering needs now, not on the first question. Default: none."""

    def stream(
        self, question: str, hits: list[Hit], query_vector: np.ndarray
    ) -> Iterator[str | Draft]:
        """Text deltas, then the final Draft. The default yields the whole answer at once."""
        draft = self.answer(question, hits, query_vector)
        yield draft.text
        yield draft

    def condense(self, history: list[tuple[str, str]], question: str) -> str:
        """A standalone version of a follow-up question (default: the no-LLM rule)."""
        from qa.conversation import condense_rule

        return condense_rule(history, question)

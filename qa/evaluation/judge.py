"""Optional LLM-judged scores: llama-index's Correctness, Faithfulness and Relevancy evaluators
(the three a llama dataset's card.json reports beside its context similarity)."""

from __future__ import annotations

from typing import Any

from qa.config import Settings
from qa.errors import LLMNotConfiguredError
from qa.evaluation.sets import EvalQuestion
from qa.types import Answer

__all__ = ["Judges", "require_llm"]


def require_llm(settings: Settings) -> None:
    """Raise LLMNotConfiguredError unless ``settings`` name an LLM to judge with."""
    if not settings.llm_configured:
        raise LLMNotConfiguredError("--judge needs an LLM: set QA_LLM_BASE_URL and QA_LLM_MODEL")


class Judges:
    """Scores answers with the configured LLM as judge (correctness 1-5, faithfulness and
    relevancy 0/1)."""

    def __init__(self, settings: Settings) -> None:
        require_llm(settings)
        from llama_index.core.evaluation import (
            CorrectnessEvaluator,
            FaithfulnessEvaluator,
            RelevancyEvaluator,
        )
        from llama_index.llms.openai_like import OpenAILike

        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else "none"
        llm = OpenAILike(
            model=settings.llm_model or "",
            api_base=settings.llm_base_url,
            api_key=key,
            is_chat_model=True,
            temperature=0.0,
            timeout=settings.llm_timeout,
            max_retries=settings.llm_retries,
        )
        self.correctness = CorrectnessEvaluator(llm=llm)
        self.faithfulness = FaithfulnessEvaluator(llm=llm)
        self.relevancy = RelevancyEvaluator(llm=llm)

    def score(self, q: EvalQuestion, answer: Answer) -> dict[str, float | None]:
        """``correctness`` (against the reference), ``faithfulness`` (to the cited spans) and
        ``relevancy`` (answer and cited spans to the question)."""
        out: dict[str, float | None] = {
            "correctness": None,
            "faithfulness": None,
            "relevancy": None,
        }
        if answer.abstained:
            return out
        reference = q.reference_answer or q.statement or " and ".join(q.answers) or None
        contexts = [c.quote for c in answer.citations] or [h.text for h in answer.hits]
        out["correctness"] = self._safe(
            self.correctness.evaluate, query=q.question, response=answer.text, reference=reference
        )
        out["faithfulness"] = self._safe(
            self.faithfulness.evaluate, query=q.question, response=answer.text, contexts=contexts
        )
        out["relevancy"] = self._safe(
            self.relevancy.evaluate, query=q.question, response=answer.text, contexts=contexts
        )
        return out

    @staticmethod
    def _safe(fn: Any, **kwargs: Any) -> float | None:
        try:
            result = fn(**kwargs)
        except Exception:  # a judge that fails to answer or parse leaves the score empty
            return None
        return None if result.score is None else float(result.score)

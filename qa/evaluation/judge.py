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


def _judge_llm(client: Any, model: str) -> Any:
    """A llama-index LLM over ``client`` (an ``openai.OpenAI``): the evaluators' prompts go
    through the client that answers, with its retries and settings. llama-index's OpenAI LLMs
    build their own async client, which is why this adapter exists."""
    from llama_index.core.llms import CompletionResponse, CustomLLM, LLMMetadata
    from llama_index.core.llms.callbacks import llm_completion_callback

    class JudgeLLM(CustomLLM):
        @property
        def metadata(self) -> LLMMetadata:
            return LLMMetadata(model_name=model)

        @llm_completion_callback()
        def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> Any:
            reply = client.chat.completions.create(
                model=model, messages=[{"role": "user", "content": prompt}], temperature=0.0
            )
            return CompletionResponse(text=reply.choices[0].message.content or "")

        @llm_completion_callback()
        def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> Any:
            raise NotImplementedError("the judge does not stream")

    return JudgeLLM()


class Judges:
    """Scores answers with the configured LLM as judge (correctness 1-5, faithfulness and
    relevancy 0/1).

    Args:
        settings: the LLM's settings (``llm_model``; the client's when ``client`` is None).
        client: the ``openai.OpenAI`` client to judge with (the one that answers, so answers,
            condensing and judging share one client); None = ``qa.llm_client.make_client``.
    """

    def __init__(self, settings: Settings, client: Any = None) -> None:
        require_llm(settings)
        from llama_index.core.evaluation import (
            CorrectnessEvaluator,
            FaithfulnessEvaluator,
            RelevancyEvaluator,
        )

        from qa.llm_client import make_client

        llm = _judge_llm(client or make_client(settings), settings.llm_model or "")
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

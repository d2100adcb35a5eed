"""The eval suite: eval sets, gold evidence as spans, metrics, baselines, reports, compare.

``from qa.evaluation import run_eval``; ``qa eval`` is its command line.
"""

from qa.evaluation.metrics import QuestionResult, summarise
from qa.evaluation.runner import Run, eval_collection, run_eval
from qa.evaluation.sets import EvalQuestion, EvalSet, Evidence, load_set

__all__ = [
    "EvalQuestion",
    "EvalSet",
    "Evidence",
    "QuestionResult",
    "Run",
    "eval_collection",
    "load_set",
    "run_eval",
    "summarise",
]

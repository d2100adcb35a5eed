"""Answerers: turn a question and retrieved chunks into an answer with cited spans."""

from qa.answer.base import ABSTAIN_TEXT, Answerer, Draft

__all__ = ["ABSTAIN_TEXT", "Answerer", "Draft"]

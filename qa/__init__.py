"""qa: answers questions about a folder of articles, citing exact spans of the sources.

``from qa import QA``; heavy libraries (torch, chromadb) load only when first needed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qa.errors import (
    EmptyStoreError,
    InvalidInputError,
    InvalidPathError,
    InvalidQuestionError,
    LLMError,
    ModelIntegrityError,
    ModelMismatchError,
    NoDocumentsError,
    NotFoundError,
    QAError,
    SettingsError,
    StoreError,
    UnreadableFilesError,
)
from qa.types import Answer, Citation, DocumentInfo, Hit, IngestReport, Note

if TYPE_CHECKING:
    from qa.config import Settings
    from qa.pipeline import QA

__all__ = [
    "QA",
    "Answer",
    "Citation",
    "DocumentInfo",
    "EmptyStoreError",
    "Hit",
    "IngestReport",
    "InvalidInputError",
    "InvalidPathError",
    "InvalidQuestionError",
    "LLMError",
    "ModelIntegrityError",
    "ModelMismatchError",
    "NoDocumentsError",
    "NotFoundError",
    "Note",
    "QAError",
    "Settings",
    "SettingsError",
    "StoreError",
    "UnreadableFilesError",
]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name == "QA":
        from qa.pipeline import QA

        return QA
    if name == "Settings":
        from qa.config import Settings

        return Settings
    raise AttributeError(f"module 'qa' has no attribute {name!r}")

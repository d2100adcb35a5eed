"""Errors raised by the qa API; the CLI turns each into a one-line message."""

from __future__ import annotations

__all__ = [
    "EmptyStoreError",
    "InvalidInputError",
    "InvalidPathError",
    "InvalidQuestionError",
    "LLMError",
    "LLMNotConfiguredError",
    "LocalLLMMissingError",
    "ModelIntegrityError",
    "ModelMismatchError",
    "NoDocumentsError",
    "NotFoundError",
    "QAError",
    "SettingsError",
    "StoreError",
    "UnreadableFilesError",
]


class QAError(Exception):
    """Base class of every error qa raises on purpose.

    ``exit_code`` is what the CLI exits with: 2 for bad input, 1 for the rest.
    """

    exit_code = 1


class InvalidInputError(QAError, ValueError):
    """An argument with a bad value: a ``top_k`` out of range, an unknown mode, a malformed
    chat history (the question itself: ``InvalidQuestionError``)."""

    exit_code = 2


class InvalidQuestionError(InvalidInputError):
    """The question is empty, blank or too long."""


class InvalidPathError(QAError, FileNotFoundError):
    """A path given to ingest does not exist or cannot be read."""

    exit_code = 2


class SettingsError(QAError, ValueError):
    """A setting with a bad value, or one that does not exist (``QA(top_k="x")``, ``QA_TOP_K``)."""

    exit_code = 2


class NoDocumentsError(QAError):
    """A path holds no file of a supported type, or none of its files could be read."""

    exit_code = 2


class UnreadableFilesError(NoDocumentsError):
    """Files were found and none could be read; nothing was changed. ``skipped`` holds each
    file's displayed path and the reason, in the order they were read."""

    def __init__(self, message: str, skipped: list[tuple[str, str]]) -> None:
        super().__init__(message)
        self.skipped = skipped


class NotFoundError(QAError, KeyError):
    """A document id that the store does not hold."""

    exit_code = 2

    def __str__(self) -> str:  # KeyError quotes its message; we do not want that
        return str(self.args[0]) if self.args else ""


class EmptyStoreError(QAError):
    """The store holds no documents yet."""


class StoreError(QAError):
    """The vector store is unreachable, unreadable or corrupt."""


class ModelMismatchError(QAError):
    """The store was built with another embedding model than the configured one."""


class ModelIntegrityError(QAError):
    """The bundled embedding model's weights do not match the published hash."""


class LLMError(QAError):
    """The LLM server failed and no fallback was allowed."""


class LLMNotConfiguredError(LLMError):
    """LLM mode was asked for but no server (base URL and model) is configured."""

    exit_code = 2


class LocalLLMMissingError(LLMNotConfiguredError):
    """The local LLM was asked for but its runtime (llama-cpp-python) or model is not set up;
    the message names the set-up command."""

    exit_code = 2
